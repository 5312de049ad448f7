package io.filterviz.model.graph;

import java.util.List;

/**
 * Constant padding of the spatial sides (ONNX Pad, mode constant).
 *
 * @param pads top, left, bottom, right
 */
public record Pad(int[] pads, float value) implements Op {
    @Override
    public String type() { return "Pad"; }

    @Override
    public int arity() { return 1; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = inputs.get(0);
        if (in.vector()) throw new ShapeException("Pad needs an image, got a vector " + in);
        return Shape.image(in.channels(), in.height() + pads[0] + pads[2], in.width() + pads[1] + pads[3]);
    }

    @Override
    public boolean keepsNonNegative() { return value >= 0; }
}
