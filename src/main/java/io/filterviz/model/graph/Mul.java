package io.filterviz.model.graph;

import java.util.List;

/**
 * The element-wise product of an image and either a tensor of its shape or a per-channel C×1×1 gate
 * (squeeze-and-excitation), broadcast over positions.
 */
public record Mul() implements Op {
    @Override
    public String type() { return "Mul"; }

    @Override
    public int arity() { return 2; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape a = inputs.get(0), b = inputs.get(1);
        if (a.equals(b)) return a;
        boolean gate = a.isImage() && b.isImage() && b.channels() == a.channels() && b.height() == 1 && b.width() == 1;
        if (!gate) throw new ShapeException("Mul cannot broadcast " + b + " onto " + a);
        return a;
    }

    @Override
    public boolean keepsNonNegative() { return true; }
}
