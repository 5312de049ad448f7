package io.filterviz.engine;

import io.filterviz.image.BicubicResize;
import io.filterviz.image.Deprocess;
import io.filterviz.image.RgbImage;

import java.util.ArrayList;
import java.util.List;

/**
 * The Keras example's {@code _generate_filter_image}: gradient ascent on the filter's mean activation at every size of
 * the upscaling schedule, the gradient divided by its RMS; deprocess, bicubic upscale and process between sizes.
 * A filter whose loss is ≤ 1e−7 at any step is dead and stops at once.
 *
 * <p>Several filters of one layer can ascend in lock step ({@link #render(int...)}): they share the schedule, and
 * each step is one batched call of the objective; each image keeps its own start noise, RMS normalisation and
 * deprocess/upscale, so every filter's outcome is the one it would have alone (up to the backend's rounding).
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
        return render(new int[]{filter}).get(0);
    }

    /**
     * The filters in lock step, one batched objective call per step; a filter that dies leaves the batch at once.
     * Each result's {@code seconds} is its share of the time: a batched step's time divided among the filters in
     * it, plus its own noise, deprocess and upscale, so the seconds of a batch add up to its wall time.
     *
     * @return one result per filter, in the order given
     */
    public List<RenderedFilter> render(int... filters) {
        int n = filters.length;
        RenderedFilter[] results = new RenderedFilter[n];
        double[] seconds = new double[n];
        float[] losses = new float[n];
        double[][] images = new double[n][];
        UpscalingSchedule.Size size = schedule.start();
        for (int b = 0; b < n; b++) {
            long start = System.nanoTime();
            images[b] = StartImage.noise(size.width(), size.height(), settings.seed(), layer, filters[b]);
            seconds[b] += seconds(start);
        }
        List<Integer> live = new ArrayList<>();
        for (int b = 0; b < n; b++) live.add(b);
        for (int index = 0; index < schedule.ascentSizes().size() && !live.isEmpty(); index++) {
            size = schedule.ascentSizes().get(index);
            int pixels = images[live.get(0)].length;
            for (int epoch = 0; epoch < settings.epochs() && !live.isEmpty(); epoch++) {
                int k = live.size();
                float[][] inputs = new float[k][pixels];
                float[][] gradients = new float[k][pixels];
                int[] batchFilters = new int[k];
                for (int j = 0; j < k; j++) {
                    double[] image = images[live.get(j)];
                    for (int i = 0; i < pixels; i++) inputs[j][i] = (float) image[i];
                    batchFilters[j] = filters[live.get(j)];
                }
                long start = System.nanoTime();
                float[] stepLosses = objective.lossesAndGradients(inputs, size.width(), size.height(), batchFilters, gradients);
                for (int j = 0; j < k; j++) ascend(images[live.get(j)], gradients[j], settings.step());
                double share = seconds(start) / k;
                List<Integer> survivors = new ArrayList<>(k);
                for (int j = 0; j < k; j++) {
                    int b = live.get(j);
                    seconds[b] += share;
                    losses[b] = stepLosses[j];
                    if (stepLosses[j] <= Deprocess.EPSILON) results[b] = RenderedFilter.dead(filters[b], losses[b], seconds[b]);
                    else survivors.add(b);
                }
                live = survivors;
            }
            UpscalingSchedule.Size next = schedule.after(index);
            for (int b : live) {
                long start = System.nanoTime();
                Deprocess.Deprocessed picture = Deprocess.deprocess(images[b], size.width(), size.height());
                RgbImage resized = BicubicResize.resize(picture.image(), next.width(), next.height());
                images[b] = Deprocess.process(resized, picture.formerMean(), picture.formerStd());
                seconds[b] += seconds(start);
            }
        }
        UpscalingSchedule.Size last = schedule.finalSize();
        for (int b : live) {
            long start = System.nanoTime();
            RgbImage picture = Deprocess.deprocess(images[b], last.width(), last.height()).image();
            results[b] = new RenderedFilter(filters[b], losses[b], seconds[b] + seconds(start), false, picture);
        }
        return List.of(results);
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
