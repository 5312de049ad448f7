package io.filterviz.engine;

import io.filterviz.engine.nd4j.Nd4jFilterObjective;
import io.filterviz.model.ConvWeights;
import io.filterviz.model.NetworkWeights;
import io.filterviz.model.RandomWeights;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

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
            Recording path = new Recording(nd4j);
            RenderedFilter outcome = new FilterRenderer(path, SMALL, "block5_conv1").render(3);
            assertFalse(outcome.dead());
            assertEquals(10, path.losses.size()); // 2 sizes × 5 epochs
            // Within each size every step climbs. Between sizes the loss drops: like the seed, the image comes back
            // from the upscale on the deprocessed scale (around [0, 1]) rather than around 128.
            for (int i = 1; i < 10; i++) {
                if (i == 5) continue;
                assertTrue(path.losses.get(i) > path.losses.get(i - 1), "step " + i + ": " + path.losses);
            }
            assertTrue(outcome.loss() > 2 * path.losses.get(5), path.losses.toString());
            assertEquals(64, outcome.image().width());
            assertEquals(64, outcome.image().height());
        }
    }

    @Test
    void aFilterThatNeverFiresIsDeadAfterOneStep() {
        NetworkWeights weights = RandomWeights.create("block2_conv1", 1);
        ConvWeights target = weights.conv("block2_conv1");
        target.bias()[7] = -1e9f; // ReLU(anything − 1e9) = 0 everywhere
        try (Nd4jFilterObjective nd4j = new Nd4jFilterObjective(weights)) {
            Recording path = new Recording(nd4j);
            RenderedFilter outcome = new FilterRenderer(path, SMALL, "block2_conv1").render(7);
            assertTrue(outcome.dead());
            assertNull(outcome.image());
            assertEquals(0f, outcome.loss());
            assertEquals(1, path.losses.size(), "a dead filter stops at once");
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
