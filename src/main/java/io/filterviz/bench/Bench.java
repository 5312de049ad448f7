package io.filterviz.bench;

import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.CompiledModel;
import io.filterviz.app.ComputeBackends;
import io.filterviz.engine.RenderedFilter;
import io.filterviz.engine.FilterRenderer;
import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.Precision;
import io.filterviz.engine.lucid.LucidRenderer;
import io.filterviz.engine.lucid.LucidSettings;
import io.filterviz.model.KerasVgg;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.RandomWeights;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Shape;
import io.filterviz.model.onnx.OnnxLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code ./submit.sh bench}: the compute path alone, on random VGG16 weights, or on an ONNX model's own weights with
 * --model. Per size, the median milliseconds of one ascent step (forward + input gradient) after warm-up, and GFLOP/s
 * counting 2 × the forward's convolution and dense FLOPs up to the target; with --schedule, whole filters at the
 * Keras example's schedule.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, showDefaultValues = true, subcommands = {ScanBench.class, SpectralBench.class},
        description = "Times the gradient-ascent compute path on random weights; 'bench scan' times the example scan.")
public final class Bench implements Callable<Integer> {
    @Option(names = "--sizes", split = ",", description = "Square image sizes to time.")
    List<Integer> sizes = List.of(224, 343);

    @Option(names = "--steps", description = "Timed steps per size (after warm-up).")
    int steps = 15;

    @Option(names = "--warmup", description = "Untimed steps per size first.")
    int warmup = 3;

    @Option(names = "--layer", description = "Target layer (a tensor or node name). Default: block5_conv1 for VGG16, "
            + "the last convolution's output for --model.")
    String layer;

    @Option(names = "--model", description = "An ONNX file to time instead of VGG16 (random weights).")
    Path model;

    @Option(names = "--preprocess", description = "With --model: none, unit, caffe, torch, tf.")
    String preprocess = "none";

    @Option(names = "--schedule", description = "Also time whole filters at the Keras example's schedule.")
    boolean schedule;

    @Option(names = "--filters", description = "Filters to time with --schedule.")
    int filters = 2;

    @Option(names = "--engine", split = ",", description = "Compute engines to time: onednn, nd4j.")
    List<String> engines = List.of(ComputeBackends.DEFAULT);

    @Option(names = "--precision", split = ",", description = "Precisions to time: fp32, bf16 (bf16: onednn only).")
    List<String> precisions = List.of("fp32");

    @Option(names = "--winograd", split = ",",
            description = "onednn fp32: which 3×3 convolutions run as Winograd: 'measured' (the engine's default: where it "
                    + "measured faster), 'none', 'all', or layer names.")
    List<String> winograd;

    @Option(names = "--batch", split = ",",
            description = "Images per step, each ascending its own filter (onednn: one pass; nd4j: one after another). "
                    + "Times are given per step of the whole batch and per image.")
    List<Integer> batches = List.of(1);

    @Option(names = "--lucid", description = "Also time N whole filters of the Lucid recipe at its defaults (128 px, "
            + "512 steps, standard transforms, 17 redirected-ReLU steps; VGG16 sees the image through caffe "
            + "preprocessing, as torch_speed.py --lucid does), filters 0 … N − 1.")
    int lucid;

    @Option(names = "--lucid-steps", description = "With --lucid: steps per filter.")
    int lucidSteps = LucidSettings.DEFAULT_STEPS;

    @Option(names = "--lucid-size", description = "With --lucid: image side in px.")
    int lucidSize = LucidSettings.DEFAULT_OUTPUT_DIM;

    @Option(names = "--threads", description = "Threads of the compute path. Default: every core.")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--tasks", description = "With --lucid: renderers at once, each in its own Java thread with its own "
            + "--threads OpenMP threads and N filters, as Spark runs one task per core (--tasks 2 --threads 1 is "
            + "local[2]); the summary adds the wall seconds per filter of them all.")
    int tasks = 1;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }

    @Override
    public Integer call() {
        for (String engine : engines) {
            for (String p : precisions) {
                Precision precision = Precision.parse(p);
                if (engine.equals("nd4j") && precision != Precision.FP32) {
                    System.out.printf(Locale.ROOT, "bench: engine=nd4j precision=%s skipped (nd4j runs fp32 only)%n", p);
                    continue;
                }
                run(engine, precision);
            }
        }
        return 0;
    }

    private void run(String engine, Precision precision) {
        Graph graph = graph();
        String layer = target(graph);
        CompiledModel model = ComputeBackends.create(engine, precision, winograd).compile(graph);
        String common = String.format(Locale.ROOT, "%sprecision=%s engine=%s threads=%d%s",
                this.model == null ? "" : "model=" + graph.name() + " layer=" + layer + " ", precision.label(), engine,
                threads, engine.equals("onednn") && precision == Precision.FP32
                        ? " winograd=" + (winograd == null ? "measured" : String.join(",", winograd)) : "");
        String what = common + " batch=1";
        try (FilterObjective path = model.newObjective(layer, threads)) {
            for (int size : sizes) {
                for (int batch : batches) {
                    double median = medianStepMillis(path, graph.inputChannels(), size, batch);
                    double gflop = 2 * forwardFlops(graph.upTo(layer), size) / 1e9 * batch;
                    System.out.printf(Locale.ROOT, "bench: size=%d %s batch=%d median_ms_per_step=%.1f "
                            + "ms_per_image_step=%.1f gflop_per_step=%.2f gflops=%.1f%n", size, common, batch, median,
                            median / batch, gflop, gflop / (median / 1000));
                }
            }
            if (System.getenv("FILTERVIZ_PROFILE") != null) io.filterviz.engine.onednn.OnednnBackend.printProfile(System.err);
            if (lucid > 0 && tasks == 1) lucid(path, graph.inputChannels(), layer, what);
            if (lucid > 0 && tasks > 1) lucidTasks(model, graph.inputChannels(), layer, what);
            if (schedule) {
                FilterRenderer renderer = new FilterRenderer(path, AscentSettings.defaults(), layer);
                // A dead filter stops at its first step: it would drag the median of whole filters down.
                double[] live = new double[0];
                for (int f = 0; f < filters; f++) {
                    RenderedFilter outcome = renderer.render(f);
                    System.out.printf(Locale.ROOT, "bench: schedule %s filter=%d seconds=%.1f loss=%.2f%s%n", what, f,
                            outcome.seconds(), outcome.loss(), outcome.dead() ? " dead" : "");
                    if (!outcome.dead()) {
                        live = Arrays.copyOf(live, live.length + 1);
                        live[live.length - 1] = outcome.seconds();
                    }
                }
                if (live.length > 0) {
                    System.out.printf(Locale.ROOT, "bench: schedule %s live_filters=%d median_seconds_per_live_filter=%.1f "
                            + "hours_for_512=%.2f%n", what, live.length, median(live), median(live) * 512 / 3600);
                } else {
                    System.out.printf(Locale.ROOT, "bench: schedule %s no live filter among %d%n", what, filters);
                }
            }
        }
    }

    /**
     * Whole filters of the Lucid recipe at its defaults, the chains built on the first filter counted in (as PyTorch's
     * first filter counts its own warm-up). One line per filter, then the median.
     */
    private void lucid(FilterObjective path, int channels, String layer, String what) {
        LucidSettings settings = lucidSettings(channels);
        LucidRenderer renderer = new LucidRenderer(path, settings, layer);
        double[] seconds = new double[lucid];
        String common = lucidLabel(settings, what);
        for (int f = 0; f < lucid; f++) seconds[f] = renderLucid(renderer, f, common);
        System.out.printf(Locale.ROOT, "bench: lucid %s filters=%d median_seconds_per_filter=%.2f%n", common, lucid,
                median(seconds));
    }

    /**
     * --lucid with --tasks: the tasks render filters task, task + tasks, ... at once, each on its own objective (as
     * Spark's executor threads do), and the wall time of them all per filter rendered is the throughput a user gets.
     */
    private void lucidTasks(CompiledModel model, int channels, String layer, String what) {
        LucidSettings settings = lucidSettings(channels);
        String common = lucidLabel(settings, what) + " tasks=" + tasks;
        double[] seconds = new double[lucid * tasks];
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(tasks);
        long start = System.nanoTime();
        try {
            List<java.util.concurrent.Future<?>> running = new java.util.ArrayList<>();
            for (int task = 0; task < tasks; task++) {
                int first = task;
                running.add(pool.submit(() -> {
                    try (FilterObjective path = model.newObjective(layer, threads)) {
                        LucidRenderer renderer = new LucidRenderer(path, settings, layer);
                        for (int f = first; f < lucid * tasks; f += tasks) seconds[f] = renderLucid(renderer, f, common);
                    }
                }));
            }
            for (java.util.concurrent.Future<?> task : running) task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a lucid task failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        double wall = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "bench: lucid %s filters=%d median_seconds_per_filter=%.2f wall_seconds=%.2f "
                + "wall_seconds_per_filter=%.2f%n", common, lucid * tasks, median(seconds), wall, wall / (lucid * tasks));
    }

    /** The preset's defaults at --lucid-steps and --lucid-size. */
    private LucidSettings lucidSettings(int channels) {
        LucidSettings d = LucidSettings.defaults();
        return new LucidSettings(d.learningRate(), lucidSteps, d.initSd(), d.fftDecay(), d.transforms(), lucidSize,
                lucidSize, channels, d.seed(), d.redirectedReluSteps());
    }

    private String lucidLabel(LucidSettings settings, String what) {
        return String.format(Locale.ROOT, "size=%d steps=%d redirected=%d transforms=%s %s", lucidSize, lucidSteps,
                settings.redirectedReluSteps(), settings.transforms().name().toLowerCase(Locale.ROOT), what);
    }

    /** Renders one filter, prints its line, returns its seconds. */
    private static double renderLucid(LucidRenderer renderer, int filter, String common) {
        RenderedFilter outcome = renderer.render(filter);
        System.out.printf(Locale.ROOT, "bench: lucid filter=%d %s seconds=%.2f loss=%.4g%s%n", filter, common,
                outcome.seconds(), outcome.loss(), outcome.dead() ? " dead" : "");
        return outcome.seconds();
    }

    /** VGG16 with random weights up to --layer (caffe preprocessing in front with --lucid), or the --model file. */
    private Graph graph() {
        if (model == null) {
            Graph vgg = KerasVgg.graph("vgg16", RandomWeights.create(layer == null ? "block5_conv1" : layer, 1));
            return lucid > 0 ? Preprocessing.CAFFE.prepend(vgg) : vgg;
        }
        return Preprocessing.parse(preprocess).prepend(OnnxLoader.load(model));
    }

    private String target(Graph graph) {
        if (layer == null) {
            List<String> convolutions = graph.convolutionOutputs();
            return model == null ? "block5_conv1" : convolutions.get(convolutions.size() - 1);
        }
        return graph.resolve(layer).orElseThrow(() -> new IllegalArgumentException("--layer " + layer + " is not in " + graph.name()));
    }

    /** Median milliseconds of one step of {@code batch} images (filters 0 … batch − 1) at size². */
    private double medianStepMillis(FilterObjective path, int channels, int size, int batch) {
        SplittableRandom random = new SplittableRandom(size);
        float[][] images = new float[batch][channels * size * size];
        float[][] gradients = new float[batch][channels * size * size];
        int[] filters = new int[batch];
        for (int b = 0; b < batch; b++) {
            filters[b] = b;
            for (int i = 0; i < images[b].length; i++) images[b][i] = (float) ((random.nextDouble() - 0.5) * 20 + 128);
        }
        for (int i = 0; i < warmup; i++) path.lossesAndGradients(images, size, size, filters, gradients);
        double[] millis = new double[steps];
        for (int i = 0; i < steps; i++) {
            long start = System.nanoTime();
            path.lossesAndGradients(images, size, size, filters, gradients);
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        return median(millis);
    }

    /**
     * Σ over the convolutions and dense layers of the graph (cut at the target) of 2 · multiply-adds: 2·H·W·Cout·
     * (Cin / group)·kh·kw for a convolution's H × W output (VGG16 to block5_conv1: 28.85 GFLOP at 224²).
     */
    static double forwardFlops(Graph graph, int size) {
        Map<String, Shape> shapes = graph.shapes(size, size);
        double flops = 0;
        for (Node node : graph.nodes()) {
            Shape out = shapes.get(node.output());
            if (node.op() instanceof Conv c) {
                flops += 2.0 * out.height() * out.width() * c.outChannels() * (c.inChannels() / c.group())
                        * c.kernelHeight() * c.kernelWidth();
            } else if (node.op() instanceof Dense d) { // once per token or position on a tensor
                flops += 2.0 * (out.size() / d.outUnits()) * d.outUnits() * d.inUnits();
            } else if (node.op() instanceof io.filterviz.model.graph.MatMul) {
                Shape a = shapes.get(node.inputs().get(0));
                flops += 2.0 * out.size() * a.dim(a.rank() - 1);
            }
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
