package io.filterviz.model.onnx;

import java.util.Arrays;

/**
 * A constant under evaluation: its dims and values in row-major order, in double precision whatever its ONNX type.
 * A floating tensor's results are rounded to float, as float32 arithmetic gives them. An integer entry that depends
 * on the input size ({@link Constant#UNKNOWN}) is NaN here, so that arithmetic carries it along.
 */
record NdValues(long[] dims, double[] values, boolean floating) {
    static NdValues of(Constant c) {
        boolean floating = c.floatValues() != null;
        double[] v = new double[c.size()];
        if (floating) {
            float[] f = c.floatValues();
            for (int i = 0; i < v.length; i++) v[i] = f[i];
        } else {
            long[] l = c.longValues();
            for (int i = 0; i < v.length; i++) v[i] = l[i] == Constant.UNKNOWN ? Double.NaN : l[i];
        }
        return new NdValues(c.dims(), v, floating);
    }

    static NdValues filled(long[] dims, double value, boolean floating) {
        double[] v = new double[Math.toIntExact(count(dims))];
        Arrays.fill(v, value);
        return new NdValues(dims, v, floating);
    }

    Constant toConstant() {
        if (floating) {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
            return Constant.ofFloats(dims, f);
        }
        long[] l = new long[values.length];
        // INT64_MIN + 1 is -2^63 as a double, which casts back to INT64_MIN, the unknown entry: it stays INT64_MIN + 1
        for (int i = 0; i < l.length; i++) l[i] = Double.isNaN(values[i]) ? Constant.UNKNOWN : Constant.fromFile((long) values[i]);
        return Constant.ofLongs(dims, l);
    }

    int rank() { return dims.length; }

    int size() { return values.length; }

    /** Row-major strides. */
    long[] strides() { return strides(dims); }

    static long[] strides(long[] dims) {
        long[] s = new long[dims.length];
        long step = 1;
        for (int a = dims.length - 1; a >= 0; a--) {
            s[a] = step;
            step *= dims[a];
        }
        return s;
    }

    static long count(long[] dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 0) throw new IllegalArgumentException("a negative dimension in " + Arrays.toString(dims));
            n *= d;
        }
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("a constant of " + Arrays.toString(dims) + " is too large");
        return n;
    }

    /** The values as whole numbers, for shapes, indices and axes; refused where one depends on the input size. */
    long[] longs(String role) {
        long[] out = new long[values.length];
        for (int i = 0; i < out.length; i++) {
            if (Double.isNaN(values[i])) {
                throw new IllegalArgumentException("its " + role + " depends on the input size; export the model with a fixed input size");
            }
            out[i] = (long) values[i];
        }
        return out;
    }

    /** The row-major index of {@code position}'s entry, where size-1 axes of this tensor broadcast. */
    int broadcastIndex(long[] position) {
        int offset = position.length - dims.length;
        long index = 0, step = 1;
        for (int a = dims.length - 1; a >= 0; a--) {
            if (dims[a] != 1) index += position[a + offset] * step;
            step *= dims[a];
        }
        return (int) index;
    }
}
