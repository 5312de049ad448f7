package io.filterviz.model.graph;

import java.io.Serializable;

/**
 * One image's tensor: {@code channels × height × width} (a 4-D NCHW tensor with N = 1), or a vector of
 * {@code channels} units (a 2-D tensor, after Flatten or a dense layer; height = width = 1).
 */
public record Shape(int channels, int height, int width, boolean vector) implements Serializable {
    public Shape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("empty tensor " + channels + "×" + height + "×" + width);
        }
        if (vector && (height != 1 || width != 1)) throw new IllegalArgumentException("a vector has no height or width");
    }

    public static Shape image(int channels, int height, int width) { return new Shape(channels, height, width, false); }

    public static Shape vector(int units) { return new Shape(units, 1, 1, true); }

    public long size() { return (long) channels * height * width; }

    @Override
    public String toString() { return vector ? "[" + channels + "]" : channels + "×" + height + "×" + width; }
}
