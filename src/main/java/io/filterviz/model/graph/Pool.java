package io.filterviz.model.graph;

import java.util.List;

/**
 * MaxPool or AveragePool. Max pooling pads with −∞; average pooling counts the padding in the divisor only with
 * {@code countIncludePad}.
 *
 * @param pads top, left, bottom, right
 */
public record Pool(Kind kind, int kernelHeight, int kernelWidth, int strideHeight, int strideWidth, int[] pads,
                   boolean ceil, boolean countIncludePad) implements Op {
    public enum Kind { MAX, AVERAGE }

    /** VGG's 2×2 max pool of stride 2. */
    public static Pool max2x2() { return new Pool(Kind.MAX, 2, 2, 2, 2, new int[4], false, false); }

    @Override
    public String type() { return kind == Kind.MAX ? "MaxPool" : "AveragePool"; }

    @Override
    public int arity() { return 1; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = inputs.get(0);
        if (in.vector()) throw new ShapeException(type() + " needs an image, got a vector " + in);
        int h = Windows.out(in.height(), kernelHeight, strideHeight, pads[0], pads[2], 1, ceil);
        int w = Windows.out(in.width(), kernelWidth, strideWidth, pads[1], pads[3], 1, ceil);
        if (h < 1 || w < 1) throw new ShapeException(type() + " input " + in + " is smaller than its window");
        return Shape.image(in.channels(), h, w);
    }

    @Override
    public boolean keepsNonNegative() { return true; }
}
