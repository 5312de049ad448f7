package io.filterviz.model.graph;

import java.util.List;

/** Softmax along one axis (batch left out): attention's weights. */
public record Softmax(int axis) implements Op {
    @Override
    public String type() { return "Softmax"; }

    @Override
    public int arity() { return 1; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = inputs.get(0);
        if (axis < 0 || axis >= in.rank()) throw new ShapeException("Softmax on axis " + axis + " of " + in);
        return in;
    }

    @Override
    public boolean keepsNonNegative() { return true; }
}
