package io.filterviz.examples;

import io.filterviz.model.graph.Shape;

/**
 * One target tensor's answer for one image: per channel, the maximum over positions and where it is (the first such
 * position in row order when several share it). A vector's units have no position: x = y = −1.
 */
public record ChannelPeaks(String tensor, double[] score, int[] x, int[] y) {

    public int channels() { return score.length; }

    /** The peaks of a C × H × W tensor (or a vector) stored channels first. */
    public static ChannelPeaks of(String tensor, Shape shape, double[] values) {
        int channels = shape.channels();
        int plane = shape.height() * shape.width();
        double[] score = new double[channels];
        int[] x = new int[channels], y = new int[channels];
        for (int c = 0; c < channels; c++) {
            double best = Double.NEGATIVE_INFINITY;
            int at = 0;
            for (int p = 0; p < plane; p++) {
                double v = values[c * plane + p];
                if (v > best) {
                    best = v;
                    at = p;
                }
            }
            score[c] = best == Double.NEGATIVE_INFINITY ? Double.NaN : best; // a channel of NaNs scores NaN (never kept)
            x[c] = shape.vector() ? -1 : at % shape.width();
            y[c] = shape.vector() ? -1 : at / shape.width();
        }
        return new ChannelPeaks(tensor, score, x, y);
    }

    /** The same from single-precision values (a fast engine's); {@code values} may be longer than the tensor. */
    public static ChannelPeaks of(String tensor, Shape shape, float[] values) {
        int channels = shape.channels();
        int plane = shape.height() * shape.width();
        double[] score = new double[channels];
        int[] x = new int[channels], y = new int[channels];
        for (int c = 0; c < channels; c++) {
            float best = Float.NEGATIVE_INFINITY;
            int at = 0;
            for (int p = 0, i = c * plane; p < plane; p++, i++) {
                if (values[i] > best) {
                    best = values[i];
                    at = p;
                }
            }
            score[c] = best == Float.NEGATIVE_INFINITY ? Double.NaN : best;
            x[c] = shape.vector() ? -1 : at % shape.width();
            y[c] = shape.vector() ? -1 : at / shape.width();
        }
        return new ChannelPeaks(tensor, score, x, y);
    }
}
