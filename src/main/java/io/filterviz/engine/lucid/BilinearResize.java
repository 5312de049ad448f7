package io.filterviz.engine.lucid;

import java.util.Arrays;

/**
 * Bilinear resize with half-pixel centres, as PyTorch's {@code F.interpolate(mode='bilinear', align_corners=False)}:
 * output pixel i samples the input at {@code (i + 0.5)·in/out − 0.5}, clamped at 0, between its two neighbours (the
 * last pixel repeats past the edge). Separable: each axis is two taps and two weights per output index.
 */
final class BilinearResize implements ImageTransform {
    private final int inHeight;
    private final int inWidth;
    private final int outHeight;
    private final int outWidth;
    private final Taps rows;
    private final Taps columns;

    BilinearResize(int inHeight, int inWidth, int outHeight, int outWidth) {
        this.inHeight = inHeight;
        this.inWidth = inWidth;
        this.outHeight = outHeight;
        this.outWidth = outWidth;
        this.rows = new Taps(inHeight, outHeight);
        this.columns = new Taps(inWidth, outWidth);
    }

    /** Per output index: the lower input index, its upper neighbour and the upper's weight. */
    private static final class Taps {
        final int[] low;
        final int[] high;
        final double[] weight;

        Taps(int in, int out) {
            low = new int[out];
            high = new int[out];
            weight = new double[out];
            double ratio = (double) in / out;
            for (int i = 0; i < out; i++) {
                double source = Math.max(0, (i + 0.5) * ratio - 0.5);
                int lo = Math.min((int) source, in - 1);
                low[i] = lo;
                high[i] = lo < in - 1 ? lo + 1 : lo;
                weight[i] = source - lo;
            }
        }
    }

    @Override public int inHeight() { return inHeight; }

    @Override public int inWidth() { return inWidth; }

    @Override public int outHeight() { return outHeight; }

    @Override public int outWidth() { return outWidth; }

    @Override
    public String toString() { return "BilinearResize[" + inHeight + "x" + inWidth + " -> " + outHeight + "x" + outWidth + "]"; }

    @Override
    public void apply(double[] in, double[] out, int channels) {
        for (int c = 0; c < channels; c++) {
            int inPlane = c * inHeight * inWidth;
            for (int y = 0; y < outHeight; y++) {
                int top = inPlane + rows.low[y] * inWidth;
                int bottom = inPlane + rows.high[y] * inWidth;
                double wy = rows.weight[y];
                int o = (c * outHeight + y) * outWidth;
                for (int x = 0; x < outWidth; x++) {
                    int l = columns.low[x];
                    int h = columns.high[x];
                    double wx = columns.weight[x];
                    double upper = in[top + l] + wx * (in[top + h] - in[top + l]);
                    double lower = in[bottom + l] + wx * (in[bottom + h] - in[bottom + l]);
                    out[o + x] = upper + wy * (lower - upper);
                }
            }
        }
    }

    @Override
    public void adjoint(double[] outGradient, double[] inGradient, int channels) {
        Arrays.fill(inGradient, 0, channels * inHeight * inWidth, 0);
        for (int c = 0; c < channels; c++) {
            int inPlane = c * inHeight * inWidth;
            for (int y = 0; y < outHeight; y++) {
                int top = inPlane + rows.low[y] * inWidth;
                int bottom = inPlane + rows.high[y] * inWidth;
                double wy = rows.weight[y];
                int o = (c * outHeight + y) * outWidth;
                for (int x = 0; x < outWidth; x++) {
                    int l = columns.low[x];
                    int h = columns.high[x];
                    double wx = columns.weight[x];
                    double g = outGradient[o + x];
                    double upper = g * (1 - wy);
                    double lower = g * wy;
                    inGradient[top + l] += upper * (1 - wx);
                    inGradient[top + h] += upper * wx;
                    inGradient[bottom + l] += lower * (1 - wx);
                    inGradient[bottom + h] += lower * wx;
                }
            }
        }
    }
}
