package io.filterviz.examples;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Scans kept between tasks of one executor JVM: a collection of small files makes many short tasks (Spark packs
 * about 32 files into a partition), and each would otherwise build its own oneDNN chains again. A task borrows a
 * scan and closing it gives it back; at most {@link #IDLE} wait per (targets, batch, threads), the rest are closed.
 */
final class ScanPool {
    /** Idle scans kept per key: one per task slot of a usual executor. */
    static final int IDLE = 4;

    private record Key(List<String> targets, int batch, int threads) {}

    private final Map<Key, Deque<ActivationScan>> idle = new HashMap<>();

    ActivationScan borrow(List<String> targets, int batch, int threads, Supplier<ActivationScan> open) {
        Key key = new Key(List.copyOf(targets), batch, threads);
        ActivationScan scan;
        synchronized (this) {
            scan = idle.getOrDefault(key, new ArrayDeque<>()).poll();
        }
        if (scan == null) scan = open.get();
        return new Borrowed(scan, key);
    }

    /** Idle scans now (tests). */
    synchronized int idle() { return idle.values().stream().mapToInt(Deque::size).sum(); }

    private void giveBack(Key key, ActivationScan scan) {
        synchronized (this) {
            Deque<ActivationScan> waiting = idle.computeIfAbsent(key, k -> new ArrayDeque<>());
            if (waiting.size() < IDLE) {
                waiting.push(scan);
                return;
            }
        }
        scan.close();
    }

    /** A scan on loan: the same answers, and {@link #close} gives it back to the pool. */
    private final class Borrowed implements ActivationScan {
        private final ActivationScan scan;
        private final Key key;
        private boolean closed;

        Borrowed(ActivationScan scan, Key key) {
            this.scan = scan;
            this.key = key;
        }

        @Override
        public List<String> targets() { return scan.targets(); }

        @Override
        public int batch() { return scan.batch(); }

        @Override
        public List<ChannelPeaks> scan(float[] pixels, int height, int width) { return scan.scan(pixels, height, width); }

        @Override
        public List<List<ChannelPeaks>> scan(List<float[]> images, int height, int width) {
            return scan.scan(images, height, width);
        }

        @Override
        public void scanInto(List<String> paths, List<float[]> images, int height, int width, TopExamples top) {
            scan.scanInto(paths, images, height, width, top);
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            giveBack(key, scan);
        }
    }
}
