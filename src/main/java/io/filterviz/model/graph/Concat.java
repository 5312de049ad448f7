package io.filterviz.model.graph;

import java.util.List;

/** Concatenation along channels (Inception's branches, DenseNet's blocks); any number of inputs. */
public record Concat(int inputs) implements Op {
    @Override
    public String type() { return "Concat"; }

    @Override
    public int arity() { return inputs; }

    @Override
    public Shape outputShape(List<Shape> shapes) {
        Shape first = shapes.get(0);
        int channels = 0;
        for (Shape s : shapes) {
            if (s.height() != first.height() || s.width() != first.width() || s.vector() != first.vector()) {
                throw new ShapeException("Concat of " + first + " and " + s + ": sizes differ");
            }
            channels += s.channels();
        }
        return new Shape(channels, first.height(), first.width(), first.vector());
    }

    @Override
    public boolean keepsNonNegative() { return true; }
}
