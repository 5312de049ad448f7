package io.filterviz.model.graph;

import java.util.Arrays;
import java.util.List;

/**
 * ONNX Transpose, batch axis left out: output axis {@code a} is input axis {@code perm[a]}. The units move with
 * their axis (an image transposed to channels-last keeps its channels as units).
 */
public record Transpose(int[] perm) implements Op {
    public Transpose {
        perm = perm.clone();
        boolean[] seen = new boolean[perm.length];
        for (int p : perm) {
            if (p < 0 || p >= perm.length || seen[p]) throw new IllegalArgumentException("not a permutation: " + Arrays.toString(perm));
            seen[p] = true;
        }
    }

    @Override
    public String type() { return "Transpose"; }

    @Override
    public int arity() { return 1; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = inputs.get(0);
        if (in.rank() != perm.length) throw new ShapeException("Transpose " + Arrays.toString(perm) + " of " + in);
        int[] dims = new int[perm.length];
        int unit = 0;
        for (int a = 0; a < perm.length; a++) {
            dims[a] = in.dim(perm[a]);
            if (perm[a] == in.unitAxis()) unit = a;
        }
        return Shape.tensor(dims, unit);
    }

    @Override
    public boolean keepsNonNegative() { return true; }

    @Override
    public boolean equals(Object o) { return o instanceof Transpose t && Arrays.equals(t.perm, perm); }

    @Override
    public int hashCode() { return Arrays.hashCode(perm); }

    @Override
    public String toString() { return "Transpose" + Arrays.toString(perm); }
}
