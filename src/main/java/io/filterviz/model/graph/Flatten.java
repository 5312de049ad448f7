package io.filterviz.model.graph;

import java.util.List;

/** C×H×W → a vector of C·H·W units, in C, H, W order (ONNX Flatten with axis 1, or Reshape to [N, −1]). */
public record Flatten() implements Op {
    @Override
    public String type() { return "Flatten"; }

    @Override
    public int arity() { return 1; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        long units = inputs.get(0).size();
        if (units > Integer.MAX_VALUE) throw new ShapeException("Flatten of " + inputs.get(0) + " is too large");
        return Shape.vector((int) units);
    }

    @Override
    public boolean keepsNonNegative() { return true; }
}
