package io.filterviz.engine.lucid;

/**
 * One drawn transform of a channels-first image of a fixed input size, and its adjoint, which carries the gradient
 * back: {@code adjoint} writes d loss / d input from d loss / d output (overwriting, not adding).
 */
interface ImageTransform {
    int inHeight();

    int inWidth();

    int outHeight();

    int outWidth();

    void apply(double[] in, double[] out, int channels);

    void adjoint(double[] outGradient, double[] inGradient, int channels);
}
