package io.filterviz.model.graph;

import java.util.List;

/**
 * A fully connected layer (ONNX Gemm with a constant B, or MatMul + Add): {@code y = W·x + b}, W stored out × in,
 * row-major ({@link #NO_WEIGHTS} in a graph read for its structure only). It takes a vector, or a C×1×1 image (after
 * GlobalAveragePool) as a vector of C; any other tensor on its last axis (a transformer's Linear on every token),
 * whose units the output's last axis then holds.
 */
public record Dense(int outUnits, int inUnits, float[] weights, float[] bias) implements Op {
    /** The weights of a dense layer read for its shapes only; no engine runs it. */
    public static final float[] NO_WEIGHTS = new float[0];

    public Dense {
        if (weights.length != (long) outUnits * inUnits && weights.length != 0) {
            throw new IllegalArgumentException("weights hold " + weights.length + " values, expected " + outUnits + "×" + inUnits);
        }
        if (bias.length != outUnits) throw new IllegalArgumentException("bias holds " + bias.length + " values, expected " + outUnits);
    }

    /** False in a graph read for its structure only. */
    public boolean hasWeights() { return weights.length > 0; }

    @Override
    public String type() { return "Gemm"; }

    @Override
    public int arity() { return 1; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = inputs.get(0);
        if (!in.planar()) {
            if (in.dim(in.rank() - 1) != inUnits) {
                throw new ShapeException("Gemm expects " + inUnits + " values on the last axis, got " + in);
            }
            int[] dims = in.dims();
            dims[dims.length - 1] = outUnits;
            return Shape.channelsLast(dims);
        }
        if (in.size() != inUnits) {
            throw new ShapeException("Gemm expects " + inUnits + " inputs, got " + in + " (" + in.size() + ")");
        }
        return Shape.vector(outUnits);
    }
}
