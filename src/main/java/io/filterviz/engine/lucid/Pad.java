package io.filterviz.engine.lucid;

import java.util.Arrays;

/** A border of {@code amount} pixels of a constant value on every side (Lucid {@code pad(w, mode="constant")}). */
record Pad(int inHeight, int inWidth, int amount, double value) implements ImageTransform {
    @Override public int outHeight() { return inHeight + 2 * amount; }

    @Override public int outWidth() { return inWidth + 2 * amount; }

    @Override
    public void apply(double[] in, double[] out, int channels) {
        int ow = outWidth();
        Arrays.fill(out, 0, channels * outHeight() * ow, value);
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < inHeight; y++) {
                System.arraycopy(in, (c * inHeight + y) * inWidth, out, (c * outHeight() + y + amount) * ow + amount, inWidth);
            }
        }
    }

    @Override
    public void adjoint(double[] outGradient, double[] inGradient, int channels) {
        int ow = outWidth();
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < inHeight; y++) {
                System.arraycopy(outGradient, (c * outHeight() + y + amount) * ow + amount, inGradient, (c * inHeight + y) * inWidth, inWidth);
            }
        }
    }
}
