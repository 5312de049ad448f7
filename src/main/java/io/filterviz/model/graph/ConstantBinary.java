package io.filterviz.model.graph;

import java.util.Arrays;
import java.util.List;

/**
 * An element-wise Add, Sub, Mul or Div of a computed tensor and a constant, broadcast as numpy's (batch axis left
 * out; the constant's dimensions align on the right): a ViT's position embedding, attention's 1/√d, a layer scale,
 * Swin's relative position bias and shifted-window mask. {@code constantFirst}: the constant is the left operand
 * (c − x, c ÷ x). A per-channel constant on an image is a {@link ChannelAffine} instead.
 */
public record ConstantBinary(Binary.Kind kind, float[] values, int[] dims, boolean constantFirst) implements Op {
    public ConstantBinary {
        dims = dims.clone();
        long n = 1;
        for (int d : dims) n *= d;
        if (n != values.length) throw new IllegalArgumentException("constant of " + Arrays.toString(dims) + " holds " + values.length + " values");
    }

    @Override
    public String type() { return new Binary(kind).type(); }

    @Override
    public int arity() { return 1; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape x = inputs.get(0);
        int[] out = Broadcast.dims(x.dims(), dims, type() + " with a constant");
        return Binary.outputOf(out, x, null);
    }

    public double apply(double x, double c) {
        Binary op = new Binary(kind);
        return constantFirst ? op.apply(c, x) : op.apply(x, c);
    }

    /** d/dx of {@link #apply}. */
    public double derivative(double x, double c) {
        return switch (kind) {
            case ADD -> 1;
            case SUB -> constantFirst ? -1 : 1;
            case MUL -> c;
            case DIV -> constantFirst ? -c / (x * x) : 1 / c;
        };
    }

    @Override
    public boolean keepsNonNegative() { return false; }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConstantBinary c && c.kind == kind && c.constantFirst == constantFirst
                && Arrays.equals(c.dims, dims) && Arrays.equals(c.values, values);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(dims) * 31 + kind.hashCode(); }

    @Override
    public String toString() { return type() + " with constant " + Arrays.toString(dims); }
}
