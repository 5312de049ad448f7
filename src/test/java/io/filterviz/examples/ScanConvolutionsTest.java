package io.filterviz.examples;

import io.filterviz.engine.Convolutions;
import io.filterviz.engine.onednn.OnednnBackend;
import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import io.filterviz.testing.Prerequisite;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The scan's --convolutions reaches its oneDNN chains: direct and Winograd, two roundings of the same sums. */
class ScanConvolutionsTest {
    /** conv 3→64, then a 64→64 3×3 convolution at 32 px: where the default runs Winograd (≥ 64 channels, ≥ 22 px). */
    private static Graph network() {
        Random random = new Random(7);
        int[] same = {1, 1, 1, 1};
        return new Graph("wide", "input", 3, 0, 0, List.of(
                new Node("conv1", SmallNetworks.conv(random, 3, 64, 3, 1, same, null, 1), "input", "c1"),
                new Node("relu1", Activation.relu(), "c1", "r1"),
                new Node("conv2", SmallNetworks.conv(random, 64, 64, 3, 1, same, null, 1), "r1", "c2")));
    }

    private static double[] scores(String engine, Convolutions convolutions, Graph network, float[] pixels) {
        try (ActivationScan scan = ScanModel.of(engine, convolutions, network).open(List.of("c2"), 1, 1)) {
            return scan.scan(pixels, 32, 32).get(0).score();
        }
    }

    /**
     * Not which one is closer: for one forward pass both are within a few 1e-6 of double precision (the ascent is what
     * amplifies the difference, docs/performance.md); the choice must reach the kernels, and both must stay right.
     */
    @Test
    void theChoiceReachesTheScansKernels() {
        Prerequisite.require(ScanModel.unavailableReason("onednn") == null, "oneDNN's native library");
        Prerequisite.require(OnednnBackend.winogradSupported(), "oneDNN's Winograd (AVX-512)");
        Graph network = network();
        float[] pixels = new float[3 * 32 * 32];
        Random random = new Random(3);
        for (int i = 0; i < pixels.length; i++) pixels[i] = 255 * random.nextFloat();
        double[] exact = scores("reference", Convolutions.DIRECT, network, pixels);
        double[] direct = scores("onednn", Convolutions.DIRECT, network, pixels);
        double[] winograd = scores("onednn", Convolutions.WINOGRAD_WHERE_FASTER, network, pixels);
        assertFalse(Arrays.equals(direct, winograd), "direct and Winograd gave the same bits: the choice did not reach oneDNN");
        double scale = Arrays.stream(exact).map(Math::abs).max().orElseThrow();
        assertArrayEquals(exact, direct, 1e-5 * scale, "direct");
        assertArrayEquals(exact, winograd, 1e-5 * scale, "Winograd");
    }
}
