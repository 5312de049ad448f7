package io.filterviz.model.graph;

import java.util.List;

/**
 * Concatenation along one axis (batch left out), any number of inputs: channels for Inception's branches and
 * DenseNet's blocks (axis 0), tokens for a transformer's class token, rows or columns for Swin's shifted windows.
 */
public record Concat(int inputs, int axis) implements Op {
    /** Along channels, the axis of images and vectors. */
    public Concat(int inputs) { this(inputs, 0); }

    @Override
    public String type() { return "Concat"; }

    @Override
    public int arity() { return inputs; }

    @Override
    public Shape outputShape(List<Shape> shapes) {
        Shape first = shapes.get(0);
        if (axis < 0 || axis >= first.rank()) throw new ShapeException("Concat on axis " + axis + " of " + first);
        int[] dims = first.dims();
        dims[axis] = 0;
        for (Shape s : shapes) {
            boolean fits = s.rank() == first.rank();
            for (int a = 0; fits && a < s.rank(); a++) fits = a == axis || s.dim(a) == first.dim(a);
            if (!fits) throw new ShapeException("Concat of " + first + " and " + s + " on axis " + axis + ": sizes differ");
            dims[axis] += s.dim(axis);
        }
        return Shape.tensor(dims, first.unitAxis());
    }

    @Override
    public boolean keepsNonNegative() { return true; }
}
