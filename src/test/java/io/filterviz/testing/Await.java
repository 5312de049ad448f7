package io.filterviz.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** Waiting for an event, not for a length of time: poll a condition until it holds, or fail saying what never came. */
public final class Await {
    private Await() {}

    public static void until(Duration timeout, Callable<String> whatNeverCame, Callable<Boolean> condition) throws Exception {
        Instant end = Instant.now().plus(timeout);
        while (!condition.call()) {
            if (Instant.now().isAfter(end)) throw new AssertionError(whatNeverCame.call());
            Thread.sleep(50);
        }
    }

    /**
     * Until a running job has persisted at least {@code count} finished filters (rows in its state/ folder).
     *
     * @param stateRows how many rows state/ holds now (a local folder, HDFS, ...)
     * @param job       the job's process: ending before the rows appear is a failure at once
     * @param log       what the job said, for the failure message
     */
    public static void finishedFilters(Callable<Integer> stateRows, int count, Process job, Callable<String> log)
            throws Exception {
        until(Duration.ofMinutes(5), () -> "fewer than " + count + " finished filters:\n" + log.call(), () -> {
            if (stateRows.call() >= count) return true;
            if (!job.isAlive()) throw new AssertionError("the job ended before " + count + " filters finished:\n" + log.call());
            return false;
        });
    }

    /** The rows of a local --out's state/ folder. */
    public static int localStateRows(Path out) throws IOException {
        Path state = out.resolve("state");
        if (!Files.isDirectory(state)) return 0;
        try (Stream<Path> rows = Files.list(state)) {
            return (int) rows.filter(p -> p.toString().endsWith(".csv")).count();
        }
    }
}
