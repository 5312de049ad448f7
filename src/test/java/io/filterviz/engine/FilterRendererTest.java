package io.filterviz.engine;

import io.filterviz.engine.nd4j.Nd4jFilterObjective;
import io.filterviz.model.ConvWeights;
import io.filterviz.model.NetworkWeights;
import io.filterviz.model.RandomWeights;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilterRendererTest {
    private static final AscentSettings SMALL = new AscentSettings(1.0, 5, 2, 1.2, 64, 64, 42);

    /** Records every loss the renderer asked for. */
    private static final class Recording implements FilterObjective {
        final FilterObjective inner;
        final List<Float> losses = new ArrayList<>();

        Recording(FilterObjective inner) { this.inner = inner; }

        @Override
        public float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient) {
            float loss = inner.lossAndGradient(image, width, height, filter, gradient);
            losses.add(loss);
            return loss;
        }

        @Override
        public int filters() { return inner.filters(); }
    }

    @Test
    void ascentRaisesALiveFiltersLossOnRandomVgg16() {
        NetworkWeights weights = RandomWeights.create("block5_conv1", 42);
        try (Nd4jFilterObjective nd4j = new Nd4jFilterObjective(weights)) {
            Recording recording = new Recording(nd4j);
            RenderedFilter rendered = new FilterRenderer(recording, SMALL, "block5_conv1").render(3);
            assertFalse(rendered.dead());
            assertEquals(10, recording.losses.size()); // 2 sizes × 5 epochs
            // Within each size every step climbs. Between sizes the loss drops: like the Keras example, the image comes back
            // from the upscale on the deprocessed scale (around [0, 1]) rather than around 128.
            for (int i = 1; i < 10; i++) {
                if (i == 5) continue;
                assertTrue(recording.losses.get(i) > recording.losses.get(i - 1), "step " + i + ": " + recording.losses);
            }
            assertTrue(rendered.loss() > 2 * recording.losses.get(5), recording.losses.toString());
            assertEquals(64, rendered.image().width());
            assertEquals(64, rendered.image().height());
        }
    }

    @Test
    void aStepAddsTheGradientDividedByItsRms() {
        // g = (3, −4, 0, 0): mean(g²) = 25/4, RMS 2.5; step 2 moves the image by 2/2.5 = 0.8 of g.
        double[] image = {1, 1, 1, 1};
        FilterRenderer.ascend(image, new float[]{3, -4, 0, 0}, 2.0);
        assertArrayEquals(new double[]{1 + 2.4, 1 - 3.2, 1, 1}, image, 1e-6);
        // A zero gradient (a filter about to be declared dead) moves nothing instead of dividing by zero.
        double[] still = {5, 6};
        FilterRenderer.ascend(still, new float[]{0, 0}, 1.0);
        assertArrayEquals(new double[]{5, 6}, still);
    }

    @Test
    void aFilterThatNeverFiresIsDeadAfterOneStep() {
        NetworkWeights weights = RandomWeights.create("block2_conv1", 1);
        ConvWeights target = weights.conv("block2_conv1");
        target.bias()[7] = -1e9f; // ReLU(anything − 1e9) = 0 everywhere
        try (Nd4jFilterObjective nd4j = new Nd4jFilterObjective(weights)) {
            Recording recording = new Recording(nd4j);
            RenderedFilter rendered = new FilterRenderer(recording, SMALL, "block2_conv1").render(7);
            assertTrue(rendered.dead());
            assertNull(rendered.image());
            assertEquals(0f, rendered.loss());
            assertEquals(1, recording.losses.size(), "a dead filter stops at once");
        }
    }

    @Test
    void theSameFilterGivesTheSamePicture() {
        NetworkWeights weights = RandomWeights.create("block3_conv1", 9);
        try (Nd4jFilterObjective a = new Nd4jFilterObjective(weights); Nd4jFilterObjective b = new Nd4jFilterObjective(weights)) {
            RenderedFilter first = new FilterRenderer(a, SMALL, "block3_conv1").render(5);
            new FilterRenderer(b, SMALL, "block3_conv1").render(6); // another filter in between changes nothing
            RenderedFilter again = new FilterRenderer(b, SMALL, "block3_conv1").render(5);
            assertEquals(first.loss(), again.loss());
            assertEquals(first.image(), again.image());
        }
    }
}
