package io.filterviz.model.onnx;

import io.filterviz.model.graph.Activation;

import java.util.List;

/** Element-wise activations with their ONNX defaults; Clip's bounds are attributes before opset 11, inputs from it. */
final class ActivationTranslator implements OnnxTranslator {
    @Override
    public List<String> opTypes() {
        return List.of("Relu", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Clip", "Erf", "Gelu", "Tanh", "Sqrt", "Pow");
    }

    @Override
    public String describe(String opType) { return opType.equals("Pow") ? "Pow (by 2, ½ or 1)" : opType; }

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
            case "Erf" -> plain(n, Activation.of(Activation.Kind.ERF));
            case "Tanh" -> plain(n, Activation.of(Activation.Kind.TANH));
            case "Sqrt" -> plain(n, Activation.of(Activation.Kind.SQRT));
            case "Gelu" -> {
                n.allowOnly("approximate");
                if (!n.string("approximate", "none").equals("none")) throw n.fail("approximates GELU by tanh; the exact (erf) form is supported");
                yield Activation.gelu();
            }
            case "Pow" -> {
                pow(n, t);
                yield null;
            }
            default -> clip(n, t);
        };
        if (activation == null) return;
        String x = t.runtime(n, 0);
        t.emit(n, activation, List.of(x), t.info(x));
    }

    /** A LayerNorm written out squares its centred input: x·x; a square root and the identity also come as Pow. */
    private static void pow(OnnxNode n, Translation t) {
        n.allowOnly();
        String x = t.runtime(n, 0);
        float e = t.scalar(n, t.constantInput(n, 1, "exponent"));
        TensorInfo in = t.info(x);
        if (e == 1f) {
            t.alias(n.output(0), x);
        } else if (e == 2f) {
            t.emitTensor(n.name(), new io.filterviz.model.graph.Binary(io.filterviz.model.graph.Binary.Kind.MUL), List.of(x, x),
                    n.output(0), in.batched(), n);
        } else if (e == 0.5f) {
            t.emit(n, Activation.of(Activation.Kind.SQRT), List.of(x), in);
        } else {
            throw n.fail("raises to the power " + e + "; powers 2, ½ and 1 are supported");
        }
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
