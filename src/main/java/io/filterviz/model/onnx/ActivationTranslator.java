package io.filterviz.model.onnx;

import io.filterviz.model.graph.Activation;

import java.util.List;

/** Element-wise activations with their ONNX defaults; Clip's bounds are attributes before opset 11, inputs from it. */
final class ActivationTranslator implements OnnxTranslator {
    @Override
    public List<String> opTypes() { return List.of("Relu", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Clip"); }

    @Override
    public void translate(OnnxNode n, Translation t) {
        Activation activation = switch (n.opType()) {
            case "Relu" -> plain(n, Activation.relu());
            case "LeakyRelu" -> {
                n.allowOnly("alpha");
                yield new Activation(Activation.Kind.LEAKY_RELU, n.real("alpha", 0.01f), 0f);
            }
            case "Sigmoid" -> plain(n, new Activation(Activation.Kind.SIGMOID, 0f, 0f));
            case "HardSigmoid" -> {
                n.allowOnly("alpha", "beta");
                yield new Activation(Activation.Kind.HARD_SIGMOID, n.real("alpha", 0.2f), n.real("beta", 0.5f));
            }
            case "HardSwish" -> plain(n, new Activation(Activation.Kind.HARD_SWISH, 0f, 0f));
            default -> clip(n, t);
        };
        String x = t.runtime(n, 0);
        t.emit(n, activation, List.of(x), t.info(x));
    }

    private static Activation plain(OnnxNode n, Activation activation) {
        n.allowOnly();
        return activation;
    }

    private static Activation clip(OnnxNode n, Translation t) {
        float min = Float.NEGATIVE_INFINITY, max = Float.POSITIVE_INFINITY;
        if (t.opset() < 11) {
            n.allowOnly("min", "max");
            min = n.real("min", min);
            max = n.real("max", max);
        } else {
            n.allowOnly();
            if (n.inputCount() > 1 && !n.input(1).isEmpty()) min = t.scalar(n, t.constantInput(n, 1, "min"));
            if (n.inputCount() > 2 && !n.input(2).isEmpty()) max = t.scalar(n, t.constantInput(n, 2, "max"));
        }
        return new Activation(Activation.Kind.CLIP, min, max);
    }
}
