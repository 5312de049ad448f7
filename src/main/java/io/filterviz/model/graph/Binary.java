package io.filterviz.model.graph;

import java.util.List;

/**
 * An element-wise Add, Sub, Mul or Div of two computed tensors, broadcast as numpy's (batch axis left out): a
 * LayerNorm written out (x − mean, ÷ std), GELU's x · Φ(x), attention's masks. {@link Add} and {@link Mul} stay for
 * the shapes the convolutional engines know (same shape, a channel gate).
 */
public record Binary(Kind kind) implements Op {
    public enum Kind { ADD, SUB, MUL, DIV }

    @Override
    public String type() {
        return switch (kind) {
            case ADD -> "Add";
            case SUB -> "Sub";
            case MUL -> "Mul";
            case DIV -> "Div";
        };
    }

    @Override
    public int arity() { return 2; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape a = inputs.get(0), b = inputs.get(1);
        int[] dims = Broadcast.dims(a.dims(), b.dims(), type());
        return outputOf(dims, a, b);
    }

    /** The units of whichever input has the output's dimensions, the first preferred; else the last axis. */
    static Shape outputOf(int[] dims, Shape a, Shape b) {
        if (java.util.Arrays.equals(dims, a.dims())) return a;
        if (b != null && java.util.Arrays.equals(dims, b.dims())) return b;
        return Shape.channelsLast(dims);
    }

    public double apply(double x, double y) {
        return switch (kind) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
        };
    }

    @Override
    public boolean keepsNonNegative() { return kind != Kind.SUB; }
}
