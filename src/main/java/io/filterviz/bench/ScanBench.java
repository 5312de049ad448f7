package io.filterviz.bench;

import io.filterviz.engine.Precision;
import io.filterviz.engine.onednn.OnednnBackend;
import io.filterviz.engine.onednn.OnednnForward;
import io.filterviz.engine.onednn.OnednnModel;
import io.filterviz.examples.ActivationScan;
import io.filterviz.examples.ScanModel;
import io.filterviz.examples.TopExamples;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.onnx.OnnxLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code ./submit.sh bench scan}: the example scan's executor work alone, in this JVM: images already decoded (new
 * random pixels 0–255 for every pass, made before its timing, named in increasing order as a collection's files),
 * forward to the targets, each channel's peak, the top 9 kept. Per batch size, the median time of a pass and the
 * images per second it gives, also per CPU second and over all passes; {@code forward_images_per_s} is the forward
 * pass with its channel maxima (oneDNN) alone, without the top k; {@code positions_searched} counts the channels whose
 * peak position was searched (those whose maximum might enter the top 9). Run it beside {@code scripts/scan_torch_speed.py} (PyTorch's forward of the same network, same size and threads).
 */
@Command(name = "scan", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Times the example scan's forward pass and peaks (images per second).")
final class ScanBench implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "The ONNX file.")
    Path model;

    @Option(names = "--preprocess", description = "none, unit, caffe, torch, tf.")
    String preprocess = "none";

    @Option(names = "--layer", split = ",", description = "Targets: 'all' (every convolution's output), 'last' (the "
            + "last one), or tensor/node names.")
    List<String> layers = List.of("all");

    @Option(names = "--size", description = "Square image size. Default: the network's fixed size, else 224.")
    Integer size;

    @Option(names = "--batch", split = ",", description = "Images per pass to time.")
    List<Integer> batches = List.of(1, 4, 8, 16);

    @Option(names = "--engine", split = ",", description = "onednn, reference.")
    List<String> engines = List.of("onednn");

    @Option(names = "--threads", description = "OpenMP threads of the pass.")
    int threads = 2;

    @Option(names = "--seconds", description = "Seconds to time per batch size (after one warm-up pass).")
    double seconds = 8;

    @Option(names = "--tasks", description = "Scans running at once, each in its own Java thread with its own "
            + "--threads OpenMP threads, as Spark runs one task per core: --tasks 2 --threads 1 is local[2].")
    int tasks = 1;


    @Override
    public Integer call() throws IOException {
        Graph network = Preprocessing.parse(preprocess).prepend(OnnxLoader.load(model));
        List<String> targets = targets(network);
        int side = size != null ? size : network.fixedSize() ? network.fixedHeight() : 224;
        String common = String.format(Locale.ROOT, "model=%s layer=%s targets=%d size=%d threads=%d tasks=%d", network.name(),
                String.join(",", layers), targets.size(), side, threads, tasks);
        for (String engine : engines) {
            ScanModel scanModel = ScanModel.of(engine, network);
            for (int batch : engine.equals("reference") ? List.of(1) : batches) {
                List<float[]> images = images(network.inputChannels(), side, batch);
                List<ActivationScan> scans = new ArrayList<>();
                List<Pass> passes = new ArrayList<>();
                for (int task = 0; task < tasks; task++) {
                    ActivationScan scan = scanModel.open(targets, batch, threads);
                    scans.add(scan);
                    TopExamples top = new TopExamples(9);
                    SplittableRandom random = new SplittableRandom(1000L * task + batch);
                    int channels = network.inputChannels();
                    passes.add(new Pass() {
                        long next;
                        final List<String> paths = new ArrayList<>();
                        final List<float[]> these = new ArrayList<>();

                        @Override
                        public void prepare() { // new random images, named in increasing order: a collection's next ones
                            paths.clear();
                            these.clear();
                            for (int b = 0; b < batch; b++, next++) {
                                paths.add(String.format(Locale.ROOT, "image%012d", next));
                                float[] image = new float[channels * side * side];
                                for (int i = 0; i < image.length; i++) image[i] = random.nextInt(256);
                                these.add(image);
                            }
                        }

                        @Override
                        public void run() { scan.scanInto(paths, these, side, side, top); }
                    });
                }
                Timing full;
                long[] locatesBefore = OnednnBackend.scanLocates();
                try {
                    full = time(passes);
                } finally {
                    scans.forEach(ActivationScan::close);
                }
                long[] locatesAfter = OnednnBackend.scanLocates();
                long passesRun = Math.round(full.passes());
                String located = engine.equals("onednn") ? String.format(Locale.ROOT, " positions_searched=%d tensors_viewed=%d passes=%d",
                        locatesAfter[0] - locatesBefore[0], locatesAfter[1] - locatesBefore[1], passesRun) : "";
                String forwardOnly = "";
                if (engine.equals("onednn") && tasks == 1) {
                    OnednnModel onednn = (OnednnModel) new OnednnBackend(Precision.FP32).compile(network);
                    try (OnednnForward forward = onednn.newForward(targets, threads)) {
                        Timing f = time(List.of(Pass.of(() -> forward.peaks(images, side, side, (b, t, peaks) -> {}))));
                        forwardOnly = String.format(Locale.ROOT, " forward_images_per_s=%.1f", batch / f.median());
                    }
                }
                System.out.printf(Locale.ROOT, "scan-bench: %s engine=%s batch=%d median_ms_per_pass=%.2f images_per_s=%.1f%s "
                        + "images_per_cpu_s=%.1f images_per_wall_s=%.1f peak_rss_mb=%d%s%n", common, engine, batch, full.median() * 1000,
                        tasks * batch / full.median(), forwardOnly, tasks * batch / full.cpuPerPass(),
                        tasks * batch / full.wallPerPass(), peakRssMb(), located);
            }
        }
        if (System.getenv("FILTERVIZ_PROFILE") != null) io.filterviz.engine.onednn.OnednnBackend.printProfile(System.err);
        return 0;
    }

    private List<String> targets(Graph network) {
        List<String> targets = new ArrayList<>();
        for (String layer : layers) {
            List<String> convolutions = network.convolutionOutputs();
            switch (layer) {
                case "all" -> targets.addAll(convolutions);
                case "last" -> targets.add(convolutions.get(convolutions.size() - 1));
                default -> targets.add(network.resolve(layer).orElseThrow(
                        () -> new IllegalArgumentException("--layer " + layer + " is not in " + network.name())));
            }
        }
        return targets;
    }

    private static List<float[]> images(int channels, int side, int batch) {
        SplittableRandom random = new SplittableRandom(side * 31L + batch);
        List<float[]> images = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            float[] image = new float[channels * side * side];
            for (int i = 0; i < image.length; i++) image[i] = random.nextInt(256);
            images.add(image);
        }
        return images;
    }

    /**
     * @param median     the median pass, wall-clock seconds
     * @param cpuPerPass the process's CPU seconds per pass over the timed passes: on a machine shared with other jobs,
     *                   what the work costs (with one thread; more threads also count OpenMP's waiting)
     */
    private record Timing(double median, double cpuPerPass, double wallPerPass, double passes) {}

    /**
     * {@value #WARM_UP_SECONDS} s of passes of each task, then every task's passes at once for about {@link #seconds}: the median
     * pass over all tasks, and the process's CPU seconds per pass of one task (its CPU time over the passes of all
     * tasks, times the tasks).
     */
    private static final double WARM_UP_SECONDS = 1.5;

    /** One pass of a task: what it needs made first (not timed), then the timed work. */
    private interface Pass {
        default void prepare() {}

        void run();

        static Pass of(Runnable work) { return work::run; }
    }

    private Timing time(List<Pass> tasksPasses) {
        // WARM_UP_SECONDS of passes: the JIT's compilations are not timed
        for (Pass pass : tasksPasses) {
            long warm = System.nanoTime() + (long) (WARM_UP_SECONDS * 1e9);
            for (int i = 0; i < 1 || System.nanoTime() < warm; i++) {
                pass.prepare();
                pass.run();
            }
        }
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        List<Double> times = java.util.Collections.synchronizedList(new ArrayList<>());
        long cpuStart = os.getProcessCpuTime();
        long begin = System.nanoTime();
        long end = begin + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        for (Pass pass : tasksPasses) {
            Thread t = new Thread(() -> {
                try {
                    int n = 0;
                    while (n < 3 || System.nanoTime() < end) {
                        pass.prepare();
                        long start = System.nanoTime();
                        pass.run();
                        times.add((System.nanoTime() - start) / 1e9);
                        n++;
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "scan-bench-task");
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        if (failure.get() != null) throw new IllegalStateException("a scan task failed", failure.get());
        double cpu = (os.getProcessCpuTime() - cpuStart) / 1e9 / times.size() * tasksPasses.size();
        double wall = (System.nanoTime() - begin) / 1e9 / times.size() * tasksPasses.size();
        double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return new Timing(n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2, cpu, wall, n);
    }

    /** The JVM's peak resident memory (VmHWM), MB; −1 without /proc. */
    static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
