package io.filterviz.model.graph;

import java.util.List;

/**
 * Layer normalisation over the last axis: {@code y = (x − mean) / √(var + ε) · scale + shift}, var the biased
 * variance (ONNX LayerNormalization with axis −1, PyTorch's LayerNorm of one dimension, or its decomposed form).
 */
public record LayerNorm(float epsilon, float[] scale, float[] shift) implements Op {
    public LayerNorm {
        if (scale.length != shift.length) throw new IllegalArgumentException("scale and shift differ in length");
    }

    @Override
    public String type() { return "LayerNormalization"; }

    @Override
    public int arity() { return 1; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = inputs.get(0);
        if (in.dim(in.rank() - 1) != scale.length) {
            throw new ShapeException("LayerNormalization of " + scale.length + " values got " + in);
        }
        return in;
    }
}
