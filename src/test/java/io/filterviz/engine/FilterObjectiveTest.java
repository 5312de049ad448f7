package io.filterviz.engine;

import io.filterviz.model.KerasVgg;
import io.filterviz.testing.Engines;
import io.filterviz.model.NetworkWeights;
import io.filterviz.model.RandomWeights;
import io.filterviz.testing.NaiveVgg;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static io.filterviz.testing.Stats.maxAbs;
import static io.filterviz.testing.Stats.maxAbsDifference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilterObjectiveTest {
    private static final int W = 19, H = 17;

    private static double[] randomImage(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] image = new double[3 * W * H];
        for (int i = 0; i < image.length; i++) image[i] = (random.nextDouble() - 0.5) * 20 + 128;
        return image;
    }

    private static float[] toFloat(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) out[i] = (float) values[i];
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nd4j", "onednn", "onednn-winograd"})
    void lossMatchesAPlainForwardPass(String engine) {
        NetworkWeights weights = RandomWeights.create("block2_conv2", 7);
        double[] image = randomImage(1);
        try (FilterObjective path = Engines.objective(engine, weights)) {
            for (int filter : new int[]{0, 5, 127}) {
                float loss = path.lossAndGradient(toFloat(image), W, H, filter, new float[image.length]);
                double expected = NaiveVgg.loss(weights, image, W, H, filter);
                assertTrue(expected > 0, "test needs a live filter");
                assertEquals(expected, loss, 1e-4 * expected, "filter " + filter);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nd4j", "onednn", "onednn-winograd"})
    void aShallowerLayerOfADeeperModelIsTheSameObjectiveAsAModelCutAtThatLayer(String engine) {
        // The atlas loads one model up to the deepest selected layer and evaluates shallower ones on a prefix.
        NetworkWeights deep = RandomWeights.create("block3_conv1", 11);
        NetworkWeights cut = RandomWeights.create("block2_conv1", 11);
        double[] image = randomImage(3);
        float[] fromDeep = new float[image.length];
        float[] fromCut = new float[image.length];
        CompiledModel model = Engines.backend(engine).compile(KerasVgg.graph("vgg16", deep));
        assertEquals("block3_conv1", model.deepest());
        try (FilterObjective shallow = model.newObjective("block2_conv1", 1);
             FilterObjective reference = Engines.objective(engine, cut)) {
            assertEquals(128, shallow.filters());
            float loss = shallow.lossAndGradient(toFloat(image), W, H, 17, fromDeep);
            assertEquals(NaiveVgg.loss(cut, image, W, H, 17), loss, 1e-4 * loss);
            assertEquals(reference.lossAndGradient(toFloat(image), W, H, 17, fromCut), loss);
            assertArrayEquals(fromCut, fromDeep);
        }
        // A layer beyond the model's deepest is not in it (onednn takes any tensor of the graph, a pool's too).
        IllegalArgumentException deeper = assertThrows(IllegalArgumentException.class,
                () -> model.newObjective("block4_conv1", 1));
        assertTrue(deeper.getMessage().contains("block4_conv1"), deeper.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nd4j", "onednn", "onednn-winograd"})
    void gradientMatchesFiniteDifferencesOfThePlainForwardPass(String engine) {
        // conv + ReLU + max-pool is piecewise linear, so central differences in double are exact between kinks.
        NetworkWeights weights = RandomWeights.create("block2_conv1", 3);
        double[] image = randomImage(2);
        int filter = 9;
        float[] gradient = new float[image.length];
        try (FilterObjective path = Engines.objective(engine, weights)) {
            path.lossAndGradient(toFloat(image), W, H, filter, gradient);
        }
        SplittableRandom pick = new SplittableRandom(5);
        double diff = 0, norm = 0;
        int smooth = 0;
        for (int k = 0; k < 40; k++) {
            int i = pick.nextInt(image.length);
            double wide = centralDifference(weights, image, i, filter, 1e-2);
            double narrow = centralDifference(weights, image, i, filter, 1e-4);
            // Two step sizes that disagree mean a ReLU or max-pool switch within reach: no derivative to compare.
            if (Math.abs(wide - narrow) > 1e-7 * Math.max(1, Math.abs(narrow)) + 1e-9) continue;
            smooth++;
            diff += (narrow - gradient[i]) * (narrow - gradient[i]);
            norm += narrow * narrow;
        }
        assertTrue(smooth >= 30, "only " + smooth + " of 40 samples were away from kinks");
        assertTrue(norm > 0, "sampled gradient is all zero: the test proves nothing");
        assertTrue(Math.sqrt(diff / norm) < 1e-4, "relative error " + Math.sqrt(diff / norm));
    }

    /**
     * onednn runs a batch as one pass (minibatch 3, the target convolution with the 3 filters' kernels): image i must
     * get filter i's loss and gradient, untouched by the other images and filters. Held to the plain forward pass
     * (loss) and to nd4j's single-image gradient (another implementation, itself held to finite differences), and
     * to the same engine's one-image pass. nd4j has no batched pass (the interface's loop over images): nothing to test.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"onednn", "onednn-direct", "onednn-winograd"})
    void aBatchGivesEachImageTheLossAndGradientOfItsOwnFilterAlone(String engine) {
        NetworkWeights weights = RandomWeights.create("block2_conv2", 7);
        int[] filters = {5, 0, 127};
        float[][] images = new float[3][];
        float[][] batched = new float[3][3 * W * H];
        for (int b = 0; b < 3; b++) images[b] = toFloat(randomImage(20 + b));
        try (FilterObjective path = Engines.objective(engine, weights);
             FilterObjective independent = Engines.objective("nd4j", weights)) {
            float[] losses = path.lossesAndGradients(images, W, H, filters, batched);
            for (int b = 0; b < 3; b++) {
                double expected = NaiveVgg.loss(weights, toDouble(images[b]), W, H, filters[b]);
                assertTrue(expected > 0, "test needs a live filter");
                assertEquals(expected, losses[b], 1e-4 * expected, "image " + b + ", filter " + filters[b] + " vs the plain pass");
                float[] reference = new float[3 * W * H];
                independent.lossAndGradient(images[b], W, H, filters[b], reference);
                assertTrue(maxAbsDifference(reference, batched[b]) <= 1e-4 * maxAbs(reference),
                        "image " + b + ": gradient differs from nd4j's by " + maxAbsDifference(reference, batched[b]));

                float[] alone = new float[3 * W * H];
                float loss = path.lossAndGradient(images[b], W, H, filters[b], alone);
                assertEquals(loss, losses[b], 1e-5 * loss, "image " + b + ", filter " + filters[b]);
                assertTrue(maxAbs(alone) > 0, "zero gradient: the test proves nothing");
                assertTrue(maxAbsDifference(alone, batched[b]) <= 1e-5 * maxAbs(alone),
                        "image " + b + ": gradient differs by " + maxAbsDifference(alone, batched[b]) + " of " + maxAbs(alone));
            }
        }
    }

    private static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) out[i] = values[i];
        return out;
    }

    private static double centralDifference(NetworkWeights weights, double[] image, int i, int filter, double h) {
        double saved = image[i];
        image[i] = saved + h;
        double up = NaiveVgg.loss(weights, image, W, H, filter);
        image[i] = saved - h;
        double down = NaiveVgg.loss(weights, image, W, H, filter);
        image[i] = saved;
        return (up - down) / (2 * h);
    }
}
