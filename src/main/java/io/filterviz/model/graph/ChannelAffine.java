package io.filterviz.model.graph;

import java.util.List;

/**
 * {@code y[c] = x[source[c]] · scale[c] + shift[c]}: a BatchNormalization that no convolution absorbed, and the
 * model's preprocessing (a channel order, a mean and a std).
 */
public record ChannelAffine(int[] source, float[] scale, float[] shift) implements Op {
    public ChannelAffine {
        if (source.length != scale.length || scale.length != shift.length) {
            throw new IllegalArgumentException("source, scale and shift must have one value per channel");
        }
    }

    /** The identity channel order. */
    public static ChannelAffine of(float[] scale, float[] shift) {
        int[] source = new int[scale.length];
        for (int c = 0; c < source.length; c++) source[c] = c;
        return new ChannelAffine(source, scale, shift);
    }

    public int channels() { return scale.length; }

    @Override
    public String type() { return "BatchNormalization"; }

    @Override
    public int arity() { return 1; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = inputs.get(0);
        if (in.channels() != scale.length) {
            throw new ShapeException("per-channel affine of " + scale.length + " channels got " + in);
        }
        for (int s : source) {
            if (s < 0 || s >= in.channels()) throw new ShapeException("channel " + s + " not in " + in);
        }
        return in;
    }
}
