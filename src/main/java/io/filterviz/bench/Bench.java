package io.filterviz.bench;

import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.CompiledModel;
import io.filterviz.app.ComputeBackends;
import io.filterviz.engine.RenderedFilter;
import io.filterviz.engine.FilterRenderer;
import io.filterviz.engine.FilterObjective;
import io.filterviz.model.LayerSpec;
import io.filterviz.model.RandomWeights;
import io.filterviz.model.Vgg16;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code ./submit.sh bench}: the compute path alone, on random VGG16 weights. Per size, the median milliseconds
 * of one ascent step (forward + input gradient) after warm-up, and GFLOP/s counting 2 × the forward's
 * convolution FLOPs; with --schedule, whole filters at the Keras example's schedule.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Times the gradient-ascent compute path on random weights.")
public final class Bench implements Callable<Integer> {
    @Option(names = "--sizes", split = ",", description = "Square image sizes to time.")
    List<Integer> sizes = List.of(224, 343);

    @Option(names = "--steps", description = "Timed steps per size (after warm-up).")
    int steps = 15;

    @Option(names = "--warmup", description = "Untimed steps per size first.")
    int warmup = 3;

    @Option(names = "--layer", description = "Target layer.")
    String layer = "block5_conv1";

    @Option(names = "--schedule", description = "Also time whole filters at the Keras example's schedule.")
    boolean schedule;

    @Option(names = "--filters", description = "Filters to time with --schedule.")
    int filters = 2;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }

    @Override
    public Integer call() {
        CompiledModel model = ComputeBackends.named(ComputeBackends.DEFAULT).compile(RandomWeights.create(layer, 1));
        try (FilterObjective path = model.newObjective(layer, Runtime.getRuntime().availableProcessors())) {
            for (int size : sizes) {
                double median = medianStepMillis(path, size);
                double gflop = 2 * forwardFlops(layer, size) / 1e9;
                System.out.printf(Locale.ROOT, "bench: size=%d batch=1 median_ms_per_step=%.1f gflop_per_step=%.2f "
                        + "gflops=%.1f%n", size, median, gflop, gflop / (median / 1000));
            }
            if (schedule) {
                FilterRenderer renderer = new FilterRenderer(path, AscentSettings.defaults(), layer);
                double[] seconds = new double[filters];
                for (int f = 0; f < filters; f++) {
                    RenderedFilter outcome = renderer.render(f);
                    seconds[f] = outcome.seconds();
                    System.out.printf(Locale.ROOT, "bench: schedule filter=%d seconds=%.1f loss=%.2f%n", f, seconds[f], outcome.loss());
                }
                System.out.printf(Locale.ROOT, "bench: schedule median_seconds_per_filter=%.1f hours_for_512=%.2f%n",
                        median(seconds), median(seconds) * 512 / 3600);
            }
        }
        return 0;
    }

    private double medianStepMillis(FilterObjective path, int size) {
        SplittableRandom random = new SplittableRandom(size);
        float[] image = new float[3 * size * size];
        for (int i = 0; i < image.length; i++) image[i] = (float) ((random.nextDouble() - 0.5) * 20 + 128);
        float[] gradient = new float[image.length];
        for (int i = 0; i < warmup; i++) path.lossAndGradient(image, size, size, 0, gradient);
        double[] millis = new double[steps];
        for (int i = 0; i < steps; i++) {
            long start = System.nanoTime();
            path.lossAndGradient(image, size, size, 0, gradient);
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        return median(millis);
    }

    /** Σ over the convolutions up to and including the target of 2·H·W·Cin·Cout·9 (28.85 GFLOP at 224²). */
    static double forwardFlops(String target, int size) {
        double flops = 0;
        int side = size;
        for (LayerSpec layer : Vgg16.upTo(target)) {
            if (!layer.isConv()) {
                side /= 2;
                continue;
            }
            flops += 2.0 * side * side * layer.inChannels() * layer.outChannels() * 9;
        }
        return flops;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
