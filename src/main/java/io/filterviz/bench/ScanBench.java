package io.filterviz.bench;

import io.filterviz.engine.Precision;
import io.filterviz.engine.onednn.OnednnBackend;
import io.filterviz.engine.onednn.OnednnForward;
import io.filterviz.engine.onednn.OnednnModel;
import io.filterviz.examples.ActivationScan;
import io.filterviz.examples.ChannelPeaks;
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
 * {@code ./submit.sh bench scan}: the example scan's executor work alone, in this JVM: images already decoded (random
 * pixels 0–255), forward to the targets, each channel's peak, the top k kept. Per batch size, the median time of a
 * pass and the images per second it gives; {@code forward_images_per_s} is the forward pass without the peaks. Run
 * it beside {@code scripts/scan_torch_speed.py} (PyTorch's forward of the same network, same size and threads).
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

    @Override
    public Integer call() throws IOException {
        Graph network = Preprocessing.parse(preprocess).prepend(OnnxLoader.load(model));
        List<String> targets = targets(network);
        int side = size != null ? size : network.fixedSize() ? network.fixedHeight() : 224;
        String common = String.format(Locale.ROOT, "model=%s layer=%s targets=%d size=%d threads=%d", network.name(),
                String.join(",", layers), targets.size(), side, threads);
        for (String engine : engines) {
            ScanModel scanModel = ScanModel.of(engine, network);
            for (int batch : engine.equals("reference") ? List.of(1) : batches) {
                List<float[]> images = images(network.inputChannels(), side, batch);
                Timing full;
                try (ActivationScan scan = scanModel.open(targets, batch, threads)) {
                    TopExamples top = new TopExamples(9);
                    full = time(() -> {
                        List<List<ChannelPeaks>> peaks = scan.scan(images, side, side);
                        for (int i = 0; i < peaks.size(); i++) top.offer("image" + i, peaks.get(i));
                    });
                }
                String forwardOnly = "";
                if (engine.equals("onednn")) {
                    OnednnModel onednn = (OnednnModel) new OnednnBackend(Precision.FP32).compile(network);
                    try (OnednnForward forward = onednn.newForward(targets, threads)) {
                        Timing f = time(() -> forward.forward(images, side, side, (b, t, shape, values) -> {}));
                        forwardOnly = String.format(Locale.ROOT, " forward_images_per_s=%.1f", batch / f.median());
                    }
                }
                System.out.printf(Locale.ROOT, "scan-bench: %s engine=%s batch=%d median_ms_per_pass=%.2f images_per_s=%.1f%s "
                        + "images_per_cpu_s=%.1f peak_rss_mb=%d%n", common, engine, batch, full.median() * 1000,
                        batch / full.median(), forwardOnly, batch / full.cpuPerPass(), peakRssMb());
            }
        }
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
    private record Timing(double median, double cpuPerPass) {}

    /** One warm-up pass, then passes for about {@link #seconds}. */
    private Timing time(Runnable pass) {
        pass.run();
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        List<Double> times = new ArrayList<>();
        long cpuStart = os.getProcessCpuTime();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (times.size() < 3 || System.nanoTime() < end) {
            long start = System.nanoTime();
            pass.run();
            times.add((System.nanoTime() - start) / 1e9);
        }
        double cpu = (os.getProcessCpuTime() - cpuStart) / 1e9 / times.size();
        double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return new Timing(n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2, cpu);
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
