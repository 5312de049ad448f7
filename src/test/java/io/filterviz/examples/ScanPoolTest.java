package io.filterviz.examples;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Tasks of one JVM reuse each other's scans (their oneDNN chains) instead of building them again, within a bound. */
class ScanPoolTest {
    private static final class Counted implements ActivationScan {
        final AtomicInteger closed;

        Counted(AtomicInteger closed) { this.closed = closed; }

        @Override
        public List<String> targets() { return List.of("t"); }

        @Override
        public List<ChannelPeaks> scan(float[] pixels, int height, int width) { return List.of(); }

        @Override
        public void close() { closed.incrementAndGet(); }
    }

    @Test
    void aTaskAfterAnotherReusesItsScanAndIdleScansAreBounded() {
        ScanPool pool = new ScanPool();
        AtomicInteger opened = new AtomicInteger(), closed = new AtomicInteger();
        List<String> targets = List.of("t");
        for (int task = 0; task < 3; task++) {
            try (ActivationScan scan = pool.borrow(targets, 8, 1, () -> {
                opened.incrementAndGet();
                return new Counted(closed);
            })) {
                scan.scan(new float[1], 1, 1);
            }
        }
        assertEquals(1, opened.get(), "one scan serves tasks that run one after another");
        assertEquals(0, closed.get());
        // another batch or thread count is another scan
        pool.borrow(targets, 4, 1, () -> {
            opened.incrementAndGet();
            return new Counted(closed);
        }).close();
        assertEquals(2, opened.get());
        // many tasks at once: each its own scan; given back, only IDLE per key stay, the others are closed
        List<ActivationScan> atOnce = new ArrayList<>();
        for (int i = 0; i < ScanPool.IDLE + 3; i++) {
            atOnce.add(pool.borrow(targets, 8, 1, () -> {
                opened.incrementAndGet();
                return new Counted(closed);
            }));
        }
        assertEquals(2 + ScanPool.IDLE + 2, opened.get(), "the idle one is reused, the others opened");
        atOnce.forEach(ActivationScan::close);
        atOnce.get(0).close(); // twice: nothing more
        assertEquals(3, closed.get());
        assertEquals(ScanPool.IDLE + 1, pool.idle());
    }
}
