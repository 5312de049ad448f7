package io.filterviz.model.graph;

import java.util.List;

/** The mean over positions of each channel: C×H×W → C×1×1. */
public record GlobalAveragePool() implements Op {
    @Override
    public String type() { return "GlobalAveragePool"; }

    @Override
    public int arity() { return 1; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = inputs.get(0);
        if (in.vector()) throw new ShapeException("GlobalAveragePool needs an image, got a vector " + in);
        return Shape.image(in.channels(), 1, 1);
    }

    @Override
    public boolean keepsNonNegative() { return true; }
}
