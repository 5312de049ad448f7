package io.filterviz.engine.lucid;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class FourierImageTest {

    @Test
    void scaleIsNumpysOnEvenAndOddSidesAndAnyDecay() {
        // Printed by numpy: sqrt(h*w) / maximum(sqrt(fx²+fy²), 1/max(h,w))**decay, fy = fftfreq(h)[:,None],
        // fx = rfftfreq(w)[None,:].
        double[] fiveBySix = FourierImage.scale(5, 6, 1);
        assertEquals(5 * 4, fiveBySix.length);
        assertEquals(32.86335345030997, fiveBySix[0], 1e-12);   // f = 0, floored at 1/6
        assertEquals(16.431676725154986, fiveBySix[2], 1e-12);  // k 0, l 2
        assertEquals(21.038606199548298, fiveBySix[5], 1e-12);  // k 1, l 1
        assertEquals(8.553989227683015, fiveBySix[11], 1e-12);  // k 2, l 3 (w/2)
        assertEquals(14.090046549415865, fiveBySix[18], 1e-12); // k 4 (frequency −1/5), l 2
        double[] fourBySeven = FourierImage.scale(4, 7, 1.5);
        assertEquals(98.00000000000001, fourBySeven[0], 1e-11);
        assertEquals(34.247671189476975, fourBySeven[5], 1e-11);  // k 1, l 1
        assertEquals(14.966629547095765, fourBySeven[8], 1e-11);  // k 2 (frequency −1/2), l 0
        assertEquals(15.140774138020285, fourBySeven[15], 1e-11); // k 3 (−1/4), l 3 (3/7)
    }

    @Test
    void colourMatrixIsLucidsOverItsLargestColumnNorm() {
        // numpy: np.linalg.norm(C, axis=0).max() = 0.46195237849804394, the first column's.
        double norm = 0.46195237849804394;
        double[] unit = {1, 0, 0};
        ColorDecorrelation.toRgb(unit, 1);
        assertArrayEquals(new double[]{0.26 / norm, 0.27 / norm, 0.27 / norm}, unit, 1e-12);
        double[] t = {0.5, -2, 3};
        ColorDecorrelation.toRgb(t, 1);
        assertArrayEquals(new double[]{(0.13 - 0.18 + 0.06) / norm, (0.135 - 0.15) / norm, (0.135 + 0.18 + 0.09) / norm},
                t, 1e-12);
    }

    /** Independent path: the spectrum through the term-by-term inverse DFT, /4, Lucid's matrix, sigmoid. */
    @ParameterizedTest
    @CsvSource({"3,5,6", "3,6,7", "1,5,6", "1,4,3"})
    void renderIsSigmoidOfDecorrelatedInverseOfTheScaledSpectrum(int channels, int h, int w) {
        FourierImage image = FourierImage.create(channels, w, h, 0.5, 1, new SplittableRandom(7));
        double[] params = image.parameters();
        int bins = w / 2 + 1;
        int block = h * bins;
        double[] scale = FourierImage.scale(h, w, 1);
        double[][] linear = new double[channels][];
        for (int c = 0; c < channels; c++) {
            double[] re = new double[block];
            double[] im = new double[block];
            for (int i = 0; i < block; i++) {
                re[i] = scale[i] * params[2 * c * block + i];
                im[i] = scale[i] * params[(2 * c + 1) * block + i];
            }
            linear[c] = RealFft2dTest.naiveInverse(re, im, h, w);
        }
        double[] rendered = new double[channels * h * w];
        image.render(rendered);
        double norm = 0.46195237849804394;
        double[][] matrix = {{0.26, 0.09, 0.02}, {0.27, 0.00, -0.05}, {0.27, -0.09, 0.03}};
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < h * w; p++) {
                double v;
                if (channels == 1) {
                    v = linear[0][p] / 4;
                } else {
                    v = 0;
                    for (int j = 0; j < 3; j++) v += matrix[c][j] / norm * linear[j][p] / 4;
                }
                assertEquals(1 / (1 + Math.exp(-v)), rendered[c * h * w + p], 1e-12);
            }
        }
    }

    /** d Σ(weights · image) / d parameters against central differences, every parameter. */
    @ParameterizedTest
    @CsvSource({"3,4,5", "3,5,4", "1,5,4", "1,3,3"})
    void backwardMatchesFiniteDifferences(int channels, int h, int w) {
        FourierImage image = FourierImage.create(channels, w, h, 0.3, 1, new SplittableRandom(11));
        double[] weights = RealFft2dTest.gaussian(channels * h * w, 12);
        double[] rendered = new double[weights.length];
        image.render(rendered);
        double[] gradient = new double[image.parameters().length];
        image.backward(weights, gradient);
        double[] params = image.parameters();
        double eps = 1e-6;
        for (int i = 0; i < params.length; i++) {
            double kept = params[i];
            params[i] = kept + eps;
            double up = weighted(image, weights);
            params[i] = kept - eps;
            double down = weighted(image, weights);
            params[i] = kept;
            assertEquals((up - down) / (2 * eps), gradient[i], 1e-6, "parameter " + i);
        }
    }

    private static double weighted(FourierImage image, double[] weights) {
        double[] rendered = new double[weights.length];
        image.render(rendered);
        double sum = 0;
        for (int i = 0; i < weights.length; i++) sum += weights[i] * rendered[i];
        return sum;
    }

    @Test
    void zeroSdIsAFlatGreyStartWithNoDraws() {
        SplittableRandom random = new SplittableRandom(3);
        long before = new SplittableRandom(3).nextLong();
        FourierImage image = FourierImage.create(3, 9, 8, 0, 1, random);
        assertEquals(before, random.nextLong()); // nothing drawn
        double[] rendered = new double[3 * 8 * 9];
        image.render(rendered);
        for (double v : rendered) assertEquals(0.5, v);
    }

    @Test
    void spectrumDrawsHaveTheRequestedSdAndRepeatForTheSameSeed() {
        FourierImage a = FourierImage.create(3, 128, 128, 0.01, 1, new SplittableRandom(5));
        FourierImage b = FourierImage.create(3, 128, 128, 0.01, 1, new SplittableRandom(5));
        FourierImage c = FourierImage.create(3, 128, 128, 0.01, 1, new SplittableRandom(6));
        assertArrayEquals(a.parameters(), b.parameters());
        assertNotEquals(a.parameters()[0], c.parameters()[0]);
        double[] p = a.parameters();
        assertEquals(2 * 3 * 128 * 65, p.length);
        double sum = 0;
        double squares = 0;
        for (double v : p) {
            sum += v;
            squares += v * v;
        }
        double mean = sum / p.length;
        assertEquals(0, mean, 3e-4); // 50k draws: the mean's sd is 0.01/224
        assertEquals(0.01, Math.sqrt(squares / p.length - mean * mean), 2e-4);
    }
}
