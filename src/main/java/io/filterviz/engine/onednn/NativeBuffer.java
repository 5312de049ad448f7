package io.filterviz.engine.onednn;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Off-heap memory aligned to 64 bytes (a cache line, what oneDNN's own allocator uses), freed explicitly: the
 * buffers of a primitive chain live as long as the task's objective, not until the garbage collector notices.
 * A {@link Cleaner} is the safety net behind {@link #close}: a buffer that becomes unreachable unclosed (an
 * objective dropped on an exception path, an evicted model) is still freed, once, and counted.
 */
final class NativeBuffer implements AutoCloseable {
    private static final long ALIGN = 64;
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicLong FREED_BY_CLEANER = new AtomicLong();

    private final Free free;
    private final Cleaner.Cleanable cleanable;
    private final Aligned aligned;
    private final long bytes;

    NativeBuffer(long bytes) {
        this.bytes = Math.max(bytes, 1);
        Pointer raw = Pointer.malloc(this.bytes + ALIGN);
        if (raw == null || raw.isNull()) throw new OutOfMemoryError("malloc of " + bytes + " bytes failed");
        free = new Free(raw);
        cleanable = CLEANER.register(this, free);
        aligned = new Aligned(this, (raw.address() + ALIGN - 1) / ALIGN * ALIGN, this.bytes);
    }

    long bytes() { return bytes; }

    /** The aligned memory; the view keeps this buffer reachable, so the cleaner never frees memory still in use. */
    Pointer pointer() { return aligned; }

    FloatPointer floats() { return new FloatPointer(aligned).capacity(bytes / Float.BYTES).limit(bytes / Float.BYTES); }

    /** Frees the memory now; a second call does nothing. */
    @Override
    public void close() {
        free.explicit = true;
        cleanable.clean();
    }

    /** Whether the cleaner, not {@link #close}, freed this buffer (a leak caught): for tests. */
    boolean freedByItsCleaner() { return free.leaked; }

    /** Buffers freed by the garbage collector's cleaner rather than by {@link #close} (leaks caught): for tests. */
    static long freedByCleaner() { return FREED_BY_CLEANER.get(); }

    /** The cleaning action: holds the raw pointer, never the buffer (or the buffer would stay reachable). */
    private static final class Free implements Runnable {
        private final Pointer raw;
        volatile boolean explicit;
        volatile boolean leaked;

        Free(Pointer raw) { this.raw = raw; }

        @Override
        public void run() {
            Pointer.free(raw);
            if (explicit) return;
            leaked = true;
            FREED_BY_CLEANER.incrementAndGet();
        }
    }

    /** A view of an address inside the raw allocation; JavaCPP gives no public constructor from an address. */
    private static final class Aligned extends Pointer {
        @SuppressWarnings("unused") // a strong reference: while a view is in use, its buffer is not freed
        private final NativeBuffer owner;

        Aligned(NativeBuffer owner, long address, long bytes) {
            this.owner = owner;
            this.address = address;
            this.capacity = bytes;
            this.limit = bytes;
        }
    }
}
