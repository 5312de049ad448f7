package io.filterviz.model.onnx;

import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorProto.DataType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor known when the file is read (an initializer, a Constant node, or a shape computed from them): weights
 * as floats, shapes, pads and axes as integers. Either array may be null; {@link #floats()} and {@link #longs()}
 * convert. An initializer is decoded only when a node asks for its values, and again at each ask (nothing keeps
 * the decoded copy): a network's weights past the layer a job needs, or all of them for a listing, never reach the
 * heap. Until then it is its dims and a view of the file's bytes.
 */
final class Constant {
    /**
     * An entry of a computed shape that depends on the input size (a free-size network's Shape). A file's own
     * INT64_MIN reads as {@link #fromFile INT64_MIN + 1}, so that it is never taken for this.
     */
    static final long UNKNOWN = Long.MIN_VALUE;

    /**
     * An int64 the file holds: INT64_MIN (what exporters write as the end of a reversed Slice, "before the first")
     * becomes INT64_MIN + 1, which every use treats alike (a Slice bound clamps; no size or index is that large),
     * because INT64_MIN is {@link #UNKNOWN} here.
     */
    static long fromFile(long v) { return v == UNKNOWN ? UNKNOWN + 1 : v; }

    private final long[] dims;
    private final float[] floatValues;
    private final long[] longValues;
    /** The undecoded tensor, or null for values held here. */
    private final Source source;

    /** An initializer's bytes not yet decoded: its proto (embedded data) or its region of an external file. */
    private record Source(TensorProto tensor, String what, ExternalData.Region external) {}

    Constant(long[] dims, float[] floatValues, long[] longValues) {
        this(dims, floatValues, longValues, null);
    }

    private Constant(long[] dims, float[] floatValues, long[] longValues, Source source) {
        this.dims = dims;
        this.floatValues = floatValues;
        this.longValues = longValues;
        this.source = source;
    }

    static Constant ofLongs(long[] dims, long... values) { return new Constant(dims, null, values); }

    static Constant ofFloats(long[] dims, float... values) { return new Constant(dims, values, null); }

    long[] dims() { return dims; }

    float[] floatValues() { return source == null ? floatValues : decode().floatValues; }

    long[] longValues() { return source == null ? longValues : decode().longValues; }

    int size() {
        if (source == null) return floatValues != null ? floatValues.length : longValues.length;
        return (int) count(dims);
    }

    int rank() { return dims.length; }

    /** Bytes the decoded values take on the heap (floats, or longs for integer types). */
    long heapBytes() {
        if (source == null) return floatValues != null ? 4L * floatValues.length : 8L * longValues.length;
        return count(dims) * (isFloat(source.tensor().getDataType()) ? 4 : 8);
    }

    float[] floats() {
        float[] values = floatValues();
        if (values != null) return values;
        long[] longs = longValues();
        float[] out = new float[longs.length];
        for (int i = 0; i < out.length; i++) out[i] = longs[i];
        return out;
    }

    long[] longs() {
        long[] values = longValues();
        if (values != null) return values;
        float[] floats = floatValues();
        long[] out = new long[floats.length];
        for (int i = 0; i < out.length; i++) out[i] = (long) floats[i];
        return out;
    }

    /** The dims without their leading 1s: what a broadcast against a tensor of higher rank actually varies over. */
    long[] core() {
        int first = 0;
        while (first < dims.length && dims[first] == 1) first++;
        return Arrays.copyOfRange(dims, first, dims.length);
    }

    /** Decodes an ONNX tensor held in the file; {@code what} names it in messages (thrown as {@link IllegalArgumentException}). */
    static Constant of(TensorProto t, String what) {
        return of(t, what, null);
    }

    /**
     * An ONNX tensor, decoded when its values are asked for. Its size and, for external data, its file and region
     * are checked now.
     *
     * @param external where external data lies (null: none is allowed)
     */
    static Constant of(TensorProto t, String what, ExternalData external) {
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long count = count(dims);
        if (count > Integer.MAX_VALUE) throw new IllegalArgumentException(what + " is too large (" + count + " values)");
        DataType type = DataType.forNumber(t.getDataType());
        if (type == null || !SUPPORTED.contains(type)) {
            throw new IllegalArgumentException(what + " has data type " + (type == null ? DataType.UNDEFINED : type)
                    + "; supported: float, double, float16, bfloat16 and integers");
        }
        ExternalData.Region region = null;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            if (external == null) {
                throw new IllegalArgumentException(what + " keeps its data in an external file; read the model from its file");
            }
            region = external.region(t, what);
        }
        return new Constant(dims, null, null, new Source(t, what, region));
    }

    private static final java.util.Set<DataType> SUPPORTED = java.util.EnumSet.of(DataType.FLOAT, DataType.DOUBLE,
            DataType.FLOAT16, DataType.BFLOAT16, DataType.INT64, DataType.INT32, DataType.INT16, DataType.INT8,
            DataType.UINT8, DataType.UINT16, DataType.BOOL);

    private static long count(long[] dims) {
        long count = 1;
        for (long d : dims) count *= d;
        return count;
    }

    private static boolean isFloat(int type) {
        return type == TensorProto.DataType.FLOAT_VALUE || type == TensorProto.DataType.DOUBLE_VALUE
                || type == TensorProto.DataType.FLOAT16_VALUE || type == TensorProto.DataType.BFLOAT16_VALUE;
    }

    /** The values, decoded from the file's bytes (a fresh array each time). */
    private Constant decode() {
        TensorProto t = source.tensor();
        String what = source.what();
        int n = (int) count(dims);
        ByteBuffer raw = source.external() != null ? source.external().map()
                : t.getRawData().asReadOnlyByteBuffer();
        raw.order(ByteOrder.LITTLE_ENDIAN);
        boolean fromRaw = source.external() != null || !t.getRawData().isEmpty();
        DataType type = DataType.forNumber(t.getDataType());
        if (type == null) type = DataType.UNDEFINED;
        int width = switch (type) {
            case DOUBLE, INT64 -> 8;
            case FLOAT, INT32 -> 4;
            case FLOAT16, BFLOAT16, INT16, UINT16 -> 2;
            default -> 1;
        };
        if (fromRaw && raw.remaining() < (long) n * width) {
            throw new IllegalArgumentException(what + " holds " + raw.remaining() + " bytes, its shape "
                    + Arrays.toString(dims) + " needs " + (long) n * width);
        }
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
                for (int i = 0; i < n; i++) v[i] = fromFile(v[i]);
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
