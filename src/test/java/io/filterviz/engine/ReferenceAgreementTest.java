package io.filterviz.engine;

import io.filterviz.engine.nd4j.Nd4jGradientPath;
import io.filterviz.model.ConvWeights;
import io.filterviz.model.NetworkWeights;
import io.filterviz.model.RandomWeights;
import io.filterviz.testing.Dl4jReferencePath;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fast path against DL4J's own network and backprop: same losses, same input gradients. */
class ReferenceAgreementTest {
    private static NetworkWeights weights(String target, long seed) {
        NetworkWeights weights = RandomWeights.create(target, seed);
        SplittableRandom random = new SplittableRandom(seed + 1);
        for (ConvWeights c : weights.convs().values()) {
            for (int i = 0; i < c.bias().length; i++) c.bias()[i] = (float) (random.nextDouble() - 0.5) * 0.2f;
        }
        return weights;
    }

    @Test
    void inputGradientMatchesDl4jBackprop() {
        NetworkWeights weights = weights("block3_conv1", 8);
        int w = 23, h = 18;
        SplittableRandom random = new SplittableRandom(4);
        float[] image = new float[3 * w * h];
        for (int i = 0; i < image.length; i++) image[i] = (float) ((random.nextDouble() - 0.5) * 20 + 128);
        try (Nd4jGradientPath fast = new Nd4jGradientPath(weights); Dl4jReferencePath reference = new Dl4jReferencePath(weights)) {
            int compared = 0;
            for (int filter = 0; filter < 256 && compared < 4; filter += 17) {
                float[] g1 = new float[image.length], g2 = new float[image.length];
                float l1 = fast.lossAndGradient(image, w, h, filter, g1);
                float l2 = reference.lossAndGradient(image, w, h, filter, g2);
                assertEquals(l2, l1, 1e-4 * Math.max(l2, 1e-3), "loss of filter " + filter);
                if (l2 == 0) continue; // a dead filter has no gradient to compare
                compared++;
                double diff = 0, norm = 0;
                for (int i = 0; i < g1.length; i++) {
                    diff += (g1[i] - g2[i]) * (double) (g1[i] - g2[i]);
                    norm += g2[i] * (double) g2[i];
                }
                assertTrue(norm > 0);
                assertTrue(Math.sqrt(diff / norm) < 1e-4, "filter " + filter + ": relative error " + Math.sqrt(diff / norm));
            }
            assertEquals(4, compared, "too few live filters to compare");
        }
    }

    /**
     * A whole ascent at one size. (Across sizes the 8-bit deprocess step makes agreement ill-posed: a 1e−7
     * difference can move a pixel across a rounding boundary, and the ascent then amplifies it.)
     */
    @Test
    void wholeAscentGivesTheSameLosses() {
        NetworkWeights weights = weights("block3_conv1", 12);
        AscentSettings settings = new AscentSettings(1.0, 10, 1, 1.2, 48, 40, 42);
        try (Nd4jGradientPath fast = new Nd4jGradientPath(weights); Dl4jReferencePath reference = new Dl4jReferencePath(weights)) {
            for (int filter : new int[]{3, 30}) {
                FilterOutcome a = new FilterRenderer(fast, settings, "block3_conv1").render(filter);
                FilterOutcome b = new FilterRenderer(reference, settings, "block3_conv1").render(filter);
                assertFalse(b.dead());
                assertEquals(b.loss(), a.loss(), 1e-4 * Math.abs(b.loss()), "filter " + filter);
            }
        }
    }
}
