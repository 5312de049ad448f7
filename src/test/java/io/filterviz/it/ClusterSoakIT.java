package io.filterviz.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A soak run on a real Spark standalone cluster (master + 2 one-core workers): 48 small filters while executors are
 * killed one after the other as the job progresses. The job must complete with every filter exactly once in
 * results.csv and in state/, and the same grid, byte for byte, as a run that nobody disturbed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterSoakIT {
    private static final Path PROJECT = Path.of(System.getProperty("user.dir"));
    private static final Path WORK = PROJECT.resolve("target/soak-it");
    private static final int FILTERS = 48;
    /** A kill each time this many more filters have finished: kills land while the job runs, whatever its speed. */
    private static final int FILTERS_BETWEEN_KILLS = 6;
    private static final int KILLS = 5;

    private SparkStandaloneCluster cluster;

    @BeforeAll
    void startCluster() throws Exception {
        deleteRecursively(WORK);
        Files.createDirectories(WORK);
        cluster = new SparkStandaloneCluster(PROJECT.resolve("target/spark-home"), WORK.resolve("cluster"), 2);
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) cluster.close();
    }

    private static List<String> job(Path out, String master) {
        return List.of("--weights", "random", "--filter-range", "0:" + FILTERS, "--output-dim", "32",
                "--upscaling-steps", "1", "--epochs", "2", "--master", master, "--out", out.toString());
    }

    @Test
    void killedExecutorsCostTimeNotResults() throws Exception {
        Path out = WORK.resolve("killed");
        Process job = submit(cluster.environment(), job(out, cluster.masterUrl()), "killed.log");
        List<Integer> killedAt = new ArrayList<>();
        while (job.isAlive() && killedAt.size() < KILLS) {
            int finished = stateRows(out).size();
            List<ProcessHandle> executors = cluster.executors();
            if (finished >= (killedAt.size() + 1) * FILTERS_BETWEEN_KILLS && !executors.isEmpty()) {
                executors.get(killedAt.size() % executors.size()).destroyForcibly();
                killedAt.add(finished);
            }
            Thread.sleep(50);
        }
        assertTrue(job.waitFor(10, TimeUnit.MINUTES), "the job did not end");
        String log = Files.readString(WORK.resolve("killed.log"));
        assertEquals(0, job.exitValue(), log);
        assertTrue(killedAt.size() >= 4, "the job ended after " + killedAt.size() + " kills (at " + killedAt + "):\n" + log);
        assertTrue(log.contains("ExecutorLostFailure"), "no running task was lost:\n" + log);

        List<Integer> expected = IntStream.range(0, FILTERS).boxed().toList();
        assertEquals(expected, csvFilters(out), "results.csv: each filter exactly once");
        assertEquals(expected, stateRows(out).stream().map(ClusterSoakIT::filterOf).sorted().toList(),
                "state/: each filter exactly once");

        Path undisturbed = WORK.resolve("undisturbed");
        Process clean = submit(Map.of(), job(undisturbed, "local[2]"), "undisturbed.log");
        assertTrue(clean.waitFor(10, TimeUnit.MINUTES), "the undisturbed run did not end");
        assertEquals(0, clean.exitValue(), Files.readString(WORK.resolve("undisturbed.log")));
        assertArrayEquals(Files.readAllBytes(grid(undisturbed)), Files.readAllBytes(grid(out)), "the grid, byte for byte");
    }

    private Process submit(Map<String, String> env, List<String> args, String log) throws Exception {
        List<String> command = new ArrayList<>(List.of(PROJECT.resolve("submit.sh").toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(WORK.resolve(log).toFile());
        builder.environment().remove("SPARK_HOME");
        builder.environment().putAll(env);
        return builder.start();
    }

    /** The file names in state/ (one per finished filter). */
    private static List<String> stateRows(Path out) throws Exception {
        Path state = out.resolve("state");
        if (!Files.isDirectory(state)) return List.of();
        try (Stream<Path> rows = Files.list(state)) {
            return rows.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".csv")).toList();
        }
    }

    /** block5_conv1_0007.csv -> 7 */
    private static int filterOf(String stateRow) {
        String stem = stateRow.substring(0, stateRow.length() - ".csv".length());
        return Integer.parseInt(stem.substring(stem.lastIndexOf('_') + 1));
    }

    /** The filter column of results.csv, in file order. */
    private static List<Integer> csvFilters(Path out) throws Exception {
        List<String> lines = Files.readAllLines(out.resolve("results.csv"));
        int filter = List.of(lines.get(0).split(",")).indexOf("filter");
        List<Integer> filters = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) filters.add(Integer.parseInt(line.split(",")[filter]));
        assertEquals(filters.size(), new TreeSet<>(filters).size(), "a filter twice in results.csv: " + filters);
        return filters;
    }

    private static Path grid(Path out) throws Exception {
        try (Stream<Path> files = Files.list(out)) {
            return files.filter(p -> p.getFileName().toString().startsWith("vgg_")).findFirst().orElseThrow();
        }
    }

    private static void deleteRecursively(Path dir) throws Exception {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
