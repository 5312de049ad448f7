package io.filterviz.engine.onednn;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Native buffers: freed once on close, freed by the cleaner when dropped unclosed, never while a view is in use. */
class NativeBufferTest {

    @Test
    void closeFreesOnceAndIsNotCountedAsALeak() {
        NativeBuffer buffer = new NativeBuffer(1 << 20);
        buffer.floats().put(0, 1f);
        buffer.close();
        buffer.close(); // a second free of the same memory would abort the JVM (glibc)
        // this buffer's own flag: the global count also moves when the cleaner frees other tests' garbage meanwhile
        assertFalse(buffer.freedByItsCleaner());
    }

    @Test
    void aBufferDroppedWithoutCloseIsFreedByTheCleaner() throws Exception {
        long leaksBefore = NativeBuffer.freedByCleaner();
        WeakReference<NativeBuffer> dropped = new WeakReference<>(new NativeBuffer(1 << 20));
        awaitWithGc(() -> dropped.get() == null, "the unclosed buffer stayed reachable");
        awaitWithGc(() -> NativeBuffer.freedByCleaner() > leaksBefore, "the cleaner did not free the dropped buffer");
    }

    @Test
    void aViewInUseKeepsItsBufferAlive() throws Exception {
        NativeBuffer buffer = new NativeBuffer(4096);
        WeakReference<NativeBuffer> owner = new WeakReference<>(buffer);
        Pointer view = buffer.pointer();
        buffer = null;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNotNull(owner.get(), "the buffer was collected while its pointer was still in use");
        assertTrue(view.address() % 64 == 0, "aligned to a cache line");
        owner.get().close();
    }

    private static void awaitWithGc(BooleanSupplier condition, String failure) throws InterruptedException {
        Instant end = Instant.now().plus(Duration.ofSeconds(30));
        while (!condition.getAsBoolean()) {
            assertTrue(Instant.now().isBefore(end), failure);
            System.gc();
            Thread.sleep(20);
        }
    }
}
