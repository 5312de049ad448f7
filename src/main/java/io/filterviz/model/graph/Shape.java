package io.filterviz.model.graph;

import java.io.Serializable;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * One image's tensor, the batch axis left out: an image {@code channels × height × width} (NCHW with N = 1), a vector
 * of {@code channels} units (after Flatten or a dense layer), or a tensor of any rank such as a transformer's
 * tokens × channels or Swin's channels-last height × width × channels.
 *
 * <p>{@code unitAxis} is the axis whose index names a unit (a "filter"): 0 for images and vectors, the last axis of
 * token tensors and channels-last planes. A unit's objective is its mean over every other axis. Operators carry it
 * forward: a Transpose moves it, a dense layer or MatMul makes its output's last axis the units.
 */
public final class Shape implements Serializable {
    private static final long serialVersionUID = 2L;
    private final int[] dims;
    private final int unitAxis;

    private Shape(int[] dims, int unitAxis) {
        if (dims.length == 0) throw new IllegalArgumentException("a tensor needs at least one axis besides the batch");
        for (int d : dims) {
            if (d < 1) throw new IllegalArgumentException("empty tensor " + join(dims));
        }
        if (unitAxis < 0 || unitAxis >= dims.length) {
            throw new IllegalArgumentException("unit axis " + unitAxis + " of a rank-" + dims.length + " tensor");
        }
        this.dims = dims;
        this.unitAxis = unitAxis;
    }

    public static Shape image(int channels, int height, int width) {
        return new Shape(new int[]{channels, height, width}, 0);
    }

    public static Shape vector(int units) { return new Shape(new int[]{units}, 0); }

    /** A tensor of these dimensions (batch left out) whose units lie along {@code unitAxis}. */
    public static Shape tensor(int[] dims, int unitAxis) { return new Shape(dims.clone(), unitAxis); }

    /** A tensor whose units lie along its last axis (tokens × channels, channels-last planes). */
    public static Shape channelsLast(int... dims) { return new Shape(dims.clone(), dims.length - 1); }

    public int rank() { return dims.length; }

    public int dim(int axis) { return dims[axis]; }

    public int[] dims() { return dims.clone(); }

    public int unitAxis() { return unitAxis; }

    /** The number of units: an image's channels, a vector's length, a token tensor's channels. */
    public int channels() { return dims[unitAxis]; }

    /** Rank 1: a vector of units. */
    public boolean vector() { return dims.length == 1; }

    /** An image: channels × height × width, channels first. */
    public boolean isImage() { return dims.length == 3 && unitAxis == 0; }

    /** An image or a vector: the tensors the convolutional operators take. */
    public boolean planar() { return vector() || isImage(); }

    /** An image's height; 1 for a vector. Other tensors have no height. */
    public int height() { return dims.length == 1 ? 1 : planarDim(1); }

    /** An image's width; 1 for a vector. */
    public int width() { return dims.length == 1 ? 1 : planarDim(2); }

    private int planarDim(int axis) {
        if (!isImage()) throw new ShapeException("a " + this + " tensor has no height or width");
        return dims[axis];
    }

    public long size() {
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    /** How many values each unit has: the objective's denominator (positions, tokens, or 1 for a vector). */
    public long positions() { return size() / channels(); }

    /** The product of the dimensions after the unit axis: unit of flat index i is (i / inner) % channels. */
    public long inner() {
        long n = 1;
        for (int a = unitAxis + 1; a < dims.length; a++) n *= dims[a];
        return n;
    }

    /** The unit a row-major flat index belongs to. */
    public int unitOf(long flatIndex) { return (int) ((flatIndex / inner()) % channels()); }

    /** Row-major strides of the dimensions (in elements). */
    public long[] strides() {
        long[] strides = new long[dims.length];
        long s = 1;
        for (int a = dims.length - 1; a >= 0; a--) {
            strides[a] = s;
            s *= dims[a];
        }
        return strides;
    }

    /** The same dimensions with the units on another axis. */
    public Shape withUnitAxis(int axis) { return new Shape(dims, axis); }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && s.unitAxis == unitAxis && Arrays.equals(s.dims, dims);
    }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(dims) + unitAxis; }

    /** Whether the dimensions agree, wherever the units lie. */
    public boolean sameDims(Shape other) { return Arrays.equals(dims, other.dims); }

    @Override
    public String toString() {
        if (vector()) return "[" + dims[0] + "]";
        if (isImage()) return dims[0] + "×" + dims[1] + "×" + dims[2];
        return join(dims) + (unitAxis == dims.length - 1 ? "" : " (units on axis " + unitAxis + ")");
    }

    private static String join(int[] dims) {
        return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining("×"));
    }
}
