package io.filterviz.engine;

import java.util.SplittableRandom;

/**
 * The Keras example's start: grey with a little noise, {@code (U[0,1) − 0.5)·20 + 128}. The noise depends only on
 * (seed, layer, filter), so a filter's picture never depends on partitioning or task order.
 */
public final class StartImage {
    private StartImage() {}

    /** An RGB start image (3 × height × width). */
    public static double[] noise(int width, int height, long seed, String layer, int filter) {
        return noise(3, width, height, seed, layer, filter);
    }

    /** A start image of {@code channels} (1 for grey networks, 3 for RGB) × height × width. */
    public static double[] noise(int channels, int width, int height, long seed, String layer, int filter) {
        SplittableRandom random = new SplittableRandom(mix(seed, layer, filter));
        int plane = width * height;
        double[] chw = new double[channels * plane];
        // Pixel by pixel, channels innermost, as the Keras example lays out its H×W×3 array; the values are our
        // generator's, not numpy's, so no picture matches the Keras example's pixel for pixel.
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < channels; c++) chw[c * plane + p] = (random.nextDouble() - 0.5) * 20 + 128;
        }
        return chw;
    }

    /** A generator seed from (seed, layer, filter): the Lucid recipe draws from it too (engine/lucid). */
    public static long mix(long seed, String layer, int filter) {
        long h = seed * 0x9E3779B97F4A7C15L + layer.hashCode();
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + filter;
        return h ^ (h >>> 29);
    }
}
