package io.filterviz.engine.lucid;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Oracle: the discrete Fourier transform summed term by term in double (O(n²) per output value). */
class RealFft2dTest {

    /** numpy's irfft2 written out: x[n,m] = Σ_k Σ_l c_l · Re(Z[k,l] · e^{2πi(kn/h + lm/w)}) / (h·w), c_l as in numpy. */
    static double[] naiveInverse(double[] re, double[] im, int h, int w) {
        int bins = w / 2 + 1;
        double[] x = new double[h * w];
        for (int n = 0; n < h; n++) {
            for (int m = 0; m < w; m++) {
                double sum = 0;
                for (int k = 0; k < h; k++) {
                    for (int l = 0; l < bins; l++) {
                        double weight = l == 0 || 2 * l == w ? 1 : 2;
                        double angle = 2 * Math.PI * ((double) k * n / h + (double) l * m / w);
                        sum += weight * (re[k * bins + l] * Math.cos(angle) - im[k * bins + l] * Math.sin(angle));
                    }
                }
                x[n * w + m] = sum / (h * w);
            }
        }
        return x;
    }

    /** rfft2: G[k,l] = Σ_n Σ_m x[n,m] · e^{−2πi(kn/h + lm/w)}. */
    static double[][] naiveForward(double[] x, int h, int w) {
        int bins = w / 2 + 1;
        double[] re = new double[h * bins];
        double[] im = new double[h * bins];
        for (int k = 0; k < h; k++) {
            for (int l = 0; l < bins; l++) {
                for (int n = 0; n < h; n++) {
                    for (int m = 0; m < w; m++) {
                        double angle = 2 * Math.PI * ((double) k * n / h + (double) l * m / w);
                        re[k * bins + l] += x[n * w + m] * Math.cos(angle);
                        im[k * bins + l] -= x[n * w + m] * Math.sin(angle);
                    }
                }
            }
        }
        return new double[][]{re, im};
    }

    static double[] gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = new double[n];
        for (int i = 0; i < n; i++) values[i] = random.nextGaussian();
        return values;
    }

    // Even and odd sides, lengths JTransforms factors (2, 3, 4, 5) and lengths it does by Bluestein (7, 11, 13, 38).
    @ParameterizedTest
    @CsvSource({"1,1", "2,2", "1,6", "6,1", "4,6", "5,7", "7,8", "9,10", "13,11", "16,16", "12,38", "15,9"})
    void inverseIsNumpysIrfft2IncludingTheIgnoredImaginaryParts(int h, int w) {
        int bins = w / 2 + 1;
        // Random imaginary parts also at the columns whose imaginary part numpy ignores (0 and w/2).
        double[] re = gaussian(h * bins, 1);
        double[] im = gaussian(h * bins, 2);
        double[] image = new double[h * w];
        new RealFft2d(h, w).inverse(re, im, image);
        double[] expected = naiveInverse(re, im, h, w);
        for (int i = 0; i < image.length; i++) assertEquals(expected[i], image[i], 1e-12, "pixel " + i);
    }

    @ParameterizedTest
    @CsvSource({"1,1", "2,2", "1,6", "6,1", "4,6", "5,7", "7,8", "9,10", "13,11", "16,16", "12,38", "15,9"})
    void forwardIsTheUnnormalisedRfft2(int h, int w) {
        int bins = w / 2 + 1;
        double[] x = gaussian(h * w, 3);
        double[] re = new double[h * bins];
        double[] im = new double[h * bins];
        RealFft2d fft = new RealFft2d(h, w);
        fft.forward(x, re, im);
        double[][] expected = naiveForward(x, h, w);
        for (int i = 0; i < re.length; i++) {
            assertEquals(expected[0][i], re[i], 1e-10, "re " + i);
            assertEquals(expected[1][i], im[i], 1e-10, "im " + i);
        }
        // and back: one instance, reused
        double[] back = new double[h * w];
        fft.inverse(re, im, back);
        for (int i = 0; i < x.length; i++) assertEquals(x[i], back[i], 1e-12);
    }
}
