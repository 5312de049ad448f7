package io.filterviz.image;

/**
 * Pillow's {@code Image.resize(size, BICUBIC)} for 8-bit RGB or grey, reproduced so the upscaling matches the Keras example:
 * Keys' cubic with a = -0.5, support widened when shrinking, kernels cut at the borders and renormalised,
 * 22-bit fixed-point coefficients, a horizontal pass rounded to 8 bits, then a vertical pass.
 */
public final class BicubicResize {
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double A = -0.5;
    private static final double SUPPORT = 2.0;

    private BicubicResize() {}

    public static RgbImage resize(RgbImage in, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
        }
        RgbImage horizontal = in.width() == width ? in : horizontal(in, width);
        return horizontal.height() == height ? horizontal : vertical(horizontal, height);
    }

    private static RgbImage horizontal(RgbImage in, int outWidth) {
        Coefficients c = Coefficients.of(in.width(), outWidth);
        int channels = in.channels();
        byte[] src = in.buffer();
        byte[] dst = new byte[outWidth * in.height() * channels];
        for (int y = 0; y < in.height(); y++) {
            int row = y * in.width() * channels;
            for (int x = 0; x < outWidth; x++) {
                int base = x * c.kernelSize;
                for (int ch = 0; ch < channels; ch++) {
                    int acc = 1 << (PRECISION_BITS - 1);
                    for (int k = 0; k < c.count[x]; k++) {
                        acc += (src[row + (c.first[x] + k) * channels + ch] & 0xFF) * c.weights[base + k];
                    }
                    dst[(y * outWidth + x) * channels + ch] = clip8(acc);
                }
            }
        }
        return new RgbImage(outWidth, in.height(), channels, dst);
    }

    private static RgbImage vertical(RgbImage in, int outHeight) {
        Coefficients c = Coefficients.of(in.height(), outHeight);
        int width = in.width();
        int channels = in.channels();
        byte[] src = in.buffer();
        byte[] dst = new byte[width * outHeight * channels];
        for (int y = 0; y < outHeight; y++) {
            int base = y * c.kernelSize;
            for (int x = 0; x < width; x++) {
                for (int ch = 0; ch < channels; ch++) {
                    int acc = 1 << (PRECISION_BITS - 1);
                    for (int k = 0; k < c.count[y]; k++) {
                        acc += (src[((c.first[y] + k) * width + x) * channels + ch] & 0xFF) * c.weights[base + k];
                    }
                    dst[(y * width + x) * channels + ch] = clip8(acc);
                }
            }
        }
        return new RgbImage(width, outHeight, channels, dst);
    }

    private static byte clip8(int acc) {
        if (acc >= (1 << PRECISION_BITS << 8)) return (byte) 255;
        if (acc <= 0) return 0;
        return (byte) (acc >> PRECISION_BITS);
    }

    static double cubic(double x) {
        x = Math.abs(x);
        if (x < 1.0) return ((A + 2.0) * x - (A + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * A;
        return 0.0;
    }

    /** Per output pixel: first source index, tap count and fixed-point weights. */
    private record Coefficients(int kernelSize, int[] first, int[] count, int[] weights) {
        static Coefficients of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            int kernelSize = (int) Math.ceil(support) * 2 + 1;
            int[] first = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[outSize * kernelSize];
            double[] w = new double[kernelSize];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                double sum = 0.0;
                for (int x = 0; x < xmax; x++) {
                    w[x] = cubic((x + xmin - center + 0.5) / filterScale);
                    sum += w[x];
                }
                for (int x = 0; x < xmax; x++) {
                    double normalised = sum != 0.0 ? w[x] / sum : w[x];
                    weights[xx * kernelSize + x] = (int) (normalised < 0
                            ? -0.5 + normalised * (1 << PRECISION_BITS)
                            : 0.5 + normalised * (1 << PRECISION_BITS));
                }
                first[xx] = xmin;
                count[xx] = xmax;
            }
            return new Coefficients(kernelSize, first, count, weights);
        }
    }
}
