package io.filterviz.app;

import io.filterviz.testing.MainRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two runs into one --out: the second is refused while the first runs; a stale lease is taken over. */
class OneWriterPerOutputTest {
    private static final String LEASE = ".filterviz-lease";

    @TempDir
    Path dir;

    private static MainRun run(List<String> args) {
        return MainRun.of(args);
    }

    private static List<String> files(Path root) throws Exception {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void aSecondRunIsRefusedWhileTheFirstWritesAndAStaleLeaseIsTakenOver() throws Exception {
        Path out = dir.resolve("out");
        List<String> args = new ArrayList<>(List.of("--weights", "random", "--filter-range", "0:8", "--output-dim", "96",
                "--upscaling-steps", "3", "--epochs", "6", "--master", "local[2]", "--out", out.toString()));
        CompletableFuture<MainRun> first = CompletableFuture.supplyAsync(() -> run(args));
        Instant end = Instant.now().plus(Duration.ofMinutes(2));
        while (!(Files.exists(out.resolve(LEASE)) && Files.readString(out.resolve(LEASE)).contains("application="))) {
            assertTrue(Instant.now().isBefore(end) && !first.isDone(), "the first run never took the lease");
            Thread.sleep(50);
        }

        MainRun second = run(args);
        boolean firstStillRunning = !first.isDone();
        MainRun done = first.get(); // before any assertion: a run left going would share the next test's SparkContext
        assertEquals(2, second.exit(), second.err());
        assertEquals(1, second.err().lines().count(), second.err());
        assertTrue(second.err().startsWith("filterviz: --out file:" + out + " is being written by another filterviz run: "
                + "application local-"), second.err());
        assertTrue(second.err().contains(" on host " + InetAddress.getLocalHost().getHostName() + ", pid "
                + ProcessHandle.current().pid() + ", since "), second.err());
        assertTrue(firstStillRunning, "the first run ended before the second was refused: the test proved nothing");

        assertEquals(0, done.exit(), done.err());
        List<String> rows = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(9, rows.size(), "the first run's output is whole");
        long dead = rows.stream().filter(r -> r.endsWith(",dead")).count();
        assertTrue(done.out().lines().anyMatch(l -> l.equals("8 filters processed: " + (8 - dead) + " live, " + dead + " dead")),
                "the first run computed all 8 filters itself: " + done.out());
        List<String> written = files(out);
        assertFalse(written.contains(LEASE), "released at the end: " + written);
        assertTrue(written.stream().noneMatch(f -> f.endsWith(".crc")), "no checksum files: " + written);
        assertEquals(8, written.stream().filter(f -> f.startsWith("state/")).count(), written.toString());
        FileTime csvTime = Files.getLastModifiedTime(out.resolve("results.csv"));

        // A crashed run on another host left a lease: refused while it is fresh, taken over once stale.
        String foreign = "token=t\napplication=application_17_0001\nhost=elsewhere\npid=1\nprocessStart=0\n"
                + "since=2026-11-29T01:00:00Z\n";
        Files.writeString(out.resolve(LEASE), foreign);
        MainRun refused = run(args);
        assertEquals(2, refused.exit(), refused.err());
        // how many seconds ago depends on the machine's load: the holder is what the user must read
        assertTrue(refused.err().matches("(?s).*application application_17_0001 on host elsewhere, pid 1, since "
                + "2026-11-29T01:00:00Z \\(lease refreshed \\d+ s ago\\).*"), refused.err());
        assertEquals(csvTime, Files.getLastModifiedTime(out.resolve("results.csv")), "nothing written");

        Files.setLastModifiedTime(out.resolve(LEASE), FileTime.from(Instant.now().minus(Duration.ofMinutes(3))));
        MainRun takeover = run(args);
        assertEquals(0, takeover.exit(), takeover.err());
        assertTrue(takeover.out().contains("Resuming: 8 finished filters skipped, 0 to compute"), takeover.out());
        assertFalse(Files.exists(out.resolve(LEASE)), "released");
    }
}
