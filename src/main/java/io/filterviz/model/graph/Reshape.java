package io.filterviz.model.graph;

import java.util.Arrays;
import java.util.List;

/**
 * ONNX Reshape (and Flatten, Squeeze, Unsqueeze), batch axis left out: {@code spec} gives the output's dimensions,
 * 0 copying the input's dimension on that axis, {@link #inputAxis}(k) copying the input's axis k (a size the file
 * computes from the input's, as ShuffleNet's {@code x.view(n, g, c // g, h, w)}), and −1 (at most once) taking
 * what remains. The data keeps its
 * row-major order. The units stay on the axis that keeps both their count and everything before them; otherwise
 * they move to the last axis (a token tensor's channels). With {@code imageWhenRegrouped}, a C × H × W output that
 * regroups the leading axes of an input ending in the same H × W is an image, as ONNX's 4-D tensors are NCHW:
 * ShuffleNet's channel shuffle, C × H × W to g × C/g × H × W, transposed, and back, hands its channels to a Conv.
 */
public record Reshape(int[] spec, boolean imageWhenRegrouped) implements Op {
    public Reshape(int[] spec) { this(spec, false); }

    public Reshape {
        spec = spec.clone();
        if (spec.length == 0) throw new IllegalArgumentException("Reshape to a scalar per image");
        if (Arrays.stream(spec).filter(d -> d == -1).count() > 1) throw new IllegalArgumentException("two −1 in " + Arrays.toString(spec));
    }

    /** A spec entry that copies the input's axis {@code k}. */
    public static int inputAxis(int k) { return -2 - k; }

    @Override
    public String type() { return "Reshape"; }

    @Override
    public int arity() { return 1; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = inputs.get(0);
        int[] dims = new int[spec.length];
        long known = 1;
        int free = -1;
        for (int a = 0; a < spec.length; a++) {
            if (spec[a] == 0) {
                if (a >= in.rank()) throw new ShapeException("Reshape " + Arrays.toString(spec) + " copies axis " + a + " of " + in);
                dims[a] = in.dim(a);
            } else if (spec[a] == -1) {
                free = a;
                continue;
            } else if (spec[a] < -1) {
                int k = -2 - spec[a];
                if (k >= in.rank()) throw new ShapeException("Reshape " + Arrays.toString(spec) + " copies axis " + k + " of " + in);
                dims[a] = in.dim(k);
            } else {
                dims[a] = spec[a];
            }
            known *= dims[a];
        }
        if (free >= 0) {
            if (in.size() % known != 0) throw new ShapeException("Reshape of " + in + " to " + Arrays.toString(spec));
            dims[free] = (int) (in.size() / known);
        } else if (known != in.size()) {
            throw new ShapeException("Reshape of " + in + " (" + in.size() + " values) to " + Arrays.toString(spec));
        }
        long before = in.size() / in.inner() / in.channels();
        long product = 1;
        if (imageWhenRegrouped && dims.length == 3 && in.rank() > 3
                && in.dim(in.rank() - 2) == dims[1] && in.dim(in.rank() - 1) == dims[2]) {
            return Shape.image(dims[0], dims[1], dims[2]);
        }
        for (int a = 0; a < dims.length; a++) {
            if (product == before && dims[a] == in.channels()) return Shape.tensor(dims, a);
            product *= dims[a];
        }
        return Shape.channelsLast(dims);
    }

    @Override
    public boolean keepsNonNegative() { return true; }

    @Override
    public boolean equals(Object o) { return o instanceof Reshape r && Arrays.equals(r.spec, spec) && r.imageWhenRegrouped == imageWhenRegrouped; }

    @Override
    public int hashCode() { return 2 * Arrays.hashCode(spec) + (imageWhenRegrouped ? 1 : 0); }

    @Override
    public String toString() { return "Reshape" + Arrays.toString(spec); }
}
