package io.filterviz.engine.lucid;

import io.filterviz.engine.RenderedFilter;
import io.filterviz.engine.lucid.LucidObjective.ReluGradient;
import io.filterviz.engine.lucid.LucidSettings.Transforms;
import io.filterviz.engine.nd4j.Nd4jFilterObjective;
import io.filterviz.model.RandomWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LucidRendererTest {

    private static LucidSettings settings(int steps, Transforms transforms, double sd, int side, int channels, long seed) {
        return new LucidSettings(0.05, steps, sd, 1.0, transforms, side, side, channels, seed, 0);
    }

    /** A smooth stand-in for a network: loss = 10 + mean(a·x) − mean((x − 100)²)/1000 (> 0: alive), any size and channels. */
    private static final class Smooth implements LucidObjective {
        final List<float[]> inputs = new ArrayList<>();
        final List<int[]> sizes = new ArrayList<>();
        final List<ReluGradient> relus = new ArrayList<>();
        final List<Float> losses = new ArrayList<>();

        static double weight(int i) { return Math.sin(0.7 * i) + 0.3 * Math.cos(1.9 * i); }

        static double loss(double[] x) {
            double sum = 0;
            for (int i = 0; i < x.length; i++) sum += weight(i) * x[i] - (x[i] - 100) * (x[i] - 100) / 1000;
            return 10 + sum / x.length;
        }

        @Override
        public float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient, ReluGradient relu) {
            inputs.add(image.clone());
            sizes.add(new int[]{width, height});
            relus.add(relu);
            double sum = 0;
            for (int i = 0; i < image.length; i++) {
                sum += weight(i) * image[i] - (image[i] - 100.0) * (image[i] - 100.0) / 1000;
                gradient[i] = (float) ((weight(i) - 2 * (image[i] - 100.0) / 1000) / image.length);
            }
            losses.add((float) (10 + sum / image.length));
            return (float) (10 + sum / image.length);
        }
    }

    /**
     * The deterministic form against a loop written out here in double: the image by the term-by-term inverse DFT,
     * /4, Lucid's colour matrix, sigmoid, × 255; the gradient by central differences of the loss through that image;
     * Adam by its formula. The images the renderer hands the objective must be the reference's, step by step.
     */
    @ParameterizedTest
    @ValueSource(ints = {3, 1})
    void deterministicFormIsAnIndependentlyWrittenLoop(int channels) {
        int side = 8;
        int steps = 4;
        Smooth smooth = new Smooth();
        RenderedFilter rendered = new LucidRenderer(smooth, settings(steps, Transforms.NONE, 0, side, channels, 1), "l", true)
                .render(0);
        assertEquals(steps + 1, smooth.inputs.size());

        int bins = side / 2 + 1;
        int block = side * bins;
        double[] theta = new double[2 * channels * block];
        double[] m = new double[theta.length];
        double[] v = new double[theta.length];
        for (int step = 0; step <= steps; step++) {
            double[] image = referenceImage(theta, channels, side);
            float[] seen = smooth.inputs.get(step);
            for (int i = 0; i < image.length; i++) assertEquals(image[i], seen[i], 2e-3, "step " + step + " value " + i);
            if (step == steps) break;
            double eps = 1e-5;
            for (int i = 0; i < theta.length; i++) {
                double kept = theta[i];
                theta[i] = kept + eps;
                double up = Smooth.loss(referenceImage(theta, channels, side));
                theta[i] = kept - eps;
                double down = Smooth.loss(referenceImage(theta, channels, side));
                theta[i] = kept;
                double g = (up - down) / (2 * eps);
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
            }
            int t = step + 1;
            for (int i = 0; i < theta.length; i++) {
                theta[i] += 0.05 * (m[i] / (1 - Math.pow(0.9, t))) / (Math.sqrt(v[i] / (1 - Math.pow(0.999, t))) + 1e-8);
            }
        }
        double finalLoss = Smooth.loss(referenceImage(theta, channels, side));
        assertEquals(finalLoss, rendered.loss(), 1e-4 * Math.abs(finalLoss));
        assertTrue(smooth.losses.get(steps) > smooth.losses.get(0), smooth.losses.toString());
    }

    /**
     * The same loop in PyTorch (torch.fft.irfft2, autograd, torch.optim.Adam, float64): the losses printed by
     * src/test/python/lucid_deterministic_reference.py, 16 × 16, 10 steps, then the final image's.
     */
    @ParameterizedTest
    @ValueSource(ints = {3, 1})
    void deterministicFormAgreesWithPyTorch(int channels) {
        double[] torch = channels == 3
                ? new double[]{9.753987201909833, 10.152433953818985, 10.535443865476601, 10.903907508499193,
                        11.257870600873378, 11.59748661767295, 11.923448494233048, 12.236861088750796,
                        12.539061812455005, 12.83130116910413, 13.11452756354458}
                : new double[]{10.800856624197955, 12.249046211576884, 13.64510777439727, 14.983738804149917,
                        16.264611340834502, 17.48993505367664, 18.66108409138592, 19.778959078887226,
                        20.84595214971454, 21.866067484926347, 22.84359573719944};
        Smooth smooth = new Smooth();
        RenderedFilter rendered = new LucidRenderer(smooth, settings(10, Transforms.NONE, 0, 16, channels, 42), "l", true)
                .render(0);
        assertEquals(torch.length, smooth.losses.size());
        for (int i = 0; i < torch.length; i++) assertEquals(torch[i], smooth.losses.get(i), 1e-5, "call " + i); // float32 losses: ulp ~1e-6
        assertEquals(torch[10], rendered.loss(), 1e-5);
    }

    private static double[] referenceImage(double[] theta, int channels, int side) {
        int bins = side / 2 + 1;
        int block = side * bins;
        double[] scale = new double[block];
        for (int k = 0; k < side; k++) {
            double fy = (k < (side + 1) / 2 ? k : k - side) / (double) side; // numpy fftfreq
            for (int l = 0; l < bins; l++) {
                double f = Math.hypot(fy, l / (double) side);
                scale[k * bins + l] = side / Math.max(f, 1.0 / side);
            }
        }
        double[][] linear = new double[channels][];
        for (int c = 0; c < channels; c++) {
            double[] re = new double[block];
            double[] im = new double[block];
            for (int i = 0; i < block; i++) {
                re[i] = scale[i] * theta[2 * c * block + i];
                im[i] = scale[i] * theta[(2 * c + 1) * block + i];
            }
            linear[c] = RealFft2dTest.naiveInverse(re, im, side, side);
        }
        double[][] matrix = {{0.26, 0.09, 0.02}, {0.27, 0.00, -0.05}, {0.27, -0.09, 0.03}};
        double norm = Math.sqrt(0.26 * 0.26 + 0.27 * 0.27 + 0.27 * 0.27);
        int plane = side * side;
        double[] image = new double[channels * plane];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < plane; p++) {
                double z = 0;
                if (channels == 1) z = linear[0][p] / 4;
                else for (int j = 0; j < 3; j++) z += matrix[c][j] / norm * linear[j][p] / 4;
                image[c * plane + p] = 255 / (1 + Math.exp(-z));
            }
        }
        return image;
    }

    @Test
    void deterministicFormStartsFlatGreyAndDependsOnNoSeed() {
        Smooth a = new Smooth();
        Smooth b = new Smooth();
        RenderedFilter first = new LucidRenderer(a, settings(6, Transforms.NONE, 0, 16, 3, 1), "x", true).render(0);
        RenderedFilter second = new LucidRenderer(b, settings(6, Transforms.NONE, 0, 16, 3, 99), "y", true).render(5);
        for (float value : a.inputs.get(0)) assertEquals(127.5f, value);
        for (int i = 0; i < a.inputs.size(); i++) {
            assertArrayEquals(a.inputs.get(i), b.inputs.get(i));
            assertArrayEquals(new int[]{16, 16}, a.sizes.get(i));
        }
        assertEquals(first.loss(), second.loss());
        assertEquals(first.image(), second.image());
    }

    @Test
    void transformsAreDrawnFromSeedLayerFilterAndStep() {
        LucidSettings lucid = settings(12, Transforms.STANDARD, 0.01, 128, 3, 7);
        Smooth a = new Smooth();
        Smooth b = new Smooth();
        Smooth otherFilter = new Smooth();
        new LucidRenderer(a, lucid, "conv", true).render(3);
        new LucidRenderer(b, lucid, "conv", true).render(3);
        new LucidRenderer(otherFilter, lucid, "conv", true).render(4);
        assertEquals(13, a.inputs.size());
        boolean differs = false;
        for (int i = 0; i < a.inputs.size(); i++) {
            assertArrayEquals(a.inputs.get(i), b.inputs.get(i));
            differs |= !java.util.Arrays.equals(a.inputs.get(i), otherFilter.inputs.get(i));
        }
        assertTrue(differs);
        // 128 + 24 − 8 = 144, int(s·144) for s in 0.90…1.10, − 4: 125…154 a side; the final image at 128 untransformed
        for (int i = 0; i < 12; i++) {
            int[] size = a.sizes.get(i);
            assertEquals(size[0], size[1]);
            assertTrue(size[0] >= 125 && size[0] <= 154, "step " + i + ": " + size[0]);
            assertEquals(3 * size[0] * size[1], a.inputs.get(i).length);
        }
        assertArrayEquals(new int[]{128, 128}, a.sizes.get(12));
    }

    @Test
    void reportedLossAndPictureAreTheFinalImageWithoutTransforms() {
        Smooth smooth = new Smooth();
        RenderedFilter rendered = new LucidRenderer(smooth, settings(5, Transforms.STANDARD, 0.01, 24, 3, 3), "c", true).render(1);
        float[] last = smooth.inputs.get(5);
        assertEquals(smooth.losses.get(5), rendered.loss());
        assertEquals(ReluGradient.PLAIN, smooth.relus.get(5));
        assertEquals(24, rendered.image().width());
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 24; x++) {
                for (int c = 0; c < 3; c++) {
                    float value = last[c * 576 + y * 24 + x];
                    assertEquals((int) value, rendered.image().get(x, y, c), 1, "truncated × 255"); // float vs double rounding
                }
            }
        }
    }

    @Test
    void aUnitAtZeroRunsEveryStepAndIsDead() {
        int[] calls = {0};
        LucidObjective silent = (image, width, height, filter, gradient, relu) -> {
            calls[0]++;
            java.util.Arrays.fill(gradient, 0);
            return 0f;
        };
        RenderedFilter rendered = new LucidRenderer(silent, settings(20, Transforms.STANDARD, 0.01, 32, 3, 1), "c", true).render(2);
        assertEquals(21, calls[0], "no early exit");
        assertTrue(rendered.dead());
        assertNull(rendered.image());
        // where the target can be negative (a logit), zero is a value like any other
        RenderedFilter logit = new LucidRenderer(silent, settings(3, Transforms.NONE, 0, 8, 3, 1), "c", false).render(2);
        assertFalse(logit.dead());
        assertEquals(8, logit.image().width());
    }

    @Test
    void theRedirectedReluSeamAsksForItOverTheFirstStepsOnly() {
        Smooth smooth = new Smooth();
        new LucidRenderer(smooth, new LucidSettings(0.05, 20, 0, 1, Transforms.NONE, 8, 8, 3, 1, 17), "c", true).render(0);
        for (int i = 0; i < 21; i++) {
            assertEquals(i < 17 ? ReluGradient.REDIRECTED : ReluGradient.PLAIN, smooth.relus.get(i), "call " + i);
        }
        LucidObjective plainOnly = LucidObjective.plain(new io.filterviz.engine.FilterObjective() {
            @Override
            public float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient) { return 1f; }

            @Override
            public int filters() { return 1; }
        });
        assertEquals(1f, plainOnly.lossAndGradient(new float[3], 1, 1, 0, new float[3], ReluGradient.PLAIN));
        assertThrows(UnsupportedOperationException.class,
                () -> plainOnly.lossAndGradient(new float[3], 1, 1, 0, new float[3], ReluGradient.REDIRECTED));
    }

    @Test
    void raisesALiveFiltersMeanOnRandomVgg16() {
        try (Nd4jFilterObjective nd4j = new Nd4jFilterObjective(RandomWeights.create("block3_conv1", 42))) {
            List<Float> losses = new ArrayList<>();
            LucidObjective recording = (image, width, height, filter, gradient, relu) -> {
                float loss = nd4j.lossAndGradient(image, width, height, filter, gradient);
                losses.add(loss);
                return loss;
            };
            RenderedFilter rendered = new LucidRenderer(recording, settings(30, Transforms.STANDARD, 0.01, 32, 3, 42),
                    "block3_conv1", true).render(5);
            assertFalse(rendered.dead());
            assertEquals(31, losses.size());
            assertTrue(rendered.loss() > 2 * losses.get(0), losses.toString());
            assertNotEquals(rendered.image().get(0, 0, 0), rendered.image().get(16, 16, 0));
        }
    }
}
