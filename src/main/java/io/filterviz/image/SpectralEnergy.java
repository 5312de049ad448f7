package io.filterviz.image;

import org.jtransforms.fft.DoubleFFT_2D;

/**
 * How much of a picture is fine detail: the share of its spectral energy above half the Nyquist frequency. The
 * measured property that tells the Keras recipe's noisy, high-frequency pictures from the Lucid recipe's (issue 19).
 *
 * <p>Precisely, for an h × w picture with C channels (RGB; a grey picture stored as RGB gives the same figure as its
 * one channel, since every channel's spectrum is the same):
 * <ol>
 *   <li>each channel's values x_c(y, x) (0–255) minus that channel's mean;</li>
 *   <li>their 2-D DFT, F_c(ky, kx) = Σ_y Σ_x x_c(y, x) · exp(−2πi (ky·y/h + kx·x/w)), ky in 0…h−1, kx in 0…w−1;</li>
 *   <li>each bin's frequency in cycles per pixel as numpy's {@code fftfreq}: fy = ky/h, or ky/h − 1 when ky ≥ h/2
 *       (likewise fx over w), and its radial frequency r = sqrt(fx² + fy²); Nyquist is 0.5 cycles/pixel;</li>
 *   <li>the share = Σ_c Σ_{r > 0.25} |F_c|² / Σ_c Σ_{(ky, kx) ≠ (0, 0)} |F_c|²: the energy strictly above half the
 *       Nyquist frequency over all the energy but the mean's (which step 1 removed; by Parseval the denominator is
 *       h·w · Σ (x − mean)²).</li>
 * </ol>
 * The share is in [0, 1]: 1 for a checkerboard (all its energy at fx = fy = 0.5), near 0 for a slow gradient or
 * sinusoid. A flat picture has no energy besides its mean: its share is defined as 0.
 */
public final class SpectralEnergy {
    /** Half the Nyquist frequency, cycles per pixel. */
    public static final double CUTOFF = 0.25;

    private SpectralEnergy() {}

    /** The share of the picture's spectral energy above {@link #CUTOFF}, over all its channels. */
    public static double highFrequencyShare(RgbImage image) {
        int w = image.width(), h = image.height(), channels = image.channels();
        double[][] planes = new double[channels][w * h];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) planes[c][y * w + x] = image.get(x, y, c);
            }
        }
        return highFrequencyShare(planes, h, w);
    }

    /** The same over channels given as row-major h × w planes of any real values. */
    public static double highFrequencyShare(double[][] planes, int height, int width) {
        if (height < 1 || width < 1) throw new IllegalArgumentException("empty picture " + width + "x" + height);
        DoubleFFT_2D fft = new DoubleFFT_2D(height, width);
        double high = 0, total = 0;
        double[] complex = new double[2 * height * width];
        for (double[] plane : planes) {
            if (plane.length != height * width) throw new IllegalArgumentException("plane of " + plane.length + " values, not " + height * width);
            double mean = 0;
            for (double v : plane) mean += v;
            mean /= plane.length;
            for (int i = 0; i < plane.length; i++) {
                complex[2 * i] = plane[i] - mean;
                complex[2 * i + 1] = 0;
            }
            fft.complexForward(complex);
            for (int ky = 0; ky < height; ky++) {
                double fy = frequency(ky, height);
                for (int kx = 0; kx < width; kx++) {
                    if (ky == 0 && kx == 0) continue;
                    double fx = frequency(kx, width);
                    int i = 2 * (ky * width + kx);
                    double energy = complex[i] * complex[i] + complex[i + 1] * complex[i + 1];
                    total += energy;
                    if (Math.sqrt(fx * fx + fy * fy) > CUTOFF) high += energy;
                }
            }
        }
        // A flat picture leaves only rounding noise: call it flat when that energy is negligible.
        double scale = 0;
        for (double[] plane : planes) for (double v : plane) scale = Math.max(scale, Math.abs(v));
        double noise = 1e-20 * Math.max(1, scale * scale) * (double) height * width * height * width * planes.length;
        return total <= noise ? 0 : high / total;
    }

    /** numpy's fftfreq: bin k of n in cycles per sample, in [−0.5, 0.5). */
    static double frequency(int k, int n) {
        return (k < (n + 1) / 2 ? k : k - n) / (double) n;
    }
}
