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

import static io.filterviz.testing.Stats.maxAbs;
import static io.filterviz.testing.Stats.maxAbsDifference;
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
    private static final int FILTER = 5;
    private static final Graph GRAPH = Preprocessing.CAFFE.prepend(KerasVgg.graph("vgg16", RandomWeights.create(LAYER, 3)));

    @Test
    void lucidChainsComputeTheImageGradientPlainAndAgreeWithKerasChainsAndTheReference() {
        OnednnModel model = (OnednnModel) new OnednnBackend(Precision.FP32).compile(GRAPH);
        float[] image = image(SIZE);
        Pass keras = Pass.keras(model, image, SIZE), lucid = Pass.lucid(model, image, SIZE);
        float[] reference = new float[image.length];
        double referenceLoss;
        try (FilterObjective objective = new ReferenceBackend().compile(GRAPH).newObjective(LAYER, 1)) {
            referenceLoss = objective.lossAndGradient(image, SIZE, SIZE, FILTER, reference);
        }

        assertTrue(lucid.implementations().stream().anyMatch(impl -> impl.contains("gemm")),
                "the Lucid chain computes the image's gradient plain (gemm): " + lucid.implementations());
        assertFalse(keras.implementations().stream().anyMatch(impl -> impl.contains("gemm")),
                "the Keras chain stays blocked: " + keras.implementations());
        assertTrue(referenceLoss > 0, "a live filter: " + referenceLoss);
        assertEquals(referenceLoss, keras.loss(), 1e-5 * referenceLoss);
        assertEquals(referenceLoss, lucid.loss(), 1e-5 * referenceLoss);
        double scale = maxAbs(reference);
        assertTrue(scale > 0, "a nonzero gradient");
        assertTrue(maxAbsDifference(keras.gradient(), reference) <= 1e-4 * scale,
                "Keras chain against the reference: " + maxAbsDifference(keras.gradient(), reference) / scale);
        assertTrue(maxAbsDifference(lucid.gradient(), reference) <= 1e-4 * scale,
                "Lucid chain against the reference: " + maxAbsDifference(lucid.gradient(), reference) / scale);
    }

    /**
     * At 146 px block1_conv2 has 37 × 37 Winograd tiles, which oneDNN cannot block: Keras chains run it direct, Lucid
     * chains as Winograd on a plane widened to 149 px with zeros. The two agree to Winograd's rounding.
     */
    @Test
    void lucidChainsRunAnUnblockedPlaneAsWinogradOnAWiderOne() {
        Prerequisite.requireCpu(OnednnProbe.winogradOnThisCpu(), "a CPU with AVX-512 (oneDNN's only Winograd)");
        OnednnModel model = (OnednnModel) new OnednnBackend(Precision.FP32).compile(GRAPH);
        int size = 146;
        float[] image = image(size);
        Pass keras = Pass.keras(model, image, size), lucid = Pass.lucid(model, image, size);
        // Winograd: block2_conv1 (73 px, 19 × 19 tiles, blocked by 19) in both, forward and back; block1_conv2 in Lucid's.
        assertEquals(2, keras.implementations().stream().filter(impl -> impl.contains("wino")).count(), keras.implementations().toString());
        assertEquals(4, lucid.implementations().stream().filter(impl -> impl.contains("wino")).count(), lucid.implementations().toString());
        assertTrue(keras.loss() > 0, "a live filter: " + keras.loss());
        assertEquals(keras.loss(), lucid.loss(), 1e-4 * keras.loss());
        double scale = maxAbs(keras.gradient());
        assertTrue(scale > 0, "a nonzero gradient");
        assertTrue(maxAbsDifference(lucid.gradient(), keras.gradient()) <= 1e-4 * scale,
                "Lucid chain against the direct one: " + maxAbsDifference(lucid.gradient(), keras.gradient()) / scale);
    }

    /** One step's loss and image gradient on a fresh objective, and the implementations its chain runs. */
    private record Pass(float loss, float[] gradient, List<String> implementations) {
        static Pass keras(OnednnModel model, float[] image, int size) {
            return run(model, image, size, false);
        }

        static Pass lucid(OnednnModel model, float[] image, int size) {
            return run(model, image, size, true);
        }

        private static Pass run(OnednnModel model, float[] image, int size, boolean lucid) {
            float[] gradient = new float[image.length];
            try (FilterObjective objective = model.newObjective(LAYER, 1)) {
                float loss = lucid
                        ? LucidObjective.of(objective).lossAndGradient(image, size, size, FILTER, gradient, ReluGradient.PLAIN)
                        : objective.lossAndGradient(image, size, size, FILTER, gradient);
                return new Pass(loss, gradient, ((OnednnFilterObjective) objective).implementations());
            }
        }
    }

    private static float[] image(int size) {
        SplittableRandom random = new SplittableRandom(11);
        float[] image = new float[3 * size * size];
        for (int i = 0; i < image.length; i++) image[i] = (float) (random.nextDouble() * 255);
        return image;
    }
}
