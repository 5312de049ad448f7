package io.filterviz.model.onnx;

/**
 * What the reader knows of a tensor computed at run time, whatever the input size.
 *
 * @param rank     4 for an image (NCHW), 2 for a vector
 * @param channels its channels (a vector's units), −1 where they depend on the input size
 * @param global   whether it is C×1×1 at every input size (after a global pool)
 */
record TensorInfo(int rank, int channels, boolean global) {}
