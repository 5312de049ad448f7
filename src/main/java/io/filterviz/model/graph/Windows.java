package io.filterviz.model.graph;

/** Output size of a sliding window (convolution, pooling), ONNX's formula with floor or ceil. */
final class Windows {
    private Windows() {}

    static int out(int size, int kernel, int stride, int padBegin, int padEnd, int dilation, boolean ceil) {
        int span = (kernel - 1) * dilation + 1;
        int room = size + padBegin + padEnd - span;
        if (room < 0) return 0;
        int steps = ceil ? (room + stride - 1) / stride : room / stride;
        int out = steps + 1;
        // ONNX (and PyTorch): with ceil_mode the last window must start inside the image or its left padding
        if (ceil && (out - 1) * stride >= size + padBegin) out--;
        return out;
    }
}
