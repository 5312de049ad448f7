package io.filterviz.engine.lucid;

import java.util.Arrays;

/** The window of {@code outHeight × outWidth} pixels whose top-left corner is (top, left): a jitter's random crop. */
record Crop(int inHeight, int inWidth, int top, int left, int outHeight, int outWidth) implements ImageTransform {
    Crop {
        if (top < 0 || left < 0 || top + outHeight > inHeight || left + outWidth > inWidth) {
            throw new IllegalArgumentException("crop " + outHeight + "x" + outWidth + " at (" + top + ", " + left
                    + ") does not fit " + inHeight + "x" + inWidth);
        }
    }

    @Override
    public void apply(double[] in, double[] out, int channels) {
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < outHeight; y++) {
                System.arraycopy(in, (c * inHeight + y + top) * inWidth + left, out, (c * outHeight + y) * outWidth, outWidth);
            }
        }
    }

    @Override
    public void adjoint(double[] outGradient, double[] inGradient, int channels) {
        Arrays.fill(inGradient, 0, channels * inHeight * inWidth, 0);
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < outHeight; y++) {
                System.arraycopy(outGradient, (c * outHeight + y) * outWidth, inGradient, (c * inHeight + y + top) * inWidth + left, outWidth);
            }
        }
    }
}
