package io.filterviz.engine.onednn;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Off-heap memory aligned to 64 bytes (a cache line, what oneDNN's own allocator uses), freed explicitly: the
 * buffers of a primitive chain live as long as the task's objective, not until the garbage collector notices.
 */
final class NativeBuffer implements AutoCloseable {
    private static final long ALIGN = 64;

    private final Pointer raw;
    private final Aligned aligned;
    private final long bytes;

    NativeBuffer(long bytes) {
        this.bytes = Math.max(bytes, 1);
        raw = Pointer.malloc(this.bytes + ALIGN);
        if (raw == null || raw.isNull()) throw new OutOfMemoryError("malloc of " + bytes + " bytes failed");
        aligned = new Aligned((raw.address() + ALIGN - 1) / ALIGN * ALIGN, this.bytes);
    }

    long bytes() { return bytes; }

    Pointer pointer() { return aligned; }

    FloatPointer floats() { return new FloatPointer(aligned).capacity(bytes / Float.BYTES).limit(bytes / Float.BYTES); }

    @Override
    public void close() { Pointer.free(raw); }

    /** A view of an address inside {@link #raw}; JavaCPP gives no public constructor from an address. */
    private static final class Aligned extends Pointer {
        Aligned(long address, long bytes) {
            this.address = address;
            this.capacity = bytes;
            this.limit = bytes;
        }
    }
}
