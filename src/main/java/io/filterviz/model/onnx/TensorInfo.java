package io.filterviz.model.onnx;

/**
 * What the reader knows of a tensor computed at run time, whatever the input size.
 *
 * @param rank     its ONNX rank: 4 for an image (NCHW), 2 for a vector, any for a token tensor or channels-last plane
 * @param channels its channels (a vector's units), −1 where they depend on the input size or it is not planar
 * @param global   whether it is C×1×1 at every input size (after a global pool)
 * @param planar   an image (NCHW) or a vector (N × units), the tensors the convolutional operators take
 * @param batched  whether ONNX's axis 0 is the batch of one that the graph's tensor leaves out (ONNX axis a is the
 *                 graph's axis a − 1); false after an attention layer moved another axis first (ONNX axis a is the
 *                 graph's axis a, and the size-1 batch axis is somewhere inside)
 */
record TensorInfo(int rank, int channels, boolean global, boolean planar, boolean batched) {
    /** An image or a vector, batch first. */
    TensorInfo(int rank, int channels, boolean global) { this(rank, channels, global, true, true); }

    boolean image() { return planar && rank == 4; }

    boolean vector() { return planar && rank == 2; }

    /** The graph's axis for ONNX axis {@code axis} (negative counts from the end); −1 for the batch axis left out. */
    int graphAxis(long axis) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new IllegalArgumentException("axis " + axis + " of a rank-" + rank + " tensor");
        return (int) (batched ? a - 1 : a);
    }
}
