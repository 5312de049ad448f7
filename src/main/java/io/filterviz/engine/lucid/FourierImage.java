package io.filterviz.engine.lucid;

import java.util.random.RandomGenerator;

/**
 * Lucid's image parameterisation ({@code param/spatial.py fft_image} and {@code param/color.py to_valid_rgb}):
 * {@code image = sigmoid(decorrelate(irfft2(scale · spectrum) / 4))}, one complex half spectrum per channel, with
 * {@code scale = sqrt(h·w) / max(f, 1/max(h, w))^decay} over the frequencies {@code fftfreq(h) × rfftfreq(w)}. The
 * colour decorrelation applies to 3 channels only; a 1-channel (grey) image skips it. The image lies in (0, 1).
 *
 * <p>The parameters are the spectra's real and imaginary parts, channel by channel: for channel c the real parts are
 * the h × (w/2+1) block at {@code 2c·h·(w/2+1)}, the imaginary parts the next block. {@link #backward} gives
 * d loss / d parameters from d loss / d image at the image the last {@link #render} made. An instance serves one
 * thread.
 */
public final class FourierImage {
    private final int channels;
    private final int height;
    private final int width;
    private final int bins;
    private final double[] scale;
    private final double[] parameters;
    private final RealFft2d fft;
    private final double[] re;
    private final double[] im;
    private final double[] plane;
    private final double[] sigmoid; // the last rendered image, for the backward pass
    private final double[] work;

    private FourierImage(int channels, int width, int height, double decay) {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("1 or 3 channels, not " + channels);
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.fft = new RealFft2d(height, width);
        this.bins = fft.bins();
        this.scale = scale(height, width, decay);
        this.parameters = new double[2 * channels * height * bins];
        this.re = new double[height * bins];
        this.im = new double[height * bins];
        this.plane = new double[height * width];
        this.sigmoid = new double[channels * height * width];
        this.work = new double[channels * height * width];
    }

    /**
     * Real and imaginary parts drawn from N(0, sd²), all real parts (channel by channel) before all imaginary ones,
     * as Lucid lays out its initial value. With sd 0 nothing is drawn: the spectrum is 0 and the image flat grey (0.5).
     */
    public static FourierImage create(int channels, int width, int height, double initSd, double decay,
                                      RandomGenerator random) {
        FourierImage image = new FourierImage(channels, width, height, decay);
        if (initSd != 0) {
            int block = height * image.bins;
            for (int part = 0; part < 2; part++) {
                for (int c = 0; c < channels; c++) {
                    int offset = (2 * c + part) * block;
                    for (int i = 0; i < block; i++) image.parameters[offset + i] = random.nextGaussian() * initSd;
                }
            }
        }
        return image;
    }

    /** {@code sqrt(h·w) / max(f, 1/max(h, w))^decay}, h × (w/2+1), f = |(fftfreq(h)[k], rfftfreq(w)[l])|. */
    static double[] scale(int height, int width, double decay) {
        int bins = width / 2 + 1;
        double floor = 1.0 / Math.max(height, width);
        double[] scale = new double[height * bins];
        for (int k = 0; k < height; k++) {
            double fy = (k <= (height - 1) / 2 ? k : k - height) / (double) height;
            for (int l = 0; l < bins; l++) {
                double fx = l / (double) width;
                double f = Math.sqrt(fx * fx + fy * fy);
                scale[k * bins + l] = Math.sqrt((double) height * width) / Math.pow(Math.max(f, floor), decay);
            }
        }
        return scale;
    }

    public int channels() { return channels; }

    public int width() { return width; }

    public int height() { return height; }

    /** The parameters, live: the optimiser updates them in place. */
    public double[] parameters() { return parameters; }

    /** Writes the image, channels × height × width, values in (0, 1). */
    public void render(double[] image) {
        int pixels = height * width;
        int block = height * bins;
        for (int c = 0; c < channels; c++) {
            int offset = 2 * c * block;
            for (int i = 0; i < block; i++) {
                re[i] = scale[i] * parameters[offset + i];
                im[i] = scale[i] * parameters[offset + block + i];
            }
            fft.inverse(re, im, plane);
            for (int p = 0; p < pixels; p++) image[c * pixels + p] = plane[p] / 4;
        }
        if (channels == 3) ColorDecorrelation.toRgb(image, pixels);
        for (int i = 0; i < image.length; i++) {
            image[i] = 1 / (1 + Math.exp(-image[i]));
            sigmoid[i] = image[i];
        }
    }

    /** d loss / d parameters from d loss / d image (same layout as the image), at the last rendered image. */
    public void backward(double[] imageGradient, double[] parameterGradient) {
        int pixels = height * width;
        int block = height * bins;
        for (int i = 0; i < work.length; i++) work[i] = imageGradient[i] * sigmoid[i] * (1 - sigmoid[i]);
        if (channels == 3) ColorDecorrelation.toRgbTransposed(work, pixels);
        // irfft2 as a real-linear map of (Re, Im) has the transpose (c_l / (h·w)) · rfft2, c_l = 2 for the columns that
        // stand for a conjugate pair and 1 for those that do not (frequency 0 and, for even w, w/2).
        boolean evenWidth = width % 2 == 0;
        for (int c = 0; c < channels; c++) {
            System.arraycopy(work, c * pixels, plane, 0, pixels);
            fft.forward(plane, re, im);
            int offset = 2 * c * block;
            for (int k = 0; k < height; k++) {
                for (int l = 0; l < bins; l++) {
                    int i = k * bins + l;
                    double pair = l == 0 || (evenWidth && l == bins - 1) ? 1 : 2;
                    double factor = scale[i] * pair / (4.0 * pixels);
                    parameterGradient[offset + i] = factor * re[i];
                    parameterGradient[offset + block + i] = factor * im[i];
                }
            }
        }
    }
}
