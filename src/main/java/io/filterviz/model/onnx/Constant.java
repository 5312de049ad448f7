package io.filterviz.model.onnx;

import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorProto.DataType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor known when the file is read (an initializer, a Constant node, or a shape computed from them): weights
 * as floats, shapes, pads and axes as integers. Either array may be null; {@link #floats()} and {@link #longs()}
 * convert.
 */
record Constant(long[] dims, float[] floatValues, long[] longValues) {

    static Constant ofLongs(long[] dims, long... values) { return new Constant(dims, null, values); }

    static Constant ofFloats(long[] dims, float... values) { return new Constant(dims, values, null); }

    int size() { return floatValues != null ? floatValues.length : longValues.length; }

    int rank() { return dims.length; }

    float[] floats() {
        if (floatValues != null) return floatValues;
        float[] out = new float[longValues.length];
        for (int i = 0; i < out.length; i++) out[i] = longValues[i];
        return out;
    }

    long[] longs() {
        if (longValues != null) return longValues;
        long[] out = new long[floatValues.length];
        for (int i = 0; i < out.length; i++) out[i] = (long) floatValues[i];
        return out;
    }

    /** The dims without their leading 1s: what a broadcast against a tensor of higher rank actually varies over. */
    long[] core() {
        int first = 0;
        while (first < dims.length && dims[first] == 1) first++;
        return Arrays.copyOfRange(dims, first, dims.length);
    }

    /** Decodes an ONNX tensor; {@code what} names it in messages (thrown as {@link IllegalArgumentException}). */
    static Constant of(TensorProto t, String what) {
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long d : dims) count *= d;
        if (count > Integer.MAX_VALUE) throw new IllegalArgumentException(what + " is too large (" + count + " values)");
        int n = (int) count;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new IllegalArgumentException(what + " keeps its data in an external file; save the model as one file");
        }
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        boolean fromRaw = !t.getRawData().isEmpty();
        DataType type = DataType.forNumber(t.getDataType());
        if (type == null) type = DataType.UNDEFINED;
        switch (type) {
            case FLOAT -> {
                float[] v = new float[n];
                if (fromRaw) raw.asFloatBuffer().get(v);
                else for (int i = 0; i < n; i++) v[i] = t.getFloatData(i);
                return new Constant(dims, v, null);
            }
            case DOUBLE -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) v[i] = (float) (fromRaw ? raw.getDouble(8 * i) : t.getDoubleData(i));
                return new Constant(dims, v, null);
            }
            case FLOAT16, BFLOAT16 -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    int bits = (fromRaw ? raw.getShort(2 * i) : t.getInt32Data(i)) & 0xffff;
                    v[i] = type == DataType.FLOAT16 ? halfToFloat(bits) : Float.intBitsToFloat(bits << 16);
                }
                return new Constant(dims, v, null);
            }
            case INT64 -> {
                long[] v = new long[n];
                if (fromRaw) raw.asLongBuffer().get(v);
                else for (int i = 0; i < n; i++) v[i] = t.getInt64Data(i);
                return new Constant(dims, null, v);
            }
            case INT32, INT16, INT8, UINT8, UINT16, BOOL -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    if (!fromRaw) v[i] = t.getInt32Data(i);
                    else v[i] = switch (type) {
                        case INT32 -> raw.getInt(4 * i);
                        case INT16 -> raw.getShort(2 * i);
                        case UINT16 -> raw.getShort(2 * i) & 0xffff;
                        case INT8 -> raw.get(i);
                        default -> raw.get(i) & 0xff;
                    };
                }
                return new Constant(dims, null, v);
            }
            default -> throw new IllegalArgumentException(what + " has data type " + type
                    + "; supported: float, double, float16, bfloat16 and integers");
        }
    }

    /** IEEE 754 half precision to float. */
    static float halfToFloat(int bits) {
        int sign = (bits >> 15) & 1, exponent = (bits >> 10) & 0x1f, mantissa = bits & 0x3ff;
        float magnitude;
        if (exponent == 0) magnitude = mantissa * 0x1p-24f;
        else if (exponent == 31) magnitude = mantissa == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        else magnitude = Float.intBitsToFloat(((exponent + 112) << 23) | (mantissa << 13));
        return sign == 1 ? -magnitude : magnitude;
    }
}
