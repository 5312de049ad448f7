package io.filterviz.testing;

import io.filterviz.model.KerasVgg;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.Precision;
import io.filterviz.engine.nd4j.Nd4jBackend;
import io.filterviz.engine.nd4j.Nd4jFilterObjective;
import io.filterviz.engine.onednn.ConvolutionChoice;
import io.filterviz.engine.onednn.OnednnBackend;
import io.filterviz.model.Vgg16;
import io.filterviz.model.NetworkWeights;

import java.util.Set;

/**
 * The compute paths the agreement tests hold to the same numbers, by the names --engine takes (fp32), plus onednn
 * with direct convolutions only and with Winograd in every layer that can take it.
 */
public final class Engines {
    private Engines() {}

    public static ComputeBackend backend(String engine) {
        return switch (engine) {
            case "nd4j" -> new Nd4jBackend();
            case "onednn" -> new OnednnBackend(Precision.FP32);
            case "onednn-direct" -> new OnednnBackend(Precision.FP32, ConvolutionChoice.DIRECT);
            case "onednn-winograd" -> new OnednnBackend(Precision.FP32, ConvolutionChoice.layers(Set.copyOf(Vgg16.convLayerNames())));
            default -> throw new IllegalArgumentException(engine);
        };
    }

    /** An objective for the weights' deepest layer, on every core. */
    public static FilterObjective objective(String engine, NetworkWeights weights) {
        if (engine.equals("nd4j")) return new Nd4jFilterObjective(weights);
        return backend(engine).compile(KerasVgg.graph("vgg16", weights)).newObjective(weights.target(), Runtime.getRuntime().availableProcessors());
    }
}
