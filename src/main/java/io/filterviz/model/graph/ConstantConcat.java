package io.filterviz.model.graph;

import java.util.Arrays;
import java.util.List;

/**
 * Concatenation of a computed tensor and a constant on one axis (batch left out): a ViT's class token, a learned
 * constant put before the patch tokens. The constant's dimensions are the output's but on {@code axis}.
 */
public record ConstantConcat(int axis, float[] values, int[] dims, boolean constantFirst) implements Op {
    public ConstantConcat {
        dims = dims.clone();
        long n = 1;
        for (int d : dims) n *= d;
        if (n != values.length) throw new IllegalArgumentException("constant of " + Arrays.toString(dims) + " holds " + values.length + " values");
    }

    @Override
    public String type() { return "Concat"; }

    @Override
    public int arity() { return 1; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        if (axis < 0 || axis >= x.rank() || dims.length != x.rank()) {
            throw new ShapeException("Concat of " + x + " and a constant " + Arrays.toString(dims) + " on axis " + axis);
        }
        int[] out = x.dims();
        for (int a = 0; a < out.length; a++) {
            if (a != axis && dims[a] != out[a]) throw new ShapeException("Concat of " + x + " and a constant " + Arrays.toString(dims) + ": sizes differ");
        }
        out[axis] += dims[axis];
        return Shape.tensor(out, x.unitAxis());
    }

    /** The constant as a shape, for the engines. */
    public Shape constantShape(Shape x) { return Shape.tensor(dims, x.unitAxis()); }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConstantConcat c && c.axis == axis && c.constantFirst == constantFirst && Arrays.equals(c.dims, dims)
                && Arrays.equals(c.values, values);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(dims) * 31 + axis; }
}
