package io.filterviz.model.graph;

import java.util.List;

/** The mean along one axis (batch left out), kept as size 1 (ONNX ReduceMean with keepdims = 1). */
public record ReduceMean(int axis) implements Op {
    @Override
    public String type() { return "ReduceMean"; }

    @Override
    public int arity() { return 1; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = inputs.get(0);
        if (axis < 0 || axis >= in.rank()) throw new ShapeException("ReduceMean on axis " + axis + " of " + in);
        int[] dims = in.dims();
        dims[axis] = 1;
        return Shape.tensor(dims, in.unitAxis());
    }

    @Override
    public boolean keepsNonNegative() { return true; }
}
