package io.filterviz.engine.lucid;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.Precision;
import io.filterviz.engine.RenderedFilter;
import io.filterviz.engine.onednn.OnednnBackend;
import io.filterviz.engine.reference.ReferenceObjective;
import io.filterviz.image.RgbImage;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.onnx.OnnxLoader;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 19's test of pictures people can read: on the trained Fashion-MNIST CNN (src/test/resources/models), the Lucid
 * recipe at the preset's full defaults (Adam 0.05, 512 steps, init sd 0.01, decay 1, the standard transforms scaled to
 * 28 px, 17 redirected-ReLU steps) at the model's own size (28 × 28, one grey channel) renders one picture per logit,
 * and the network itself classifies each picture as its own class, at least 9 of 10.
 *
 * <p>The oracle is the network, not the renderer: each picture is read back as the 8-bit grey values that are
 * written (0–255, what the preset's output is), fed through the model's preprocessing from its fixture JSON (unit:
 * x / 255) on the reference engine (double precision, not the oneDNN engine that rendered), and its class is the
 * argmax of the 10 logits.
 */
class LucidClassPicturesTest {
    private static final Path MODELS = Path.of("src/test/resources/models");
    private static final int CLASSES = 10;

    @Test
    void theNetworkClassifiesAtLeastNineOfItsTenClassPicturesAsTheirOwnClass() throws IOException {
        String preprocess = new ObjectMapper().readTree(MODELS.resolve("fashion_mnist_cnn.json").toFile())
                .get("preprocess").asText();
        assertEquals("unit", preprocess, "the fixture's preprocessing");
        Graph network = Preprocessing.parse(preprocess).prepend(OnnxLoader.load(MODELS.resolve("fashion_mnist_cnn.onnx")));
        assertEquals(1, network.inputChannels());
        assertEquals(28, network.fixedWidth());
        assertEquals(28, network.fixedHeight());

        LucidSettings d = LucidSettings.defaults();
        LucidSettings settings = new LucidSettings(d.learningRate(), d.steps(), d.initSd(), d.fftDecay(), d.transforms(),
                28, 28, 1, d.seed(), d.redirectedReluSteps());
        assertEquals(512, settings.steps());
        assertEquals(17, settings.redirectedReluSteps());
        assertEquals(LucidSettings.Transforms.STANDARD, settings.transforms());

        List<RgbImage> pictures = new ArrayList<>();
        long start = System.nanoTime();
        // One thread: a step of this network is ~50 MFLOP, and two OpenMP threads on a loaded 2-core machine wait on
        // each other at every primitive (measured at load 9: 44–63 s a picture with 2 threads, 0.4–0.7 s with 1).
        try (FilterObjective objective = new OnednnBackend(Precision.FP32).compile(network).newObjective("logits", 1)) {
            LucidRenderer renderer = new LucidRenderer(fixedSize(LucidObjective.of(objective), 28, 28), settings, "logits", false);
            for (int k = 0; k < CLASSES; k++) {
                RenderedFilter rendered = renderer.render(k);
                assertFalse(rendered.dead(), "a logit always gets its picture");
                pictures.add(rendered.image());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        ReferenceObjective network0 = new ReferenceObjective(network, "logits");
        int own = 0;
        StringBuilder report = new StringBuilder();
        for (int k = 0; k < CLASSES; k++) {
            float[] logits = logits(network0, pictures.get(k));
            int predicted = argmax(logits);
            if (predicted == k) own++;
            report.append(String.format(Locale.ROOT, "%nclass %d -> %d (logit %.2f, best other %.2f)", k, predicted,
                    logits[k], bestOther(logits, k)));
        }
        System.out.printf(Locale.ROOT, "lucid class pictures: %d of %d classified as their own class, rendered in %.1f s%s%n",
                own, CLASSES, seconds, report);
        assertTrue(own >= 9, own + " of 10 class pictures are their own class:" + report);
    }

    /**
     * A fixed-size network behind the transforms, as Lucent's {@code fixed_image_size}: whatever size the step's
     * transforms leave is resized (bilinear, half-pixel centres) to the network's own, and the gradient comes back
     * through the resize's adjoint. The same as appending that resize to the step's transform chain, which is what
     * the preset's renderer does for a fixed-size model (branch issue19: LucidRenderer's networkWidth/networkHeight;
     * once merged, this wrapper can give way to that constructor).
     */
    private static LucidObjective fixedSize(LucidObjective objective, int width, int height) {
        return (image, w, h, filter, gradient, relu) -> {
            if (w == width && h == height) return objective.lossAndGradient(image, w, h, filter, gradient, relu);
            BilinearResize resize = new BilinearResize(h, w, height, width);
            double[] in = new double[image.length];
            for (int i = 0; i < in.length; i++) in[i] = image[i];
            double[] out = new double[width * height];
            resize.apply(in, out, 1);
            float[] seen = new float[out.length];
            for (int i = 0; i < out.length; i++) seen[i] = (float) out[i];
            float[] seenGradient = new float[seen.length];
            float loss = objective.lossAndGradient(seen, width, height, filter, seenGradient, relu);
            double[] back = new double[seenGradient.length];
            for (int i = 0; i < back.length; i++) back[i] = seenGradient[i];
            double[] inGradient = new double[image.length];
            resize.adjoint(back, inGradient, 1);
            for (int i = 0; i < inGradient.length; i++) gradient[i] = (float) inGradient[i];
            return loss;
        };
    }

    /** The 10 logits of a picture as written: its grey bytes as pixel values 0–255 (the graph does the x / 255). */
    private static float[] logits(ReferenceObjective network, RgbImage picture) {
        assertEquals(28, picture.width());
        float[] pixels = new float[28 * 28];
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                assertEquals(picture.get(x, y, 0), picture.get(x, y, 2), "a grey network's picture is grey");
                pixels[y * 28 + x] = picture.get(x, y, 0);
            }
        }
        float[] logits = new float[CLASSES];
        float[] unused = new float[pixels.length];
        for (int k = 0; k < CLASSES; k++) logits[k] = network.lossAndGradient(pixels, 28, 28, k, unused);
        return logits;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    private static float bestOther(float[] v, int k) {
        float best = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < v.length; i++) if (i != k) best = Math.max(best, v[i]);
        return best;
    }
}
