package io.filterviz.cli;

import io.filterviz.testing.MainRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run-time failure is one line that names what went wrong and on what, then the root cause. */
class FailureMessageTest {
    @TempDir
    Path dir;

    /** An exception as if thrown by {@code className}: the stack trace is what tells ours from a library's. */
    private static <T extends Throwable> T thrownBy(String className, T e) {
        e.setStackTrace(new StackTraceElement[]{new StackTraceElement(className, "run", null, -1)});
        return e;
    }

    @Test
    void oneDnnThatDoesNotLoadOnAnExecutorIsSaidSoNotAsARawLinkError() {
        UnsatisfiedLinkError link = thrownBy("java.lang.ClassLoader",
                new UnsatisfiedLinkError("no jnidnnl in java.library.path: /usr/lib"));
        IllegalStateException ours = thrownBy("io.filterviz.engine.onednn.OnednnBackend",
                new IllegalStateException("oneDNN does not load on this machine: " + link, link));
        RuntimeException spark = thrownBy("org.apache.spark.scheduler.DAGScheduler", new RuntimeException(
                "Job aborted due to stage failure: Task 0 in stage 0.0 failed 4 times, most recent failure: " + ours, ours));
        assertEquals("oneDNN does not load on this machine: java.lang.UnsatisfiedLinkError: no jnidnnl in "
                + "java.library.path: /usr/lib", Main.failure(spark), "the message already holds the root cause");
    }

    @Test
    void aWrapperThatNamesTheObjectComesFirstThenTheRootCause() {
        IOException denied = thrownBy("sun.nio.fs.UnixException", new AccessDeniedException("/data/out/results.csv"));
        UncheckedIOException ours = thrownBy("io.filterviz.storage.OutputStore",
                new UncheckedIOException("cannot write file:/data/out/results.csv", denied));
        // a wrapper that only repeats its cause says nothing more
        RuntimeException repeats = thrownBy("io.filterviz.report.RunReport", new RuntimeException(ours));
        assertEquals("cannot write file:/data/out/results.csv: AccessDeniedException: /data/out/results.csv",
                Main.failure(repeats));
    }

    @Test
    void ourOwnRootCauseFromAnExecutorIsSaidInItsOwnWords() {
        IllegalStateException ours = thrownBy("io.filterviz.engine.onednn.OnednnBackend",
                new IllegalStateException("--precision bf16 needs a CPU with AVX512_BF16"));
        RuntimeException spark = thrownBy("org.apache.spark.scheduler.DAGScheduler",
                new RuntimeException("Job aborted due to stage failure: " + ours, ours));
        assertEquals("--precision bf16 needs a CPU with AVX512_BF16", Main.failure(spark));
    }

    @Test
    void withoutAMessageOfOursTheRootCauseIsWhatIsSaid() {
        IOException disk = thrownBy("org.apache.hadoop.fs.RawLocalFileSystem", new IOException("No space left on device"));
        RuntimeException library = thrownBy("org.apache.spark.sql.execution.datasources.FileFormatWriter",
                new RuntimeException("Job aborted.", disk));
        assertEquals("IOException: No space left on device", Main.failure(library));
    }

    @Test
    void aGridThatCannotBeWrittenNamesItsUriAndTheCause() throws Exception {
        Path out = dir.resolve("out");
        for (int n = 1; n <= 2; n++) {
            Files.createDirectories(out.resolve("vgg_block1_conv1_" + n + "x" + n + ".png").resolve("in-the-way"));
        }
        MainRun run = MainRun.of(List.of("--weights", "random", "--layer", "block1_conv1", "--filter-range", "0:4",
                "--epochs", "1", "--upscaling-steps", "1", "--output-dim", "24", "--out", out.toString()),
                Map.of("KERAS_HOME", dir.resolve("keras").toString()));
        assertEquals(Main.FAILED, run.exit(), run.err());
        List<String> said = run.err().lines().filter(l -> l.startsWith("filterviz: failed: ")).toList();
        assertEquals(1, said.size(), run.err());
        assertTrue(said.get(0).matches("filterviz: failed: cannot write file:" + out + "/vgg_block1_conv1_\\dx\\d\\.png: "
                + "\\w+: .+"), said.get(0));
    }
}
