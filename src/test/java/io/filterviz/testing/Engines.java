package io.filterviz.testing;

import io.filterviz.model.KerasVgg;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.Precision;
import io.filterviz.engine.nd4j.Nd4jBackend;
import io.filterviz.engine.nd4j.Nd4jFilterObjective;
import io.filterviz.engine.onednn.ConvolutionChoice;
import io.filterviz.engine.onednn.OnednnBackend;
import io.filterviz.engine.onednn.OnednnProbe;
import io.filterviz.model.Vgg16;
import io.filterviz.model.NetworkWeights;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compute paths the agreement tests hold to the same numbers, by the names --engine takes (fp32), plus onednn
 * with direct convolutions only and with Winograd in every layer that can take it. "onednn-winograd" needs a CPU
 * with AVX-512 (elsewhere oneDNN would quietly run direct convolutions and the test would prove nothing): without
 * one it says skipped, and its objective checks at close that Winograd primitives were really built.
 */
public final class Engines {
    private Engines() {}

    public static ComputeBackend backend(String engine) {
        return switch (engine) {
            case "nd4j" -> new Nd4jBackend();
            case "onednn" -> new OnednnBackend(Precision.FP32);
            case "onednn-direct" -> new OnednnBackend(Precision.FP32, ConvolutionChoice.DIRECT);
            case "onednn-winograd" -> {
                Prerequisite.requireCpu(OnednnProbe.winogradOnThisCpu(), "a CPU with AVX-512 (oneDNN's only Winograd, jit_wino_4x3)");
                yield new OnednnBackend(Precision.FP32, ConvolutionChoice.layers(Set.copyOf(Vgg16.convLayerNames())));
            }
            default -> throw new IllegalArgumentException(engine);
        };
    }

    /** An objective for the weights' deepest layer, on every core. */
    public static FilterObjective objective(String engine, NetworkWeights weights) {
        if (engine.equals("nd4j")) return new Nd4jFilterObjective(weights);
        FilterObjective objective = backend(engine).compile(KerasVgg.graph("vgg16", weights))
                .newObjective(weights.target(), Runtime.getRuntime().availableProcessors());
        return engine.equals("onednn-winograd") ? new WinogradChecked(objective) : objective;
    }

    /** Delegates; at close, fails unless some primitive it ran was a Winograd convolution. */
    private record WinogradChecked(FilterObjective objective) implements FilterObjective {
        @Override
        public float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient) {
            return objective.lossAndGradient(image, width, height, filter, gradient);
        }

        @Override
        public float[] lossesAndGradients(float[][] images, int width, int height, int[] filters, float[][] gradients) {
            return objective.lossesAndGradients(images, width, height, filters, gradients);
        }

        @Override
        public int filters() { return objective.filters(); }

        @Override
        public void close() {
            List<String> built = OnednnProbe.implementations(objective);
            objective.close();
            assertTrue(built.stream().anyMatch(name -> name.contains("wino")),
                    "onednn-winograd ran no Winograd primitive: " + built);
        }
    }
}
