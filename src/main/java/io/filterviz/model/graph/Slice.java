package io.filterviz.model.graph;

import java.util.List;

/**
 * ONNX Slice on one axis (batch left out), as Python's {@code x[start:end:step]}: negative start and end count from
 * the end, both are clamped to the axis, step may be negative. Several axes are several nodes; Split is one Slice
 * per part.
 */
public record Slice(int axis, long start, long end, long step) implements Op {
    public Slice {
        if (step == 0) throw new IllegalArgumentException("Slice with step 0");
    }

    @Override
    public String type() { return "Slice"; }

    @Override
    public int arity() { return 1; }

    /** The first index taken and how many, on an axis of {@code size}. */
    public long[] range(int size) {
        long s = start < 0 ? start + size : start, e = end < 0 ? end + size : end;
        long count;
        if (step > 0) {
            s = Math.max(0, Math.min(s, size));
            e = Math.max(0, Math.min(e, size));
            count = e > s ? (e - s + step - 1) / step : 0;
        } else {
            s = Math.max(-1, Math.min(s, size - 1));
            e = Math.max(-1, Math.min(e, size - 1));
            count = s > e ? (s - e - step - 1) / -step : 0;
        }
        return new long[]{s, count};
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = inputs.get(0);
        if (axis < 0 || axis >= in.rank()) throw new ShapeException("Slice on axis " + axis + " of " + in);
        long count = range(in.dim(axis))[1];
        if (count < 1) throw new ShapeException("Slice " + start + ":" + end + ":" + step + " of axis " + axis + " of " + in + " is empty");
        int[] dims = in.dims();
        dims[axis] = (int) count;
        return Shape.tensor(dims, in.unitAxis());
    }

    @Override
    public boolean keepsNonNegative() { return true; }
}
