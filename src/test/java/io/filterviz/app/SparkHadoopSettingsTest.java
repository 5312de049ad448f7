package io.filterviz.app;

import io.filterviz.testing.MainRun;
import io.filterviz.model.RandomWeights;
import io.filterviz.testing.CountingFileSystem;
import io.filterviz.testing.KerasH5Fixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One Hadoop configuration everywhere: a file system known only through {@code spark.hadoop.fs.counting.impl} (as
 * {@code spark-submit --conf} or submit.sh's local mode, {@code -D}, pass it) serves --out and --weights for
 * validation, the lease, resume state, every output file and Spark's own Parquet write.
 */
class SparkHadoopSettingsTest {
    private static final String IMPL = "spark.hadoop.fs." + CountingFileSystem.SCHEME + ".impl";
    private static final String NO_CACHE = "spark.hadoop.fs." + CountingFileSystem.SCHEME + ".impl.disable.cache";

    @TempDir
    Path dir;

    private static MainRun run(List<String> args) {
        return MainRun.of(args);
    }

    @AfterEach
    void clearSettings() {
        System.clearProperty(IMPL);
        System.clearProperty(NO_CACHE);
    }

    @Test
    void sparkHadoopSettingsReachValidationWeightsLeaseResumeAndOutputs() throws Exception {
        Path weights = dir.resolve("weights/vgg.h5");
        Files.createDirectories(weights.getParent());
        KerasH5Fixture.write(weights, RandomWeights.create("block1_conv2", 3), KerasH5Fixture.Style.KERAS1_NOTOP);
        Path out = dir.resolve("out");
        List<String> args = new ArrayList<>(List.of("--layer", "block1_conv2", "--filter-range", "0:4",
                "--output-dim", "48", "--upscaling-steps", "2", "--epochs", "2", "--master", "local[2]",
                "--weights", CountingFileSystem.uri(weights), "--out", CountingFileSystem.uri(out)));

        // Without the setting nobody knows the scheme: validation stops the job, nothing is written.
        MainRun unknown = run(args);
        assertEquals(2, unknown.exit(), unknown.err());
        assertTrue(unknown.err().startsWith("filterviz: --out " + CountingFileSystem.uri(out) + " cannot be used: ")
                && unknown.err().contains("No FileSystem for scheme \"counting\""), unknown.err());
        assertFalse(Files.exists(out));

        System.setProperty(IMPL, CountingFileSystem.class.getName());
        System.setProperty(NO_CACHE, "true"); // a fresh instance per use: a cached one would hide a missing setting
        CountingFileSystem.reset();
        MainRun first = run(args);
        assertEquals(0, first.exit(), first.err());
        List<String> calls = CountingFileSystem.calls();
        String lease = out + "/.filterviz-lease";
        int leaseTaken = calls.indexOf("createNew " + lease);
        assertTrue(leaseTaken > 0, "lease through the counting file system: " + calls);
        List<String> beforeLease = calls.subList(0, leaseTaken);
        assertTrue(beforeLease.contains("open " + weights), "weights read at validation: " + beforeLease);
        assertTrue(beforeLease.contains("status " + out), "--out checked at validation: " + beforeLease);
        assertTrue(beforeLease.contains("exists " + out + "/run.json"), "resume checked at validation: " + beforeLease);
        assertTrue(calls.stream().anyMatch(c -> c.matches("rename \\S+/\\.run\\.json\\.[-0-9a-f]+\\.tmp " + out + "/run.json")), calls.toString());
        assertTrue(calls.stream().anyMatch(c -> c.matches("rename \\S+\\.tmp " + out + "/filters/block1_conv2_0000\\.png")), calls.toString());
        assertTrue(calls.stream().anyMatch(c -> c.matches("rename \\S+\\.tmp " + out + "/state/block1_conv2_0003\\.csv")), calls.toString());
        assertTrue(calls.stream().anyMatch(c -> c.matches("rename \\S+\\.tmp " + out + "/index\\.html")), calls.toString());
        assertTrue(calls.stream().anyMatch(c -> c.startsWith("createNew " + out + "/results/_temporary/") && c.endsWith(".parquet")),
                "Spark's Parquet writer used it too: " + calls);
        assertTrue(calls.stream().anyMatch(c -> c.startsWith("rename ") && c.contains(" " + out + "/results/part-")),
                "Spark's committer moved the table into --out: " + calls);
        assertEquals("delete " + lease, calls.get(calls.size() - 1), "the lease is released last");
        assertEquals(5, Files.readAllLines(out.resolve("results.csv")).size());

        // Resume reads the state through it.
        Files.delete(out.resolve("state/block1_conv2_0002.csv"));
        CountingFileSystem.reset();
        MainRun again = run(args);
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("Resuming: 3 finished filters skipped, 1 to compute"), again.out());
        calls = CountingFileSystem.calls();
        assertTrue(calls.contains("list " + out + "/state"), calls.toString());
        assertTrue(calls.contains("open " + out + "/state/block1_conv2_0001.csv"), calls.toString());
    }
}
