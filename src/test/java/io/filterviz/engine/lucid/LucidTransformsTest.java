package io.filterviz.engine.lucid;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LucidTransformsTest {

    /** Every kind, odd and even sizes, up and down, 1 and 3 channels. */
    private static List<ImageTransform> samples() {
        return List.of(
                new Pad(5, 4, 2, 0.5),
                new Pad(6, 7, 1, 0.0),
                new Crop(9, 8, 1, 3, 6, 4),
                new Crop(7, 7, 0, 2, 7, 5),
                new BilinearResize(8, 6, 7, 9),
                new BilinearResize(9, 9, 8, 8),
                new BilinearResize(5, 6, 5, 6),
                new Rotation(9, 9, 10),
                new Rotation(8, 8, -7),
                new Rotation(7, 10, 3));
    }

    private static double[] apply(ImageTransform t, double[] x, int channels) {
        double[] out = new double[channels * t.outHeight() * t.outWidth()];
        t.apply(x, out, channels);
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) sum += a[i] * b[i];
        return sum;
    }

    @Test
    void eachAdjointIsTheTransposeOfTheLinearPart() {
        for (int channels : new int[]{1, 3}) {
            for (ImageTransform t : samples()) {
                double[] x = RealFft2dTest.gaussian(channels * t.inHeight() * t.inWidth(), 21);
                double[] y = RealFft2dTest.gaussian(channels * t.outHeight() * t.outWidth(), 22);
                double[] ax = apply(t, x, channels);
                double[] a0 = apply(t, new double[x.length], channels); // the pad's constant, 0 for the others
                for (int i = 0; i < ax.length; i++) ax[i] -= a0[i];
                double[] aty = new double[x.length];
                t.adjoint(y, aty, channels);
                assertEquals(dot(ax, y), dot(x, aty), 1e-10, t + ", " + channels + " channels");
            }
        }
    }

    /** d Σ(w · T(x)) / d x by central differences, input value by input value, against the adjoint applied to w. */
    @Test
    void eachAdjointMatchesFiniteDifferences() {
        for (int channels : new int[]{1, 3}) {
            for (ImageTransform t : samples()) {
                double[] x = RealFft2dTest.gaussian(channels * t.inHeight() * t.inWidth(), 31);
                double[] w = RealFft2dTest.gaussian(channels * t.outHeight() * t.outWidth(), 32);
                double[] gradient = new double[x.length];
                t.adjoint(w, gradient, channels);
                double eps = 1e-5;
                for (int i = 0; i < x.length; i++) {
                    double kept = x[i];
                    x[i] = kept + eps;
                    double up = dot(w, apply(t, x, channels));
                    x[i] = kept - eps;
                    double down = dot(w, apply(t, x, channels));
                    x[i] = kept;
                    assertEquals((up - down) / (2 * eps), gradient[i], 1e-8, t + " input " + i);
                }
            }
        }
    }

    @Test
    void adjointOverwritesItsOutput() {
        for (ImageTransform t : samples()) {
            double[] w = RealFft2dTest.gaussian(t.outHeight() * t.outWidth(), 41);
            double[] clean = new double[t.inHeight() * t.inWidth()];
            double[] dirty = RealFft2dTest.gaussian(clean.length, 42);
            t.adjoint(w, clean, 1);
            t.adjoint(w, dirty, 1);
            assertArrayEquals(clean, dirty, 0, t.toString());
        }
    }

    @Test
    void padSurroundsWithTheValueAndCropTakesTheWindow() {
        double[] x = {1, 2, 3, 4, 5, 6}; // 2 × 3
        double[] padded = apply(new Pad(2, 3, 1, 0.5), x, 1);
        assertArrayEquals(new double[]{
                0.5, 0.5, 0.5, 0.5, 0.5,
                0.5, 1, 2, 3, 0.5,
                0.5, 4, 5, 6, 0.5,
                0.5, 0.5, 0.5, 0.5, 0.5}, padded);
        assertArrayEquals(new double[]{2, 3, 0.5, 5, 6, 0.5}, apply(new Crop(4, 5, 1, 2, 2, 3), padded, 1));
    }

    /** Numbers printed by src/test/python/lucid_transforms_reference.py (PyTorch, as torch_speed.py's recipe). */
    @Test
    void resizeIsPyTorchsBilinearWithoutAlignedCorners() {
        double[] x = new double[20];
        for (int i = 0; i < 20; i++) x[i] = Math.pow(i, 1.5);
        double[] expected = {1.8633899812498245, 2.6744946068879307, 3.9002257591871787, 5.443732466863847,
                7.342040122854275, 9.41506467728597, 11.166666666666666, 21.40155824459137, 23.79489957642729,
                26.862715205089483, 30.044739279552594, 33.40549107237266, 36.86771032575079, 39.69160170741759,
                53.68275459454, 56.95764460660375, 61.10668472828226, 65.33886625985902, 69.70513183874156,
                74.14940768668255, 77.74643384186652};
        assertArrayEquals(expected, apply(new BilinearResize(4, 5, 3, 7), x, 1), 1e-12);
    }

    @Test
    void rotationIsPyTorchsGridSampleAboutTheCentreWithZeroFill() {
        double[] x = new double[25];
        for (int i = 0; i < 25; i++) x[i] = Math.pow(i, 1.5);
        double[] expected = {0.25798930835541367, 1.4245674328909224, 4.145873097156857, 9.790166854896828,
                10.36650196788665, 8.014279137582212, 13.188881862449795, 19.586779763749476, 27.93273333729842,
                31.014815847083426, 24.65668724161135, 32.77372595360514, 41.569219381653056, 51.910855732165324,
                62.77609766555473, 41.55082160767607, 57.8992061548569, 68.60411068008692, 80.53492034165818,
                92.98995378580435, 53.00981968843469, 87.4618837500216, 99.7771637952874, 92.29194236877977,
                78.43849570069766};
        assertArrayEquals(expected, apply(new Rotation(5, 5, 10), x, 1), 1e-12);
    }

    @Test
    void rotationByZeroAndSameSizeResizeAreTheIdentityAndNinetyDegreesPermutes() {
        double[] x = RealFft2dTest.gaussian(3 * 6 * 6, 51);
        assertArrayEquals(x, apply(new Rotation(6, 6, 0), x, 3));
        assertArrayEquals(x, apply(new BilinearResize(6, 6, 6, 6), x, 3));
        double[] turned = apply(new Rotation(6, 6, 90), x, 3);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 6; y++) {
                for (int xx = 0; xx < 6; xx++) {
                    // output (x, y) samples the input at (cx − (y − cy), cy + (x − cx)) = (5 − y, x)
                    assertEquals(x[c * 36 + xx * 6 + (5 - y)], turned[c * 36 + y * 6 + xx], 1e-12);
                }
            }
        }
    }

    @Test
    void standardTransformsAtLucidsSizeHaveLucidsAmountsAndDrawsCoverEveryChoice() {
        Set<Integer> firstOffsets = new HashSet<>();
        Set<Integer> secondOffsets = new HashSet<>();
        Set<Double> scales = new HashSet<>();
        Set<Double> angles = new HashSet<>();
        int zeroAngles = 0;
        SplittableRandom random = new SplittableRandom(1);
        int draws = 4000;
        for (int i = 0; i < draws; i++) {
            List<ImageTransform> t = StandardTransforms.draw(random, 128, 128).transforms();
            assertEquals(5, t.size());
            Pad pad = assertInstanceOf(Pad.class, t.get(0));
            assertEquals(12, pad.amount());
            assertEquals(0.5, pad.value());
            Crop first = assertInstanceOf(Crop.class, t.get(1));
            assertEquals(144, first.outHeight());
            assertEquals(144, first.outWidth());
            firstOffsets.add(first.top());
            firstOffsets.add(first.left());
            BilinearResize resize = assertInstanceOf(BilinearResize.class, t.get(2));
            scales.add(resize.outHeight() / 144.0);
            Rotation rotation = assertInstanceOf(Rotation.class, t.get(3));
            angles.add(rotation.degrees());
            if (rotation.degrees() == 0) zeroAngles++;
            Crop second = assertInstanceOf(Crop.class, t.get(4));
            assertEquals(resize.outHeight() - 4, second.outHeight());
            secondOffsets.add(second.top());
            secondOffsets.add(second.left());
        }
        assertEquals(Set.of(0, 1, 2, 3, 4, 5, 6, 7, 8), firstOffsets);
        assertEquals(Set.of(0, 1, 2, 3, 4), secondOffsets);
        assertEquals(21, angles.size());
        assertEquals(-10.0, angles.stream().mapToDouble(Double::doubleValue).min().orElseThrow());
        assertEquals(10.0, angles.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
        // 0 is 6 of the 26 choices: 923 expected of 4000, sd 27
        assertTrue(Math.abs(zeroAngles - draws * 6 / 26.0) < 5 * 27, "zero angles " + zeroAngles);
        // int(s · 144) for s in 0.90 … 1.10: 129 (0.90·144 = 129.6) to 158 (158.4), 11 sizes
        assertEquals(11, scales.size());
        assertEquals(129 / 144.0, scales.stream().mapToDouble(Double::doubleValue).min().orElseThrow());
        assertEquals(158 / 144.0, scales.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
    }

    @Test
    void pixelAmountsScaleWithSizeRoundedAndAtLeastOne() {
        assertEquals(12, StandardTransforms.pixels(12, 128));
        assertEquals(24, StandardTransforms.pixels(12, 256));
        assertEquals(7, StandardTransforms.pixels(8, 112)); // 7.0
        assertEquals(2, StandardTransforms.pixels(4, 80));  // 2.5 rounds to even, as Python's round
        assertEquals(1, StandardTransforms.pixels(4, 8));   // 0.25, at least 1
        List<ImageTransform> t = StandardTransforms.draw(new SplittableRandom(2), 64, 64).transforms();
        assertEquals(6, ((Pad) t.get(0)).amount());
        assertEquals(76 - 4, t.get(1).outHeight());
    }

    @Test
    void aDrawnChainCarriesTheGradientBackExactly() {
        SplittableRandom random = new SplittableRandom(9);
        TransformChain.Workspace workspace = new TransformChain.Workspace();
        for (int round = 0; round < 20; round++) {
            TransformChain chain = StandardTransforms.draw(random, 24, 24);
            int channels = round % 2 == 0 ? 3 : 1;
            double[] x = RealFft2dTest.gaussian(channels * 24 * 24, 100 + round);
            int outLength = channels * chain.outHeight() * chain.outWidth();
            double[] y = RealFft2dTest.gaussian(outLength, 200 + round);
            double[] ax = copy(chain.apply(x, channels, workspace), outLength);
            double[] a0 = copy(chain.apply(new double[x.length], channels, workspace), outLength);
            for (int i = 0; i < outLength; i++) ax[i] -= a0[i];
            double[] aty = copy(chain.adjoint(y, channels, workspace), x.length);
            assertEquals(dot(ax, y), dot(x, aty), 1e-9, "round " + round);
        }
    }

    @Test
    void theSameGeneratorStateDrawsTheSameChain() {
        List<String> a = describe(StandardTransforms.draw(new SplittableRandom(77), 128, 128));
        List<String> b = describe(StandardTransforms.draw(new SplittableRandom(77), 128, 128));
        assertEquals(a, b);
        List<String> c = new ArrayList<>();
        SplittableRandom other = new SplittableRandom(78);
        for (int i = 0; i < 5 && (c.isEmpty() || c.equals(a)); i++) c = describe(StandardTransforms.draw(other, 128, 128));
        assertNotEquals(a, c);
    }

    @Test
    void identityChainHandsBackItsInput() {
        TransformChain none = TransformChain.identity(5, 5);
        double[] x = new double[25];
        TransformChain.Workspace workspace = new TransformChain.Workspace();
        assertTrue(x == none.apply(x, 1, workspace));
        assertTrue(x == none.adjoint(x, 1, workspace));
    }

    private static List<String> describe(TransformChain chain) {
        List<String> parts = new ArrayList<>();
        for (ImageTransform t : chain.transforms()) parts.add(t.toString());
        return parts;
    }

    private static double[] copy(double[] values, int length) {
        return java.util.Arrays.copyOf(values, length);
    }
}
