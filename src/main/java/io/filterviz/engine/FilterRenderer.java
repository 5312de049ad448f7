package io.filterviz.engine;

import io.filterviz.image.BicubicResize;
import io.filterviz.image.Deprocess;
import io.filterviz.image.RgbImage;

/**
 * The Keras example's {@code _generate_filter_image}: gradient ascent on the filter's mean activation at every size of
 * the upscaling schedule, the gradient divided by its RMS; deprocess, bicubic upscale and process between sizes.
 * A filter whose loss is ≤ 1e−7 at any step is dead and stops at once.
 */
public final class FilterRenderer {
    private final FilterObjective objective;
    private final AscentSettings settings;
    private final UpscalingSchedule schedule;
    private final String layer;

    public FilterRenderer(FilterObjective objective, AscentSettings settings, String layer) {
        this.objective = objective;
        this.settings = settings;
        this.schedule = settings.schedule();
        this.layer = layer;
    }

    public RenderedFilter render(int filter) {
        long start = System.nanoTime();
        UpscalingSchedule.Size size = schedule.start();
        double[] image = StartImage.noise(size.width(), size.height(), settings.seed(), layer, filter);
        float loss = 0f;
        for (int index = 0; index < schedule.ascentSizes().size(); index++) {
            size = schedule.ascentSizes().get(index);
            float[] input = new float[image.length];
            float[] gradient = new float[image.length];
            for (int epoch = 0; epoch < settings.epochs(); epoch++) {
                for (int i = 0; i < image.length; i++) input[i] = (float) image[i];
                loss = objective.lossAndGradient(input, size.width(), size.height(), filter, gradient);
                ascend(image, gradient, settings.step());
                if (loss <= Deprocess.EPSILON) return RenderedFilter.dead(filter, loss, seconds(start));
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
