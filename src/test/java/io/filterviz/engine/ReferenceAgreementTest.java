package io.filterviz.engine;

import io.filterviz.testing.Engines;
import io.filterviz.model.ConvWeights;
import io.filterviz.model.NetworkWeights;
import io.filterviz.model.RandomWeights;
import io.filterviz.testing.Dl4jReferenceObjective;
import io.filterviz.testing.Stats;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /**
     * How closely each path must agree with DL4J: 1e-4 (relative L2 error of the input gradient, relative loss
     * error), Winograd included. Measured 2026-11-29 on these images: direct convolutions (nd4j, onednn) 2.6e-7 to
     * 8.3e-7; Winograd F(4×4, 3×3) in every layer at once ("onednn-winograd", more than the default uses) 1.2e-6
     * to 1.8e-6, twice direct's rounding (its tile transforms have constants up to 8) and still 50× inside.
     */
    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nd4j", "onednn", "onednn-winograd"})
    void inputGradientMatchesDl4jBackprop(String engine) {
        NetworkWeights weights = weights("block3_conv1", 8);
        int w = 23, h = 18;
        SplittableRandom random = new SplittableRandom(4);
        float[] image = new float[3 * w * h];
        for (int i = 0; i < image.length; i++) image[i] = (float) ((random.nextDouble() - 0.5) * 20 + 128);
        try (FilterObjective fast = Engines.objective(engine, weights); Dl4jReferenceObjective reference = new Dl4jReferenceObjective(weights)) {
            int compared = 0;
            for (int filter = 0; filter < 256 && compared < 4; filter += 17) {
                float[] g1 = new float[image.length], g2 = new float[image.length];
                float l1 = fast.lossAndGradient(image, w, h, filter, g1);
                float l2 = reference.lossAndGradient(image, w, h, filter, g2);
                assertEquals(l2, l1, TOLERANCE * Math.max(l2, 1e-3), "loss of filter " + filter);
                if (l2 == 0) continue; // a dead filter has no gradient to compare
                compared++;
                double diff = 0, norm = 0;
                for (int i = 0; i < g1.length; i++) {
                    diff += (g1[i] - g2[i]) * (double) (g1[i] - g2[i]);
                    norm += g2[i] * (double) g2[i];
                }
                assertTrue(norm > 0);
                assertTrue(Math.sqrt(diff / norm) < TOLERANCE, "filter " + filter + ": relative error " + Math.sqrt(diff / norm));
            }
            assertEquals(4, compared, "too few live filters to compare");
        }
    }

    /**
     * A whole ascent, two sizes with the deprocess/upscale between them: at every step the reference evaluates the
     * very image the fast path is optimising, so the comparison is not blurred by two trajectories drifting apart
     * (float32 sums in a different order would flip a pixel's 8-bit value sooner or later, and ascent amplifies it).
     * Losses must agree at every step. Gradients must agree at most steps: where the ascent has pushed some unit's
     * pre-activation to within float32 rounding of 0 (or, after the 8-bit round trip, made exact max-pool ties),
     * float32 and double legitimately take different sides of the kink, and that one unit's share of the gradient
     * differs. That is tested as such: the median step agrees to 1e-4; a step that does not is an event (at most a
     * quarter of the steps), and its difference is confined to part of the image, the receptive field of the
     * flipped units (block1 units see 5 px, block3's up to 40: measured, at most 7.6 % of the pixels differed at
     * such a step), never spread over the whole image as a wrong computation would be.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nd4j", "onednn", "onednn-winograd"})
    void everyStepOfAWholeAscentAgrees(String engine) {
        NetworkWeights weights = weights("block3_conv1", 12);
        AscentSettings settings = new AscentSettings(1.0, 5, 2, 1.2, 48, 40, 42);
        try (FilterObjective fast = Engines.objective(engine, weights); Dl4jReferenceObjective reference = new Dl4jReferenceObjective(weights)) {
            for (int filter : new int[]{3, 30}) {
                Comparing both = new Comparing(fast, reference);
                RenderedFilter rendered = new FilterRenderer(both, settings, "block3_conv1").render(filter);
                assertFalse(rendered.dead());
                assertEquals(10, both.steps, "filter " + filter);
                assertTrue(both.worstLoss < TOLERANCE, "filter " + filter + ": loss error " + both.worstLoss);
                double[] errors = both.gradientErrors.stream().mapToDouble(Double::doubleValue).toArray();
                assertTrue(Stats.median(errors) < TOLERANCE, "filter " + filter + ": gradient errors " + both.gradientErrors);
                int flipped = 0;
                for (int step = 0; step < both.steps; step++) {
                    if (both.gradientErrors.get(step) < TOLERANCE) continue;
                    flipped++;
                    double share = both.differingPixelShare.get(step);
                    assertTrue(share < 0.25, "filter " + filter + " step " + step + ": gradient error "
                            + both.gradientErrors.get(step) + " spread over " + share * 100 + " % of the pixels");
                }
                assertTrue(flipped <= both.steps / 4, "filter " + filter + ": " + flipped + " steps disagree: "
                        + both.gradientErrors);
            }
        }
    }

    /** Runs both paths on each image; the renderer follows the fast one. */
    private static final class Comparing implements FilterObjective {
        final FilterObjective fast, reference;
        final java.util.List<Double> gradientErrors = new java.util.ArrayList<>();
        /** Per step: the share of pixels whose gradient differs by more than 1e-4 of the largest one. */
        final java.util.List<Double> differingPixelShare = new java.util.ArrayList<>();
        int steps;
        double worstLoss;

        Comparing(FilterObjective fast, FilterObjective reference) {
            this.fast = fast;
            this.reference = reference;
        }

        @Override
        public float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient) {
            float[] expected = new float[gradient.length];
            float want = reference.lossAndGradient(image, width, height, filter, expected);
            float got = fast.lossAndGradient(image, width, height, filter, gradient);
            double diff = 0, norm = 0, largest = 0;
            for (int i = 0; i < gradient.length; i++) {
                diff += (gradient[i] - expected[i]) * (double) (gradient[i] - expected[i]);
                norm += expected[i] * (double) expected[i];
                largest = Math.max(largest, Math.abs(expected[i]));
            }
            int plane = width * height, differing = 0;
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < 3; c++) {
                    if (Math.abs(gradient[c * plane + p] - expected[c * plane + p]) > 1e-4 * largest) {
                        differing++;
                        break;
                    }
                }
            }
            differingPixelShare.add((double) differing / plane);
            worstLoss = Math.max(worstLoss, Math.abs(got - want) / Math.max(Math.abs(want), 1e-6));
            gradientErrors.add(norm == 0 ? 0 : Math.sqrt(diff / norm));
            steps++;
            return got;
        }

        @Override
        public int filters() { return fast.filters(); }
    }
}
