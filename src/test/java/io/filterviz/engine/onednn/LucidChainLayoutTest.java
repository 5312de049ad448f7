package io.filterviz.engine.onednn;

import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.Precision;
import io.filterviz.engine.lucid.LucidObjective;
import io.filterviz.engine.lucid.LucidObjective.ReluGradient;
import io.filterviz.engine.reference.ReferenceBackend;
import io.filterviz.model.KerasVgg;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.RandomWeights;
import io.filterviz.model.graph.Graph;
import io.filterviz.testing.Prerequisite;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Lucid recipe's chains keep the 3-channel image, and the caffe preprocessing's 1×1 convolution on it, in plain
 * layout (oneDNN's gemm computes the image's gradient there), while the Keras recipe's chains stay blocked, as its
 * golden renders were made ({@link ChainKind}). Both give the same loss and gradient up to float rounding, and the
 * double-precision reference engine's. Lucid chains also run a plane Winograd cannot block as Winograd on a wider one.
 */
class LucidChainLayoutTest {
    private static final String LAYER = "block2_conv1";
    private static final int SIZE = 40;
    private static final Graph GRAPH = Preprocessing.CAFFE.prepend(KerasVgg.graph("vgg16", RandomWeights.create(LAYER, 3)));

    @Test
    void lucidChainsComputeTheImageGradientPlainAndAgreeWithKerasChainsAndTheReference() {
        OnednnModel model = (OnednnModel) new OnednnBackend(Precision.FP32).compile(GRAPH);
        float[] image = image();
        float[] keras = new float[image.length], lucid = new float[image.length];
        double[] reference = new double[image.length];
        float kerasLoss, lucidLoss;
        List<String> kerasImplementations, lucidImplementations;
        try (FilterObjective objective = model.newObjective(LAYER, 1)) {
            kerasLoss = objective.lossAndGradient(image, SIZE, SIZE, 5, keras);
            kerasImplementations = ((OnednnFilterObjective) objective).implementations();
        }
        try (FilterObjective objective = model.newObjective(LAYER, 1)) {
            lucidLoss = LucidObjective.of(objective).lossAndGradient(image, SIZE, SIZE, 5, lucid, ReluGradient.PLAIN);
            lucidImplementations = ((OnednnFilterObjective) objective).implementations();
        }
        float[] referenceFloat = new float[image.length];
        double referenceLoss;
        try (FilterObjective objective = new ReferenceBackend().compile(GRAPH).newObjective(LAYER, 1)) {
            referenceLoss = objective.lossAndGradient(image, SIZE, SIZE, 5, referenceFloat);
        }
        for (int i = 0; i < image.length; i++) reference[i] = referenceFloat[i];

        assertTrue(lucidImplementations.stream().anyMatch(impl -> impl.contains("gemm")),
                "the Lucid chain computes the image's gradient plain (gemm): " + lucidImplementations);
        assertFalse(kerasImplementations.stream().anyMatch(impl -> impl.contains("gemm")),
                "the Keras chain stays blocked: " + kerasImplementations);
        assertTrue(referenceLoss > 0, "a live filter: " + referenceLoss);
        assertEquals(referenceLoss, kerasLoss, 1e-5 * referenceLoss);
        assertEquals(referenceLoss, lucidLoss, 1e-5 * referenceLoss);
        double scale = maxAbs(reference);
        assertTrue(scale > 0, "a nonzero gradient");
        assertTrue(maxDiff(keras, reference) <= 1e-4 * scale, "Keras chain against the reference: " + maxDiff(keras, reference) / scale);
        assertTrue(maxDiff(lucid, reference) <= 1e-4 * scale, "Lucid chain against the reference: " + maxDiff(lucid, reference) / scale);
    }

    /**
     * At 146 px block1_conv2 has 37 × 37 Winograd tiles, which oneDNN cannot block: Keras chains run it direct, Lucid
     * chains as Winograd on a plane widened to 149 px with zeros. The two agree to Winograd's rounding.
     */
    @Test
    void lucidChainsRunAnUnblockedPlaneAsWinogradOnAWiderOne() {
        Prerequisite.require(OnednnProbe.winogradOnThisCpu(), "a CPU with AVX-512 (oneDNN's only Winograd)");
        OnednnModel model = (OnednnModel) new OnednnBackend(Precision.FP32).compile(GRAPH);
        int size = 146;
        float[] image = image(size);
        float[] keras = new float[image.length], lucid = new float[image.length];
        float kerasLoss, lucidLoss;
        List<String> kerasImplementations, lucidImplementations;
        try (FilterObjective objective = model.newObjective(LAYER, 1)) {
            kerasLoss = objective.lossAndGradient(image, size, size, 5, keras);
            kerasImplementations = ((OnednnFilterObjective) objective).implementations();
        }
        try (FilterObjective objective = model.newObjective(LAYER, 1)) {
            lucidLoss = LucidObjective.of(objective).lossAndGradient(image, size, size, 5, lucid, ReluGradient.PLAIN);
            lucidImplementations = ((OnednnFilterObjective) objective).implementations();
        }
        // Winograd: block2_conv1 (73 px, 19 × 19 tiles, blocked by 19) in both, forward and back; block1_conv2 in Lucid's.
        assertEquals(2, kerasImplementations.stream().filter(impl -> impl.contains("wino")).count(), kerasImplementations.toString());
        assertEquals(4, lucidImplementations.stream().filter(impl -> impl.contains("wino")).count(), lucidImplementations.toString());
        assertTrue(kerasLoss > 0, "a live filter: " + kerasLoss);
        assertEquals(kerasLoss, lucidLoss, 1e-4 * kerasLoss);
        double[] direct = new double[keras.length];
        for (int i = 0; i < keras.length; i++) direct[i] = keras[i];
        double scale = maxAbs(direct);
        assertTrue(scale > 0, "a nonzero gradient");
        assertTrue(maxDiff(lucid, direct) <= 1e-4 * scale, "Lucid chain against the direct one: " + maxDiff(lucid, direct) / scale);
    }

    private static float[] image() {
        return image(SIZE);
    }

    private static float[] image(int size) {
        SplittableRandom random = new SplittableRandom(11);
        float[] image = new float[3 * size * size];
        for (int i = 0; i < image.length; i++) image[i] = (float) (random.nextDouble() * 255);
        return image;
    }

    private static double maxAbs(double[] values) {
        double max = 0;
        for (double v : values) max = Math.max(max, Math.abs(v));
        return max;
    }

    private static double maxDiff(float[] a, double[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        return max;
    }
}
