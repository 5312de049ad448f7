package io.filterviz.it;

import io.filterviz.image.Png;
import io.filterviz.image.RgbImage;
import io.filterviz.model.RandomWeights;
import io.filterviz.testing.KerasH5Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * filterviz on a real Spark standalone cluster (master + 2 workers, separate JVMs on 127.0.0.1), submitted through
 * ./submit.sh and Spark's own SparkSubmit in client mode; plus the failures a long job meets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterIT {
    private static final Path PROJECT = Path.of(System.getProperty("user.dir"));
    private static final Path WORK = PROJECT.resolve("target/it");

    private SparkStandaloneCluster cluster;
    private Path weights;

    @BeforeAll
    void startCluster() throws Exception {
        deleteRecursively(WORK);
        Files.createDirectories(WORK);
        weights = WORK.resolve("vgg16-test-weights.h5");
        KerasH5Fixture.write(weights, RandomWeights.create("block5_conv1", 5), KerasH5Fixture.Style.KERAS1_NOTOP);
        cluster = new SparkStandaloneCluster(PROJECT.resolve("target/spark-home"), WORK.resolve("cluster"), 2);
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) cluster.close();
    }

    private List<String> job(String filters, String out, String... extra) {
        List<String> args = new ArrayList<>(List.of("--weights", weights.toString(), "--filter-range", filters,
                "--output-dim", "64", "--upscaling-steps", "3", "--epochs", "4", "--out", WORK.resolve(out).toString()));
        args.addAll(List.of(extra));
        return args;
    }

    private Process submit(Map<String, String> env, List<String> args, String log) throws Exception {
        List<String> command = new ArrayList<>(List.of(PROJECT.resolve("submit.sh").toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(WORK.resolve(log).toFile());
        builder.environment().remove("SPARK_HOME");
        builder.environment().putAll(env);
        return builder.start();
    }

    private String finish(Process process, String log) throws Exception {
        assertTrue(process.waitFor(10, TimeUnit.MINUTES), "job did not finish: " + log);
        String output = Files.readString(WORK.resolve(log));
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    private static Map<Integer, Float> losses(Path out) throws Exception {
        Map<Integer, Float> losses = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(out.resolve("results.csv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",");
            assertEquals(null, losses.put(Integer.parseInt(cells[1]), Float.parseFloat(cells[2])), "filter twice: " + line);
        }
        return losses;
    }

    @Test
    void clusterRunMatchesLocalModeAndLoadsTheModelOncePerExecutor() throws Exception {
        Map<String, String> clusterEnv = new HashMap<>(cluster.environment());
        var earlierExecutors = cluster.executorLogs();
        String clusterLog = finish(submit(clusterEnv, job("0:6", "on-cluster", "--master", cluster.masterUrl()),
                "on-cluster.log"), "on-cluster.log");
        String localLog = finish(submit(Map.of(), job("0:6", "local", "--master", "local[2]"), "local.log"), "local.log");
        assertTrue(clusterLog.contains("Compute filters 0 to 6") && clusterLog.contains("6 filters processed: "), clusterLog);

        Map<Integer, Float> onCluster = losses(WORK.resolve("on-cluster")), local = losses(WORK.resolve("local"));
        assertEquals(local.keySet(), onCluster.keySet());
        for (int f : local.keySet()) assertEquals(local.get(f), onCluster.get(f), 1e-4 * Math.abs(local.get(f)), "filter " + f);
        // Same computation, one thread per task on both sides: the very same picture, byte for byte.
        assertArrayEquals(grid(WORK.resolve("local")).buffer(), grid(WORK.resolve("on-cluster")).buffer());

        // Weights reached the executors through Spark (SparkContext.addFile), loaded once per executor JVM.
        // Spark fetched the file into each executor's own work dir; the original stays where the driver read it.
        List<String> loads = cluster.executorLogLines("filterviz: loaded model", earlierExecutors);
        assertEquals(2, loads.size(), "2 executors, 6 tasks: " + loads);
        for (String line : loads) {
            assertTrue(line.contains(" from " + cluster.workDir) && line.contains("/app-")
                    && line.contains(weights.getFileName() + " on onednn-fp32") && line.endsWith(", load 1 in this JVM"), line);
        }
    }

    @Test
    void aKilledExecutorCostsTimeNotResults() throws Exception {
        Path out = WORK.resolve("executor-killed");
        Process job = submit(cluster.environment(), job("0:8", "executor-killed", "--master", cluster.masterUrl(),
                "--output-dim", "96", "--epochs", "6"), "executor-killed.log");
        waitForFinishedFilters(out, 1);
        List<ProcessHandle> executors = cluster.executors();
        assertTrue(!executors.isEmpty(), "no executor to kill");
        executors.get(0).destroyForcibly();
        String log = finish(job, "executor-killed.log");
        // The kill hit a task that was running (Spark's driver logs it at WARN), so a retry really happened.
        assertTrue(log.contains("ExecutorLostFailure"), "no running task was lost: " + log);

        Map<Integer, Float> losses = losses(out);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), new ArrayList<>(losses.keySet()), log);
        long live = losses.values().stream().filter(l -> l > 1e-7).count();
        int n = (int) Math.floor(Math.sqrt(live));
        assertEquals(n * 96 + (n - 1) * 5, grid(out).width());
    }

    @Test
    void aKilledDriverResumesWithoutRecomputingFinishedFilters() throws Exception {
        Path out = WORK.resolve("driver-killed");
        List<String> args = job("0:8", "driver-killed", "--master", "local[2]", "--output-dim", "96", "--epochs", "6");
        Process first = submit(Map.of(), args, "driver-killed-1.log");
        waitForFinishedFilters(out, 2);
        first.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        first.destroyForcibly();
        first.waitFor();

        Map<String, FileTime> finishedPictures = new HashMap<>();
        Files.createDirectories(out.resolve("filters")); // absent when only dead filters had finished
        try (Stream<Path> pictures = Files.list(out.resolve("filters"))) {
            for (Path p : pictures.filter(p -> p.toString().endsWith(".png")).toList()) {
                finishedPictures.put(p.getFileName().toString(), Files.getLastModifiedTime(p));
            }
        }
        int finished;
        try (Stream<Path> rows = Files.list(out.resolve("state"))) {
            finished = (int) rows.filter(p -> p.toString().endsWith(".csv")).count();
        }
        assertTrue(finished >= 2 && finished < 8, "kill came too late to test anything: " + finished);

        String resumed = finish(submit(Map.of(), args, "driver-killed-2.log"), "driver-killed-2.log");
        assertTrue(resumed.contains("Resuming: " + finished + " finished filters skipped, " + (8 - finished)
                + " to compute"), resumed);
        for (Map.Entry<String, FileTime> e : finishedPictures.entrySet()) {
            if (Files.exists(out.resolve("state").resolve(e.getKey().replace(".png", ".csv")))) {
                assertEquals(e.getValue(), Files.getLastModifiedTime(out.resolve("filters").resolve(e.getKey())), e.getKey());
            }
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), new ArrayList<>(losses(out).keySet()));

        // The same grid as a run that was never interrupted.
        List<String> clean = new ArrayList<>(args);
        clean.set(clean.indexOf(out.toString()), WORK.resolve("driver-clean").toString());
        finish(submit(Map.of(), clean, "driver-clean.log"), "driver-clean.log");
        assertArrayEquals(grid(WORK.resolve("driver-clean")).buffer(), grid(out).buffer());
    }

    private static RgbImage grid(Path out) throws Exception {
        try (Stream<Path> files = Files.list(out)) {
            Path grid = files.filter(p -> p.getFileName().toString().startsWith("vgg_")).findFirst().orElseThrow();
            return Png.decode(Files.readAllBytes(grid));
        }
    }

    private static void waitForFinishedFilters(Path out, int count) throws Exception {
        Instant end = Instant.now().plus(Duration.ofMinutes(5));
        while (Instant.now().isBefore(end)) {
            Path state = out.resolve("state");
            if (Files.isDirectory(state)) {
                try (Stream<Path> rows = Files.list(state)) {
                    if (rows.filter(p -> p.toString().endsWith(".csv")).count() >= count) return;
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no finished filter in " + out);
    }

    private static void deleteRecursively(Path dir) throws Exception {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
