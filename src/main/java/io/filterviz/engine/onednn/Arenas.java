package io.filterviz.engine.onednn;

import org.bytedeco.javacpp.Pointer;

import java.util.ArrayList;
import java.util.List;

/**
 * One objective's working memory: numbered buffers that grow to the largest size asked of them. Chains for
 * different image sizes run one at a time on a task's thread, so they share these buffers, and a task holds
 * the memory of its largest size once, not once per size.
 */
final class Arenas implements AutoCloseable {
    private final List<NativeBuffer> buffers = new ArrayList<>();

    Pointer get(int slot, long bytes) {
        while (buffers.size() <= slot) buffers.add(null);
        NativeBuffer b = buffers.get(slot);
        if (b == null || b.bytes() < bytes) {
            if (b != null) b.close();
            b = new NativeBuffer(bytes);
            buffers.set(slot, b);
        }
        return b.pointer();
    }

    @Override
    public void close() {
        for (NativeBuffer b : buffers) if (b != null) b.close();
        buffers.clear();
    }
}
