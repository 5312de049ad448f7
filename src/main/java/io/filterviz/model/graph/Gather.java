package io.filterviz.model.graph;

import java.util.Arrays;
import java.util.List;

/**
 * ONNX Gather with constant indices on one axis (batch left out): a ViT's class token ({@code x[:, 0]}, a scalar
 * index that removes the axis), or a list of indices that replaces the axis by their count. Negative indices count
 * from the end.
 */
public record Gather(int axis, int[] indices, boolean scalar) implements Op {
    public Gather {
        indices = indices.clone();
        if (scalar && indices.length != 1) throw new IllegalArgumentException("a scalar Gather takes one index");
        if (indices.length == 0) throw new IllegalArgumentException("Gather of no index");
    }

    @Override
    public String type() { return "Gather"; }

    @Override
    public int arity() { return 1; }

    /** Index {@code i} resolved on an axis of {@code size}. */
    public int index(int i, int size) { return indices[i] < 0 ? indices[i] + size : indices[i]; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = inputs.get(0);
        if (axis < 0 || axis >= in.rank()) throw new ShapeException("Gather on axis " + axis + " of " + in);
        for (int i = 0; i < indices.length; i++) {
            int k = index(i, in.dim(axis));
            if (k < 0 || k >= in.dim(axis)) throw new ShapeException("Gather index " + indices[i] + " on axis " + axis + " of " + in);
        }
        int[] dims = in.dims();
        if (!scalar) {
            dims[axis] = indices.length;
            return Shape.tensor(dims, in.unitAxis());
        }
        if (in.rank() == 1) throw new ShapeException("Gather of one unit of " + in + " leaves a scalar");
        int[] out = new int[dims.length - 1];
        for (int a = 0, o = 0; a < dims.length; a++) if (a != axis) out[o++] = dims[a];
        int unit = in.unitAxis() == axis ? out.length - 1 : in.unitAxis() > axis ? in.unitAxis() - 1 : in.unitAxis();
        return Shape.tensor(out, unit);
    }

    @Override
    public boolean keepsNonNegative() { return true; }

    @Override
    public boolean equals(Object o) {
        return o instanceof Gather g && g.axis == axis && g.scalar == scalar && Arrays.equals(g.indices, indices);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(indices) * 31 + axis; }
}
