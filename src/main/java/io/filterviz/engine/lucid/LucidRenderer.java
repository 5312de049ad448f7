package io.filterviz.engine.lucid;

import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.RenderLoop;
import io.filterviz.engine.RenderedFilter;
import io.filterviz.engine.StartImage;
import io.filterviz.image.Deprocess;
import io.filterviz.image.RgbImage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The Lucid recipe's render loop, beside the Keras example's {@link io.filterviz.engine.FilterRenderer}: at each step
 * the Fourier parameters make an image, the step's transforms move it, the network scores it (the target's mean,
 * pixel values 0–255), and the gradient goes back through the transforms and the parameterisation to Adam, which
 * climbs. No early exit. The loss reported is the objective on the final image without transforms. Where the target
 * cannot be negative (after a ReLU, as in VGG16), a filter whose loss is then still ≤ 1e−7 (the Keras recipe's
 * threshold) is dead; elsewhere (a logit) every filter gets its picture. The picture is the final image × 255,
 * truncated.
 *
 * <p>Reproducible: the spectrum is drawn from (seed, layer, filter) and step t's transforms from (seed, layer, filter,
 * t), so a filter's picture never depends on partitioning or task order.
 */
public final class LucidRenderer implements RenderLoop {
    static final double PIXEL_SCALE = 255;

    private final LucidObjective objective;
    private final LucidSettings settings;
    private final String layer;
    private final boolean deadAtZero;
    private final int networkWidth;
    private final int networkHeight;

    /**
     * The lucid preset's loops.
     *
     * @param networkWidth  a network of one fixed input size: its width (it sees every image resized to that size,
     *                      bilinear, as Lucent's {@code fixed_image_size}); 0: any size
     * @param networkHeight its height, 0 with {@code networkWidth}
     */
    public record Loops(LucidSettings settings, int networkWidth, int networkHeight) implements RenderLoop.Factory {
        private static final long serialVersionUID = 1L;

        @Override
        public RenderLoop forLayer(FilterObjective objective, String layer, boolean earlyExit) {
            return new LucidRenderer(LucidObjective.of(objective), settings, layer, earlyExit, networkWidth, networkHeight);
        }
    }

    /**
     * VGG's case: a target after a ReLU, so a loss still ≤ 1e−7 at the end means dead. The objective's redirected
     * ReLU gradient is used if it has one ({@link LucidObjective#of}); if it has none, a redirected step fails.
     */
    public LucidRenderer(FilterObjective objective, LucidSettings settings, String layer) {
        this(LucidObjective.of(objective), settings, layer, true);
    }

    /** @param deadAtZero whether a final loss ≤ 1e−7 means a dead filter: only where the target cannot be negative */
    public LucidRenderer(LucidObjective objective, LucidSettings settings, String layer, boolean deadAtZero) {
        this(objective, settings, layer, deadAtZero, 0, 0);
    }

    /**
     * @param networkWidth  a fixed-size network's input width: what the transforms leave (or the untransformed image)
     *                      is resized to it, bilinear, before the network; 0 for a network of any input size
     * @param networkHeight its input height (0 with {@code networkWidth})
     */
    public LucidRenderer(LucidObjective objective, LucidSettings settings, String layer, boolean deadAtZero,
                         int networkWidth, int networkHeight) {
        this.objective = objective;
        this.settings = settings;
        this.layer = layer;
        this.deadAtZero = deadAtZero;
        this.networkWidth = networkWidth;
        this.networkHeight = networkHeight;
    }

    @Override
    public RenderedFilter render(int filter) {
        long start = System.nanoTime();
        int width = settings.outputWidth();
        int height = settings.outputHeight();
        int channels = settings.channels();
        long filterSeed = StartImage.mix(settings.seed(), layer, filter);
        FourierImage fourier = FourierImage.create(channels, width, height, settings.initSd(), settings.fftDecay(),
                new SplittableRandom(filterSeed));
        double[] parameters = fourier.parameters();
        double[] parameterGradient = new double[parameters.length];
        Adam adam = new Adam(parameters.length, settings.learningRate());
        double[] image = new double[channels * height * width];
        TransformChain.Workspace workspace = new TransformChain.Workspace();
        Buffers buffers = new Buffers();
        for (int step = 0; step < settings.steps(); step++) {
            fourier.render(image);
            TransformChain chain = toNetwork(transforms(filterSeed, step, height, width));
            double[] seen = chain.apply(image, channels, workspace);
            int length = channels * chain.outHeight() * chain.outWidth();
            float[] input = buffers.input(length);
            float[] gradient = buffers.gradient(length);
            for (int i = 0; i < length; i++) input[i] = (float) (seen[i] * PIXEL_SCALE);
            LucidObjective.ReluGradient relu = step < settings.redirectedReluSteps()
                    ? LucidObjective.ReluGradient.REDIRECTED : LucidObjective.ReluGradient.PLAIN;
            objective.lossAndGradient(input, chain.outWidth(), chain.outHeight(), filter, gradient, relu);
            double[] seenGradient = buffers.seenGradient(length);
            for (int i = 0; i < length; i++) seenGradient[i] = gradient[i] * PIXEL_SCALE;
            fourier.backward(chain.adjoint(seenGradient, channels, workspace), parameterGradient);
            adam.ascend(parameters, parameterGradient);
        }
        fourier.render(image);
        TransformChain whole = toNetwork(TransformChain.identity(height, width));
        double[] seen = whole.apply(image, channels, workspace);
        int length = channels * whole.outHeight() * whole.outWidth();
        float[] input = buffers.input(length);
        for (int i = 0; i < length; i++) input[i] = (float) (seen[i] * PIXEL_SCALE);
        float loss = objective.lossAndGradient(input, whole.outWidth(), whole.outHeight(), filter, buffers.gradient(length),
                LucidObjective.ReluGradient.PLAIN);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (deadAtZero && loss <= Deprocess.EPSILON) return RenderedFilter.dead(filter, loss, seconds);
        return new RenderedFilter(filter, loss, seconds, false, picture(image, channels, width, height));
    }

    private TransformChain transforms(long filterSeed, int step, int height, int width) {
        if (settings.transforms() == LucidSettings.Transforms.NONE) return TransformChain.identity(height, width);
        return StandardTransforms.draw(new SplittableRandom(StartImage.mix(filterSeed, "transforms", step)), height, width);
    }

    /** The chain, then a resize to a fixed-size network's input when what it leaves is another size. */
    private TransformChain toNetwork(TransformChain chain) {
        if (networkWidth <= 0 || (chain.outWidth() == networkWidth && chain.outHeight() == networkHeight)) return chain;
        List<ImageTransform> all = new ArrayList<>(chain.transforms());
        all.add(new BilinearResize(chain.outHeight(), chain.outWidth(), networkHeight, networkWidth));
        return new TransformChain(height(), width(), all);
    }

    private int width() { return settings.outputWidth(); }

    private int height() { return settings.outputHeight(); }

    /**
     * Channels-first (0, 1) values × 255, truncated as numpy's astype(uint8); one channel is a grey picture, as the
     * Keras recipe writes a grey network's.
     */
    static RgbImage picture(double[] image, int channels, int width, int height) {
        int plane = width * height;
        byte[] pixels = new byte[channels * plane];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < channels; c++) {
                double v = image[c * plane + p];
                pixels[p * channels + c] = (byte) (int) (Math.min(1.0, Math.max(0.0, v)) * PIXEL_SCALE);
            }
        }
        return new RgbImage(width, height, channels, pixels);
    }

    /** The network's input and gradient arrays, one pair per length (the standard transforms draw 11 sizes). */
    private static final class Buffers {
        private final Map<Integer, float[]> inputs = new HashMap<>();
        private final Map<Integer, float[]> gradients = new HashMap<>();
        private double[] seenGradient = new double[0];

        float[] input(int length) { return inputs.computeIfAbsent(length, float[]::new); }

        float[] gradient(int length) { return gradients.computeIfAbsent(length, float[]::new); }

        double[] seenGradient(int length) {
            if (seenGradient.length < length) seenGradient = new double[length];
            return seenGradient;
        }
    }
}
