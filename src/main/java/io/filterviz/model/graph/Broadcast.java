package io.filterviz.model.graph;

import java.util.Arrays;

/** numpy's broadcasting of two shapes: aligned on the right, a 1 (or a missing axis) stretches to the other's size. */
public final class Broadcast {
    private Broadcast() {}

    /** The broadcast dimensions; {@link ShapeException} with {@code what} when two sizes differ and neither is 1. */
    public static int[] dims(int[] a, int[] b, String what) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) throw new ShapeException(what + ": " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            out[i] = Math.max(da, db);
        }
        return out;
    }

    /**
     * For each flat index of the broadcast output {@code out}, the flat index of the operand of dimensions
     * {@code dims} (right-aligned, stretched where 1 or missing).
     */
    public static int[] sourceIndex(int[] out, int[] dims) {
        long total = 1;
        for (int d : out) total *= d;
        int[] index = new int[(int) total];
        int offset = out.length - dims.length;
        long[] strides = new long[out.length];
        long s = 1;
        for (int a = out.length - 1; a >= 0; a--) {
            int d = a < offset ? 1 : dims[a - offset];
            strides[a] = d == 1 ? 0 : s;
            s *= d;
        }
        int[] coord = new int[out.length];
        for (int i = 0; i < index.length; i++) {
            long src = 0;
            for (int a = 0; a < out.length; a++) src += coord[a] * strides[a];
            index[i] = (int) src;
            for (int a = out.length - 1; a >= 0; a--) {
                if (++coord[a] < out[a]) break;
                coord[a] = 0;
            }
        }
        return index;
    }
}
