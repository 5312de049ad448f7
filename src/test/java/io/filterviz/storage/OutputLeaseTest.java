package io.filterviz.storage;

import io.filterviz.testing.CountingFileSystem;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One writer per --out: a live lease refuses, a stale or dead one is taken over, the holder releases it. */
class OutputLeaseTest {
    private static final long PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    private OutputStore store() {
        return OutputStore.open(dir.resolve("out").toString(), new Configuration());
    }

    private Path leaseFile() {
        return dir.resolve("out").resolve(OutputLease.FILE);
    }

    /** A lease file as another run would have left it, last refreshed {@code age} ago; returns that moment. */
    private Instant foreignLease(String host, long pid, Duration age) throws Exception {
        Files.createDirectories(dir.resolve("out"));
        Files.write(leaseFile(), new OutputLease.Holder("other-token", "application_17_0001", host, pid, 0,
                Instant.parse("2026-11-29T01:00:00Z")).bytes());
        Instant refreshed = Instant.now().minus(age).truncatedTo(ChronoUnit.SECONDS);
        Files.setLastModifiedTime(leaseFile(), FileTime.from(refreshed));
        return refreshed;
    }

    /** A second run whose clock reads {@code now}: the lease's age it reports does not depend on the machine's load. */
    private OutputLease acquireAt(Instant now) {
        return OutputLease.acquire(store(), false, null, Clock.fixed(now, ZoneOffset.UTC), OutputLease.REFRESH,
                OutputLease.STALE_AFTER);
    }

    @Test
    void theLeaseNamesItsHolderAndIsReleasedOnClose() throws Exception {
        try (OutputLease lease = OutputLease.acquire(store(), false, null)) {
            lease.nameApplication("local-123");
            String text = Files.readString(leaseFile());
            assertTrue(text.contains("application=local-123"), text);
            assertTrue(text.contains("pid=" + PID), text);
            assertTrue(text.contains("host=" + InetAddress.getLocalHost().getHostName()), text);
            lease.checkHeld();
        }
        assertFalse(Files.exists(leaseFile()), "released");
    }

    @Test
    void aSecondRunIntoALiveLeaseIsRefusedInOneLineNamingTheHolder() throws Exception {
        try (OutputLease first = OutputLease.acquire(store(), false, null)) {
            first.nameApplication("local-123");
            Instant refreshed = Files.getLastModifiedTime(leaseFile()).toInstant();
            LeaseHeldException e = assertThrows(LeaseHeldException.class, () -> acquireAt(refreshed));
            String host = InetAddress.getLocalHost().getHostName();
            assertTrue(e.getMessage().startsWith("--out " + store().uri("") + " is being written by another filterviz "
                    + "run: application local-123 on host " + host + ", pid " + PID + ", since 20"), e.getMessage());
            assertTrue(e.getMessage().contains("lease refreshed 0 s ago"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
            first.checkHeld();
            assertTrue(Files.readString(leaseFile()).contains("application=local-123"), "the first run keeps it");
        }
    }

    @Test
    void aLiveLeaseOfAnotherHostIsRefusedAndAStaleOneTakenOver() throws Exception {
        Instant refreshed = foreignLease("elsewhere", 42, Duration.ofSeconds(30));
        LeaseHeldException e = assertThrows(LeaseHeldException.class, () -> acquireAt(refreshed.plusSeconds(30)));
        assertTrue(e.getMessage().contains("application application_17_0001 on host elsewhere, pid 42, "
                + "since 2026-11-29T01:00:00Z (lease refreshed 30 s ago)"), e.getMessage());
        assertTrue(e.getMessage().contains("not refreshed for 2 min is taken over"), e.getMessage());

        foreignLease("elsewhere", 42, OutputLease.STALE_AFTER.plusSeconds(1));
        try (OutputLease lease = OutputLease.acquire(store(), false, null)) {
            assertTrue(Files.readString(leaseFile()).contains("pid=" + PID));
        }
        assertFalse(Files.exists(leaseFile()));
    }

    @Test
    void aLeaseOfAProcessOfThisHostThatIsGoneIsTakenOverAtOnce() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        foreignLease(InetAddress.getLocalHost().getHostName(), gone.pid(), Duration.ZERO);
        try (OutputLease lease = OutputLease.acquire(store(), false, null)) {
            assertTrue(Files.readString(leaseFile()).contains("pid=" + PID));
        }
    }

    @Test
    void aRetriedAttemptOfTheSameYarnApplicationTakesItsLeaseOverAtOnce() throws Exception {
        foreignLease("node-7", 4242, Duration.ZERO); // application_17_0001, first attempt, on another node
        assertThrows(LeaseHeldException.class, () -> OutputLease.acquire(store(), false, "application_17_0002"));
        try (OutputLease lease = OutputLease.acquire(store(), false, "application_17_0001")) {
            assertTrue(Files.readString(leaseFile()).contains("pid=" + PID));
        }
    }

    @Test
    void overwriteTakesOverALiveLeaseAndTheFirstRunNoticesAtItsNextRefresh() throws Exception {
        OutputLease first = OutputLease.acquire(store(), false, Clock.systemUTC(), Duration.ofMillis(20),
                OutputLease.STALE_AFTER);
        try (OutputLease second = OutputLease.acquire(store(), true, null)) {
            second.nameApplication("local-2");
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            IllegalStateException lost = null;
            while (lost == null && System.nanoTime() < end) {
                try {
                    first.checkHeld();
                    Thread.sleep(10);
                } catch (IllegalStateException e) {
                    lost = e;
                }
            }
            // "taken over by …", or "its lease file was removed" when its refresh fell between the delete and the create
            assertTrue(lost != null && lost.getMessage().startsWith("lost the lease on --out " + store().uri("") + ": "),
                    String.valueOf(lost));
            first.close();
            assertTrue(Files.readString(leaseFile()).contains("application=local-2"), "the first run leaves it alone");
        }
        assertFalse(Files.exists(leaseFile()));
    }

    @Test
    void theHolderRefreshesItsLease() throws Exception {
        try (OutputLease lease = OutputLease.acquire(store(), false, Clock.systemUTC(), Duration.ofMillis(20),
                OutputLease.STALE_AFTER)) {
            FileTime old = FileTime.from(Instant.now().minus(Duration.ofMinutes(10)));
            Files.setLastModifiedTime(leaseFile(), old);
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (Files.getLastModifiedTime(leaseFile()).equals(old) && System.nanoTime() < end) Thread.sleep(10);
            assertTrue(Files.getLastModifiedTime(leaseFile()).toInstant().isAfter(Instant.now().minusSeconds(60)));
            lease.checkHeld();
        }
    }

    @Test
    void throughHadoopsApiTheLeaseIsCreatedWithoutOverwrite() throws Exception {
        Configuration conf = new Configuration();
        conf.set("fs.counting.impl", CountingFileSystem.class.getName());
        conf.setBoolean("fs.counting.impl.disable.cache", true);
        OutputStore store = OutputStore.open(CountingFileSystem.uri(dir.resolve("out")), conf);
        CountingFileSystem.reset();
        try (OutputLease lease = OutputLease.acquire(store, false, null)) {
            assertTrue(CountingFileSystem.calls().contains("createNew " + leaseFile()), CountingFileSystem.calls().toString());
            assertThrows(LeaseHeldException.class, () -> OutputLease.acquire(store, false, null));
        }
        assertFalse(Files.exists(leaseFile()));
    }
}
