package io.filterviz.image;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The high-frequency share against an oracle written here from the definition alone: a plain double-precision 2-D
 * DFT, every output bin a sum over every pixel (O(n⁴)), on small pictures, with the frequencies written out from
 * the bin index; plus cases whose share is known by hand.
 */
class SpectralEnergyTest {

    /** The definition, step by step, with no FFT: Σ_{r > 0.25} |F|² / Σ_{k ≠ 0} |F|² over channels. */
    private static double oracle(RgbImage image) {
        int w = image.width(), h = image.height();
        double high = 0, total = 0;
        for (int c = 0; c < image.channels(); c++) {
            double mean = 0;
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) mean += image.get(x, y, c);
            mean /= w * h;
            for (int ky = 0; ky < h; ky++) {
                for (int kx = 0; kx < w; kx++) {
                    double re = 0, im = 0;
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            double angle = -2 * Math.PI * ((double) ky * y / h + (double) kx * x / w);
                            double v = image.get(x, y, c) - mean;
                            re += v * Math.cos(angle);
                            im += v * Math.sin(angle);
                        }
                    }
                    if (ky == 0 && kx == 0) continue;
                    // the bin's signed frequency: the alias nearest zero, −0.5 for the even length's middle bin
                    double fy = 2 * ky < h ? (double) ky / h : (double) (ky - h) / h;
                    double fx = 2 * kx < w ? (double) kx / w : (double) (kx - w) / w;
                    double energy = re * re + im * im;
                    total += energy;
                    if (fx * fx + fy * fy > 0.25 * 0.25) high += energy;
                }
            }
        }
        return total < 1e-9 ? 0 : high / total;
    }

    private static RgbImage picture(int w, int h, int channels, java.util.function.IntBinaryOperator... perChannel) {
        byte[] pixels = new byte[w * h * channels];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < channels; c++) {
                    int v = perChannel[c].applyAsInt(x, y);
                    pixels[(y * w + x) * channels + c] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
        return new RgbImage(w, h, channels, pixels);
    }

    @Test
    void agreesWithAPlainDftOnRandomPicturesOfEvenAndOddSides() {
        SplittableRandom random = new SplittableRandom(19);
        int[][] sizes = {{8, 8}, {7, 9}, {12, 5}, {16, 11}, {13, 13}};
        for (int[] size : sizes) {
            int w = size[0], h = size[1];
            byte[] rgb = new byte[3 * w * h];
            random.nextBytes(rgb);
            RgbImage noise = new RgbImage(w, h, rgb);
            assertEquals(oracle(noise), SpectralEnergy.highFrequencyShare(noise), 1e-12, "noise " + w + "x" + h);

            // smooth blobs plus a little noise: a share far from white noise's
            double fx = random.nextDouble(0.5, 2), fy = random.nextDouble(0.5, 2);
            RgbImage smooth = picture(w, h, 3,
                    (x, y) -> (int) (128 + 80 * Math.sin(2 * Math.PI * fx * x / w) + random.nextInt(9)),
                    (x, y) -> (int) (128 + 60 * Math.cos(2 * Math.PI * fy * y / h)),
                    (x, y) -> (x * 7 + y * 3) % 256);
            assertEquals(oracle(smooth), SpectralEnergy.highFrequencyShare(smooth), 1e-12, "smooth " + w + "x" + h);
        }
    }

    @Test
    void agreesOnGreyPicturesAndAGreyPictureAsRgbGivesTheSameShare() {
        byte[] grey = new byte[10 * 6];
        new SplittableRandom(3).nextBytes(grey);
        RgbImage one = new RgbImage(10, 6, 1, grey);
        byte[] rgb = new byte[3 * grey.length];
        for (int i = 0; i < grey.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i];
        double share = SpectralEnergy.highFrequencyShare(one);
        assertEquals(oracle(one), share, 1e-12);
        assertEquals(share, SpectralEnergy.highFrequencyShare(new RgbImage(10, 6, rgb)), 1e-12);
    }

    @Test
    void aFlatPictureHasNoShare() {
        assertEquals(0.0, SpectralEnergy.highFrequencyShare(picture(9, 7, 3, (x, y) -> 77, (x, y) -> 0, (x, y) -> 255)));
    }

    @Test
    void aCheckerboardIsAllAtNyquist() {
        RgbImage board = picture(16, 16, 1, (x, y) -> (x + y) % 2 == 0 ? 255 : 0);
        assertEquals(1.0, SpectralEnergy.highFrequencyShare(board), 1e-12);
        assertEquals(1.0, oracle(board), 1e-12);
    }

    @Test
    void aSlowSinusoidIsAlmostAllBelow() {
        RgbImage slow = picture(64, 64, 1, (x, y) -> (int) Math.round(128 + 100 * Math.sin(2 * Math.PI * 2 * x / 64)));
        double share = SpectralEnergy.highFrequencyShare(slow);
        assertTrue(share < 1e-3, "a 2-cycle sinusoid (0.03 cycles/pixel) has only its rounding above 0.25: " + share);
    }

    @Test
    void stripesJustAboveAndJustBelowTheCutoff() {
        // vertical stripes of period 3 (1/3 cycle/pixel, above 0.25) and period 5 (0.2, below), exactly periodic at 15 px
        RgbImage above = picture(15, 15, 1, (x, y) -> x % 3 == 0 ? 200 : 50);
        RgbImage below = picture(15, 15, 1, (x, y) -> (int) Math.round(128 + 100 * Math.cos(2 * Math.PI * x / 5)));
        assertEquals(1.0, SpectralEnergy.highFrequencyShare(above), 1e-12);
        assertEquals(0.0, SpectralEnergy.highFrequencyShare(below), 1e-4);
    }

    @Test
    void theFrequenciesAreNumpysFftfreq() {
        // numpy.fft.fftfreq(6) = [0, 1/6, 2/6, -3/6, -2/6, -1/6]; fftfreq(5) = [0, .2, .4, -.4, -.2]
        double[] six = {0, 1 / 6.0, 2 / 6.0, -3 / 6.0, -2 / 6.0, -1 / 6.0};
        double[] five = {0, 0.2, 0.4, -0.4, -0.2};
        for (int k = 0; k < 6; k++) assertEquals(six[k], SpectralEnergy.frequency(k, 6), 1e-15);
        for (int k = 0; k < 5; k++) assertEquals(five[k], SpectralEnergy.frequency(k, 5), 1e-15);
    }
}
