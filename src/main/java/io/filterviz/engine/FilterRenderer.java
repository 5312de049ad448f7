package io.filterviz.engine;

import io.filterviz.image.BicubicResize;
import io.filterviz.image.Deprocess;
import io.filterviz.image.RgbImage;

/**
 * The Keras example's {@code _generate_filter_image}: gradient ascent on the filter's mean activation (or a unit's
 * value) at every size of the upscaling schedule, the gradient divided by its RMS; deprocess, bicubic upscale and
 * process between sizes. Where the target cannot be negative by construction ({@code earlyExit}: after a ReLU, as in
 * VGG16), a filter whose loss is ≤ 1e−7 at any step is dead and stops at once; elsewhere (a raw convolution, a
 * logit) a loss ≤ 0 is a value like any other and the ascent goes on (docs/algorithm.md).
 */
public final class FilterRenderer implements RenderLoop {
    private final FilterObjective objective;
    private final AscentSettings settings;
    private final UpscalingSchedule schedule;
    private final String layer;
    private final int channels;
    private final boolean earlyExit;

    /** VGG's case: RGB input of any size, a target after a ReLU (the early exit applies). */
    public FilterRenderer(FilterObjective objective, AscentSettings settings, String layer) {
        this(objective, settings, settings.schedule(), layer, 3, true);
    }

    /**
     * @param schedule  the sizes the image is optimised at (a fixed-size network's: one size)
     * @param channels  the network's input channels: 3 (RGB) or 1 (grey)
     * @param earlyExit whether a loss ≤ 1e−7 means a dead filter: only where the target cannot be negative
     */
    public FilterRenderer(FilterObjective objective, AscentSettings settings, UpscalingSchedule schedule, String layer,
                          int channels, boolean earlyExit) {
        this.objective = objective;
        this.settings = settings;
        this.schedule = schedule;
        this.layer = layer;
        this.channels = channels;
        this.earlyExit = earlyExit;
    }

    /** The Keras recipe's loops: the ascent's numbers, its schedule and the network's input channels. */
    public record Loops(AscentSettings settings, UpscalingSchedule schedule, int channels) implements RenderLoop.Factory {
        private static final long serialVersionUID = 1L;

        @Override
        public RenderLoop forLayer(FilterObjective objective, String layer, boolean earlyExit) {
            return new FilterRenderer(objective, settings, schedule, layer, channels, earlyExit);
        }
    }

    @Override
    public RenderedFilter render(int filter) {
        long start = System.nanoTime();
        UpscalingSchedule.Size size = schedule.start();
        double[] image = StartImage.noise(channels, size.width(), size.height(), settings.seed(), layer, filter);
        float loss = 0f;
        for (int index = 0; index < schedule.ascentSizes().size(); index++) {
            size = schedule.ascentSizes().get(index);
            float[] input = new float[image.length];
            float[] gradient = new float[image.length];
            for (int epoch = 0; epoch < settings.epochs(); epoch++) {
                for (int i = 0; i < image.length; i++) input[i] = (float) image[i];
                loss = objective.lossAndGradient(input, size.width(), size.height(), filter, gradient);
                ascend(image, gradient, settings.step());
                if (earlyExit && loss <= Deprocess.EPSILON) return RenderedFilter.dead(filter, loss, seconds(start));
            }
            UpscalingSchedule.Size next = schedule.after(index);
            Deprocess.Deprocessed picture = Deprocess.deprocess(image, size.width(), size.height());
            RgbImage resized = BicubicResize.resize(picture.image(), next.width(), next.height());
            image = Deprocess.process(resized, picture.formerMean(), picture.formerStd());
        }
        UpscalingSchedule.Size last = schedule.finalSize();
        RgbImage picture = Deprocess.deprocess(image, last.width(), last.height()).image();
        return new RenderedFilter(filter, loss, seconds(start), false, picture);
    }

    /** {@code img += step · g / (sqrt(mean(g²)) + 1e−7)}. */
    static void ascend(double[] image, float[] gradient, double step) {
        double sumSquares = 0;
        for (float g : gradient) sumSquares += (double) g * g;
        float scale = (float) (step / (Math.sqrt(sumSquares / gradient.length) + Deprocess.EPSILON));
        for (int i = 0; i < image.length; i++) image[i] += gradient[i] * scale;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
