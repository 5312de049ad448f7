package io.filterviz.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What changes with the network beyond VGG16: the early exit only where the target cannot be negative, grey
 * (one-channel) images, and one fixed input size. The objective here is plain Java (a weighted mean of the image,
 * minus a bias), so every call can be checked.
 */
class RenderTargetsTest {
    private static final AscentSettings SMALL = new AscentSettings(1.0, 4, 3, 1.2, 40, 40, 7);

    /** loss = mean over pixels of (weights · image) − bias; records the size and length of every image it sees. */
    private static final class Linear implements FilterObjective {
        final double bias;
        final List<String> calls = new ArrayList<>();
        final List<Float> losses = new ArrayList<>();

        Linear(double bias) { this.bias = bias; }

        @Override
        public float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient) {
            calls.add(width + "x" + height + ":" + image.length);
            double sum = 0;
            for (int i = 0; i < image.length; i++) {
                double w = ((i * 7) % 5) - 2; // some pixels pull up, some down
                sum += w * image[i];
                gradient[i] = (float) (w / image.length);
            }
            float loss = (float) (sum / image.length - bias);
            losses.add(loss);
            return loss;
        }

        @Override
        public int filters() { return 1; }
    }

    @Test
    void aNegativeLossEndsTheAscentOnlyWhereTheTargetCannotBeNegative() {
        Linear withExit = new Linear(1e6);
        RenderedFilter dead = new FilterRenderer(withExit, SMALL, SMALL.schedule(), "relu", 3, true).render(0);
        assertTrue(dead.dead());
        assertEquals(1, withExit.calls.size());

        Linear logit = new Linear(1e6);
        RenderedFilter alive = new FilterRenderer(logit, SMALL, SMALL.schedule(), "logits", 3, false).render(0);
        assertFalse(alive.dead(), "a negative logit is a value like any other");
        assertEquals(3 * 4, logit.calls.size(), "every step of every size ran");
        assertTrue(alive.loss() < 0);
        assertEquals(40, alive.image().width());
        for (int i = 1; i < 4; i++) assertTrue(logit.losses.get(i) > logit.losses.get(i - 1), logit.losses.toString());
    }

    @Test
    void aGreyNetworkAscendsAOneChannelImageAndGetsAGreyPicture() {
        Linear grey = new Linear(0);
        RenderedFilter rendered = new FilterRenderer(grey, SMALL, SMALL.schedule(), "conv", 1, false).render(2);
        int first = SMALL.schedule().start().width() * SMALL.schedule().start().height();
        assertEquals(SMALL.schedule().start() + ":" + first, grey.calls.get(0));
        assertEquals(1, rendered.image().channels());
        assertEquals(40 * 40, rendered.image().buffer().length);
    }

    @Test
    void aFixedSizeNetworkIsOptimisedAtItsSizeOnlyThenResizedToTheOutput() {
        Linear fixed = new Linear(0);
        AscentSettings settings = SMALL.withOutput(56, 56);
        UpscalingSchedule schedule = settings.schedule(28, 28);
        RenderedFilter rendered = new FilterRenderer(fixed, settings, schedule, "logits", 1, false).render(1);
        assertEquals(12, fixed.calls.size());
        assertTrue(fixed.calls.stream().allMatch(c -> c.equals("28x28:784")), fixed.calls.toString());
        assertEquals(56, rendered.image().width());
        assertEquals(settings.schedule(), settings.schedule(0, 0), "a free-size network keeps the upscaling schedule");
    }
}
