package io.filterviz.it;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults of the output folder, in local mode through ./submit.sh: a driver killed while it writes the final tables,
 * and a folder under --out that stops taking writes mid-run. Each ends, after a rerun, in the same output as a run
 * that met no fault.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutputFaultsIT {
    private static final Path PROJECT = Path.of(System.getProperty("user.dir"));
    private static final Path WORK = PROJECT.resolve("target/output-faults-it");
    private static final int FILTERS = 12;

    @BeforeAll
    void undisturbedRun() throws Exception {
        deleteRecursively(WORK);
        Files.createDirectories(WORK);
        Result clean = run(job(WORK.resolve("undisturbed")), "undisturbed.log");
        assertEquals(0, clean.exit(), clean.output());
    }

    private static List<String> job(Path out) {
        return List.of("--weights", "random", "--filter-range", "0:" + FILTERS, "--output-dim", "64",
                "--upscaling-steps", "2", "--epochs", "4", "--master", "local[2]", "--out", out.toString());
    }

    @Test
    void aDriverKilledWhileWritingTheParquetTableEndsCompleteAfterARerun() throws Exception {
        Path out = WORK.resolve("killed-in-final-write");
        Process first = start(job(out), "final-write-1.log");
        // Spark's committer makes results/_temporary when the Parquet write starts: kill the driver then.
        awaitOrFail(() -> Files.isDirectory(out.resolve("results/_temporary")) || !first.isAlive(), Duration.ofMinutes(5),
                "the Parquet write never started");
        first.destroyForcibly();
        first.waitFor();
        assertFalse(Files.exists(out.resolve("results/_SUCCESS")), "the kill came after the Parquet write:\n"
                + Files.readString(WORK.resolve("final-write-1.log")));
        assertFalse(Files.exists(out.resolve("index.html")), "the kill came after the final write");

        Result rerun = run(job(out), "final-write-2.log");
        assertEquals(0, rerun.exit(), rerun.output());
        assertTrue(rerun.output().contains("Resuming: " + FILTERS + " finished filters skipped, 0 to compute"), rerun.output());
        assertSameOutputAsUndisturbed(out);
    }

    /**
     * A folder that stops taking writes, made so that it holds for root too (CI runs as root, where chmod does not stop
     * writes): state/ is moved aside and a regular file takes its name, so the next state row cannot be created.
     */
    @Test
    void aFolderThatStopsTakingWritesFailsInOneLineAndResumesCleanly() throws Exception {
        Path out = WORK.resolve("state-not-writable");
        Path state = out.resolve("state"), aside = out.resolve("state.aside");
        Process first = start(job(out), "not-writable-1.log");
        awaitOrFail(() -> rows(state) >= 2 || !first.isAlive(), Duration.ofMinutes(5), "no filter finished");
        Files.move(state, aside);
        Files.writeString(state, "not a folder\n");
        assertTrue(first.waitFor(10, TimeUnit.MINUTES), "the job did not end");
        String output = Files.readString(WORK.resolve("not-writable-1.log"));
        int finishedBefore = rows(aside);
        assertTrue(finishedBefore < FILTERS, "the job had finished before the folder went: " + output);
        assertEquals(1, first.exitValue(), output);
        List<String> said = output.lines().filter(l -> l.startsWith("filterviz: ") && !l.startsWith("filterviz: local mode"))
                .toList();
        assertEquals(1, said.size(), "one line from filterviz:\n" + output);
        assertTrue(said.get(0).contains(state.toString()), "names the folder: " + said.get(0));
        assertFalse(output.contains("\tat "), "no stack trace:\n" + output);

        Files.delete(state);
        Files.move(aside, state);
        Result rerun = run(job(out), "not-writable-2.log");
        assertEquals(0, rerun.exit(), rerun.output());
        assertTrue(rerun.output().contains("Resuming: " + finishedBefore + " finished filters skipped, "
                + (FILTERS - finishedBefore) + " to compute"), rerun.output());
        assertSameOutputAsUndisturbed(out);
    }

    /** results.csv's filters, the Parquet table's rows, the grid and the gallery as the undisturbed run made them. */
    private static void assertSameOutputAsUndisturbed(Path out) throws Exception {
        Path clean = WORK.resolve("undisturbed");
        assertEquals(filtersAndLosses(clean), filtersAndLosses(out), "results.csv");
        assertEquals(FILTERS, rows(out.resolve("state")), "state/");
        assertArrayEquals(Files.readAllBytes(grid(clean)), Files.readAllBytes(grid(out)), "the grid, byte for byte");
        assertTrue(Files.exists(out.resolve("index.html")), "the gallery");
        assertTrue(Files.exists(out.resolve("results/_SUCCESS")) && !Files.exists(out.resolve("results/_temporary")),
                "a committed Parquet table");
        SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
        try {
            List<String> parquet = new ArrayList<>();
            for (Row row : spark.read().parquet(out.resolve("results").toString()).orderBy("filter").collectAsList()) {
                parquet.add(row.getAs("filter") + "," + row.getAs("loss"));
            }
            assertEquals(filtersAndLosses(clean), parquet, "the Parquet table");
        } finally {
            spark.stop();
        }
    }

    /** "filter,loss" per row of results.csv, by filter. */
    private static List<String> filtersAndLosses(Path out) throws Exception {
        List<String> lines = Files.readAllLines(out.resolve("results.csv"));
        List<String> header = List.of(lines.get(0).split(","));
        int filter = header.indexOf("filter"), loss = header.indexOf("loss");
        return lines.subList(1, lines.size()).stream().map(l -> l.split(","))
                .sorted(Comparator.comparingInt(c -> Integer.parseInt(c[filter])))
                .map(c -> c[filter] + "," + Float.parseFloat(c[loss])).toList();
    }

    private record Result(int exit, String output) {}

    private static Process start(List<String> args, String log) throws Exception {
        List<String> command = new ArrayList<>(List.of(PROJECT.resolve("submit.sh").toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(WORK.resolve(log).toFile());
        builder.environment().remove("SPARK_HOME");
        return builder.start();
    }

    private static Result run(List<String> args, String log) throws Exception {
        Process process = start(args, log);
        assertTrue(process.waitFor(10, TimeUnit.MINUTES), "submit.sh did not end: " + log);
        return new Result(process.exitValue(), Files.readString(WORK.resolve(log)));
    }

    private static int rows(Path state) {
        if (!Files.isDirectory(state)) return 0;
        try (Stream<Path> rows = Files.list(state)) {
            return (int) rows.filter(p -> p.toString().endsWith(".csv")).count();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static Path grid(Path out) throws Exception {
        try (Stream<Path> files = Files.list(out)) {
            return files.filter(p -> p.getFileName().toString().startsWith("vgg_")).findFirst().orElseThrow();
        }
    }

    private static void awaitOrFail(BooleanSupplier condition, Duration timeout, String failure) throws Exception {
        Instant end = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            assertTrue(Instant.now().isBefore(end), failure);
            Thread.sleep(5);
        }
    }

    private static void deleteRecursively(Path dir) throws Exception {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
