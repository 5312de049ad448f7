package io.filterviz.storage;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One writer per --out. A run holds {@value #FILE} in --out, naming it (application id, host, pid, since when); a
 * daemon thread rewrites the file every {@link #REFRESH}, so its modification time says the holder is alive. A second
 * run that finds a live lease stops with {@link LeaseHeldException}. A stale lease (untouched for {@link #STALE_AFTER},
 * held by a process of this host that no longer exists, or by an earlier attempt of the same YARN application) is
 * taken over, and so is any lease with --overwrite; the
 * run that lost its lease notices at its next refresh ({@link #checkHeld()}).
 * <p>
 * The file is created with overwrite=false: atomic on HDFS (the NameNode decides) and on local disk (O_EXCL). On S3
 * two runs starting within the same second could both succeed; the loser finds another holder's name at its first
 * refresh and stops.
 */
public final class OutputLease implements AutoCloseable {
    public static final String FILE = ".filterviz-lease";
    /** How often the holder rewrites the lease: one small write, cheap on every file system. */
    static final Duration REFRESH = Duration.ofSeconds(15);
    /**
     * A lease not refreshed for this long is stale. Eight missed refreshes: far longer than a driver's GC pause or an
     * HDFS NameNode failover (tens of seconds), short enough that a rerun after a crash on another host waits at most
     * this long. (A crashed holder on the same host is recognised at once: its pid is gone.)
     */
    public static final Duration STALE_AFTER = Duration.ofMinutes(2);

    private final OutputStore store;
    private final FileSystem fs;
    private final Path file;
    private final Clock clock;
    private final Duration staleAfter;
    private final ScheduledExecutorService refresher;
    private volatile Holder me;
    private volatile long lastRefresh;
    private volatile String lost;

    private OutputLease(OutputStore store, Holder me, Clock clock, Duration refresh, Duration staleAfter) {
        this.store = store;
        this.fs = store.fileSystem();
        this.file = store.path(FILE);
        this.me = me;
        this.clock = clock;
        this.staleAfter = staleAfter;
        this.lastRefresh = clock.millis();
        this.refresher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "filterviz-lease");
            thread.setDaemon(true);
            return thread;
        });
        refresher.scheduleWithFixedDelay(this::refresh, refresh.toMillis(), refresh.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Takes the lease on --out, creating the folder if needed.
     *
     * @param takeOver    take a live lease too (--overwrite)
     * @param application the application id when known before Spark starts (YARN cluster mode's
     *                    {@code spark.yarn.app.id}), else null; a lease of an earlier attempt of the same
     *                    application is taken over at once
     * @throws LeaseHeldException another run holds a live lease (the message names it: one line for the user)
     */
    public static OutputLease acquire(OutputStore store, boolean takeOver, String application) {
        return acquire(store, takeOver, application, Clock.systemUTC(), REFRESH, STALE_AFTER);
    }

    static OutputLease acquire(OutputStore store, boolean takeOver, Clock clock, Duration refresh, Duration staleAfter) {
        return acquire(store, takeOver, null, clock, refresh, staleAfter);
    }

    static OutputLease acquire(OutputStore store, boolean takeOver, String application, Clock clock, Duration refresh,
                               Duration staleAfter) {
        Holder me = Holder.thisProcess(clock.instant()).withApplication(application);
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                if (createNew(store, me)) return new OutputLease(store, me, clock, refresh, staleAfter);
                Optional<FileStatus> status = status(store.fileSystem(), store.path(FILE));
                if (status.isEmpty()) continue; // released meanwhile: try again
                Holder holder = read(store.fileSystem(), store.path(FILE)).orElse(null);
                long age = clock.millis() - status.get().getModificationTime();
                boolean stale = age > staleAfter.toMillis() || (holder != null && (holder.isDeadProcessOfThisHost()
                        || (application != null && application.equals(holder.application())))); // a retried attempt
                if (!takeOver && !stale) {
                    throw new LeaseHeldException(String.format("--out %s is being written by another filterviz run: %s "
                                    + "(lease refreshed %d s ago); wait for it to finish or use another --out "
                                    + "(a lease not refreshed for %d min is taken over; --overwrite takes it over now)",
                            store.uri(""), holder == null ? "a run whose lease file cannot be read" : holder.describe(),
                            Math.max(0, age / 1000), staleAfter.toMinutes()));
                }
                store.fileSystem().delete(store.path(FILE), false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take the lease " + store.uri(FILE), e);
        }
        throw new LeaseHeldException("--out " + store.uri("") + ": another filterviz run is taking the lease at the "
                + "same moment; try again");
    }

    /** Names the run by its Spark application id once Spark has one. */
    public synchronized void nameApplication(String applicationId) {
        me = me.withApplication(applicationId);
        refresh();
    }

    /** @throws IllegalStateException when another run took the lease over: this one must stop writing */
    public void checkHeld() {
        if (lost != null) throw new IllegalStateException("lost the lease on --out " + store.uri("") + ": " + lost);
    }

    /** Releases the lease (if this run still holds it); never throws, as it runs after success and failure alike. */
    @Override
    public synchronized void close() {
        refresher.shutdownNow();
        if (lost != null) return;
        try {
            Optional<Holder> current = read(fs, file);
            if (current.isPresent() && current.get().token().equals(me.token())) fs.delete(file, false);
        } catch (IOException | RuntimeException e) {
            // the lease goes stale by itself after STALE_AFTER
        }
    }

    private synchronized void refresh() {
        if (lost != null || refresher.isShutdown()) return;
        try {
            Optional<Holder> current = read(fs, file);
            if (current.isEmpty() || !current.get().token().equals(me.token())) {
                lost = current.map(h -> "taken over by " + h.describe()).orElse("its lease file was removed");
                refresher.shutdown();
                return;
            }
            try (FSDataOutputStream out = fs.create(file, true)) {
                out.write(me.bytes());
            }
            lastRefresh = clock.millis();
        } catch (IOException | RuntimeException e) {
            if (clock.millis() - lastRefresh > staleAfter.toMillis()) {
                lost = "not refreshed for " + staleAfter.toMinutes() + " min (" + e.getMessage() + ")";
                refresher.shutdown();
            }
        }
    }

    private static boolean createNew(OutputStore store, Holder me) throws IOException {
        FileSystem fs = store.fileSystem();
        Path file = store.path(FILE);
        fs.mkdirs(file.getParent());
        if (store.isLocal()) { // Hadoop's local create(overwrite=false) checks, then creates: O_EXCL is atomic
            try {
                Files.write(java.nio.file.Path.of(file.toUri()), me.bytes(), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            }
        }
        try (FSDataOutputStream out = fs.create(file, false)) {
            out.write(me.bytes());
            return true;
        } catch (IOException e) {
            if (fs.exists(file)) return false; // FileAlreadyExistsException, as HDFS and S3A name it
            throw e;
        }
    }

    private static Optional<FileStatus> status(FileSystem fs, Path file) throws IOException {
        try {
            return Optional.of(fs.getFileStatus(file));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
    }

    /** The holder named in the lease file; empty when it is gone or cannot be read (e.g. caught mid-write). */
    private static Optional<Holder> read(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return Holder.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
    }

    /** Who holds a lease. {@code token} tells two runs apart even in one JVM. */
    record Holder(String token, String application, String host, long pid, long processStart, Instant since) {
        private static final String HOST = hostName();

        static Holder thisProcess(Instant now) {
            ProcessHandle self = ProcessHandle.current();
            return new Holder(UUID.randomUUID().toString(), null, HOST, self.pid(), startOf(self),
                    now.truncatedTo(ChronoUnit.SECONDS));
        }

        Holder withApplication(String id) {
            return new Holder(token, id, host, pid, processStart, since);
        }

        String describe() {
            return (application == null ? "run " + token : "application " + application) + " on host " + host
                    + ", pid " + pid + ", since " + since;
        }

        boolean isDeadProcessOfThisHost() {
            if (!host.equals(HOST)) return false;
            return ProcessHandle.of(pid).map(p -> startOf(p) != processStart).orElse(true);
        }

        byte[] bytes() {
            Properties p = new Properties();
            p.setProperty("token", token);
            if (application != null) p.setProperty("application", application);
            p.setProperty("host", host);
            p.setProperty("pid", Long.toString(pid));
            p.setProperty("processStart", Long.toString(processStart));
            p.setProperty("since", since.toString());
            StringWriter text = new StringWriter();
            try {
                p.store(text, "filterviz: the run writing this folder (a lease, refreshed while it runs)");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return text.toString().getBytes(StandardCharsets.UTF_8);
        }

        static Optional<Holder> parse(String text) {
            Properties p = new Properties();
            try {
                p.load(new StringReader(text));
                return Optional.of(new Holder(p.getProperty("token"), p.getProperty("application"),
                        p.getProperty("host"), Long.parseLong(p.getProperty("pid")),
                        Long.parseLong(p.getProperty("processStart")), Instant.parse(p.getProperty("since"))));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        private static long startOf(ProcessHandle process) {
            return process.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
        }

        private static String hostName() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return "unknown";
            }
        }
    }
}
