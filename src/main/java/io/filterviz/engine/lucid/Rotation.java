package io.filterviz.engine.lucid;

import java.util.Arrays;

/**
 * Rotation about the image centre, same size out, bilinear, zero outside the input: output pixel (x, y) samples the
 * input at {@code centre + R·((x, y) − centre)}, R = [[cos, −sin], [sin, cos]]. On square images this is PyTorch's
 * {@code grid_sample(affine_grid(θ, align_corners=False), align_corners=False)} with θ = [R | 0].
 */
final class Rotation implements ImageTransform {
    private final int height;
    private final int width;
    private final double degrees;
    private final double cos;
    private final double sin;

    Rotation(int height, int width, double degrees) {
        this.height = height;
        this.width = width;
        this.degrees = degrees;
        double radians = Math.toRadians(degrees);
        this.cos = Math.cos(radians);
        this.sin = Math.sin(radians);
    }

    double degrees() { return degrees; }

    @Override public int inHeight() { return height; }

    @Override public int inWidth() { return width; }

    @Override public int outHeight() { return height; }

    @Override public int outWidth() { return width; }

    @Override
    public void apply(double[] in, double[] out, int channels) {
        sweep(in, out, channels, false);
    }

    @Override
    public void adjoint(double[] outGradient, double[] inGradient, int channels) {
        Arrays.fill(inGradient, 0, channels * height * width, 0);
        sweep(inGradient, outGradient, channels, true);
    }

    /** Forward: out[p] = Σ taps of image; adjoint: image[tap] += weight · out[p]. One walk over the taps for both. */
    private void sweep(double[] image, double[] out, int channels, boolean adjoint) {
        int plane = height * width;
        double cx = (width - 1) / 2.0;
        double cy = (height - 1) / 2.0;
        for (int y = 0; y < height; y++) {
            double dy = y - cy;
            for (int x = 0; x < width; x++) {
                double dx = x - cx;
                double sx = cx + cos * dx - sin * dy;
                double sy = cy + sin * dx + cos * dy;
                int x0 = (int) Math.floor(sx);
                int y0 = (int) Math.floor(sy);
                double fx = sx - x0;
                double fy = sy - y0;
                int p = y * width + x;
                for (int c = 0; c < channels; c++) {
                    int base = c * plane;
                    if (adjoint) {
                        double g = out[base + p];
                        add(image, base, x0, y0, (1 - fx) * (1 - fy) * g);
                        add(image, base, x0 + 1, y0, fx * (1 - fy) * g);
                        add(image, base, x0, y0 + 1, (1 - fx) * fy * g);
                        add(image, base, x0 + 1, y0 + 1, fx * fy * g);
                    } else {
                        out[base + p] = (1 - fx) * (1 - fy) * at(image, base, x0, y0)
                                + fx * (1 - fy) * at(image, base, x0 + 1, y0)
                                + (1 - fx) * fy * at(image, base, x0, y0 + 1)
                                + fx * fy * at(image, base, x0 + 1, y0 + 1);
                    }
                }
            }
        }
    }

    @Override
    public String toString() { return "Rotation[" + height + "x" + width + ", " + degrees + " degrees]"; }

    private double at(double[] image, int base, int x, int y) {
        return x < 0 || y < 0 || x >= width || y >= height ? 0 : image[base + y * width + x];
    }

    private void add(double[] image, int base, int x, int y, double value) {
        if (x >= 0 && y >= 0 && x < width && y < height) image[base + y * width + x] += value;
    }
}
