package io.filterviz.engine.onednn;

import org.bytedeco.dnnl.dnnl_blocking_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;

import static org.bytedeco.dnnl.global.dnnl.dnnl_blocked;

/**
 * Where a logical element of a oneDNN blocked tensor sits in its buffer (in elements), read once from its descriptor:
 * the outer strides and the inner blocks, as oneDNN's own {@code memory_desc_wrapper::off_v} computes it. Lets Java
 * read a tensor in the layout a primitive left it (nChw16c, ...) without a reorder to plain.
 */
final class BlockedLayout {
    private final long offset0;
    private final long[] strides;
    private final long[] innerBlocks;
    private final int[] innerDims;

    private BlockedLayout(long offset0, long[] strides, long[] innerBlocks, int[] innerDims) {
        this.offset0 = offset0;
        this.strides = strides;
        this.innerBlocks = innerBlocks;
        this.innerDims = innerDims;
    }

    /** The layout of {@code md}, or null when it is not a blocked one (Winograd's, RNN's, ...). */
    static BlockedLayout of(dnnl_memory_desc_t md) {
        if (md.format_kind() != dnnl_blocked) return null;
        dnnl_blocking_desc_t blocking = md.format_desc_blocking();
        int n = md.ndims();
        long[] strides = new long[n];
        for (int d = 0; d < n; d++) strides[d] = blocking.strides().get(d);
        int nblks = blocking.inner_nblks();
        long[] blocks = new long[nblks];
        int[] dims = new int[nblks];
        for (int i = 0; i < nblks; i++) {
            blocks[i] = blocking.inner_blks().get(i);
            dims[i] = (int) blocking.inner_idxs().get(i);
        }
        return new BlockedLayout(md.offset0(), strides, blocks, dims);
    }

    /** Whether dimension {@code d} is split into inner blocks (then a step along it is not one stride). */
    boolean blocked(int d) {
        for (int i : innerDims) if (i == d) return true;
        return false;
    }

    /** The element offset of the logical index {@code idx} (one entry per dimension). */
    long offset(long... idx) {
        long[] pos = idx.clone();
        long off = offset0, blockStride = 1;
        for (int i = innerBlocks.length - 1; i >= 0; i--) {
            int d = innerDims[i];
            off += pos[d] % innerBlocks[i] * blockStride;
            blockStride *= innerBlocks[i];
            pos[d] /= innerBlocks[i];
        }
        for (int d = 0; d < pos.length; d++) off += pos[d] * strides[d];
        return off;
    }
}
