package io.filterviz.model.onnx;

import onnx.Onnx.AttributeProto;
import onnx.Onnx.TensorProto.DataType;

import java.util.Arrays;
import java.util.List;

/** Operators on constants that make a new tensor from shapes and scalars, and type conversions. */
final class ConstantSources {
    static final List<String> OPS = List.of("Shape", "Size", "ConstantOfShape", "Range", "Cast");

    private ConstantSources() {}

    static NdValues evaluate(OnnxNode n, List<NdValues> in, ExternalData external) {
        NdValues a = in.get(0);
        return switch (n.opType()) {
            case "Shape" -> shape(n, a);
            case "Size" -> new NdValues(new long[0], new double[]{a.size()}, false);
            case "ConstantOfShape" -> constantOfShape(n, a, external);
            case "Range" -> range(n, a, in.get(1), in.get(2));
            default -> cast(n, a);
        };
    }

    private static NdValues shape(OnnxNode n, NdValues a) {
        int rank = a.rank();
        long start = n.integer("start", 0), end = n.integer("end", rank);
        start = Math.max(0, Math.min(rank, start < 0 ? start + rank : start));
        end = Math.max(0, Math.min(rank, end < 0 ? end + rank : end));
        long[] dims = Arrays.copyOfRange(a.dims(), (int) start, (int) Math.max(start, end));
        return new NdValues(new long[]{dims.length}, Arrays.stream(dims).asDoubleStream().toArray(), false);
    }

    private static NdValues constantOfShape(OnnxNode n, NdValues shape, ExternalData external) {
        long[] dims = shape.longs("shape");
        AttributeProto value = n.attributes().stream().filter(x -> x.getName().equals("value")).findFirst().orElse(null);
        if (value == null) return NdValues.filled(dims, 0, true);
        NdValues fill = NdValues.of(Constant.of(value.getT(), "its value", external));
        if (fill.size() != 1) throw n.fail("has a value of " + fill.size() + " entries; one is required");
        return NdValues.filled(dims, fill.values()[0], fill.floating());
    }

    private static NdValues range(OnnxNode n, NdValues start, NdValues limit, NdValues delta) {
        double from = scalar(n, start, "start"), to = scalar(n, limit, "limit"), step = scalar(n, delta, "delta");
        if (step == 0) throw n.fail("has a delta of 0");
        long count = Math.max(0, (long) Math.ceil((to - from) / step));
        boolean floating = start.floating() || limit.floating() || delta.floating();
        double[] out = new double[Math.toIntExact(NdValues.count(new long[]{count}))];
        for (int i = 0; i < out.length; i++) out[i] = ConstantElementwise.round(from + i * step, floating);
        return new NdValues(new long[]{count}, out, floating);
    }

    private static double scalar(OnnxNode n, NdValues v, String role) {
        if (v.size() != 1) throw n.fail("has a " + role + " of " + v.size() + " entries; a scalar is required");
        if (Double.isNaN(v.values()[0])) v.longs(role); // refuses a value that depends on the input size
        return v.values()[0];
    }

    /**
     * {@code v} rounded to the nearest value (ties to even) of a binary format with {@code mantissa} stored bits and
     * normal exponents {@code minExp..maxExp}, subnormals below: float16 is (10, -14, 15), bfloat16 (7, -126, 127).
     * Past the largest value by half a step or more: infinite.
     */
    static double roundToFormat(double v, int mantissa, int minExp, int maxExp) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return v;
        double a = Math.abs(v);
        if (a >= (2 - Math.scalb(1.0, -(mantissa + 1))) * Math.scalb(1.0, maxExp)) return Math.copySign(Double.POSITIVE_INFINITY, v);
        double step = Math.scalb(1.0, Math.max(Math.getExponent(a), minExp) - mantissa);
        return Math.copySign(Math.rint(a / step) * step, v); // rint: ties to the even step
    }

    private static NdValues cast(OnnxNode n, NdValues a) {
        DataType to = DataType.forNumber((int) n.integer("to", DataType.FLOAT_VALUE));
        if (to == null) throw n.fail("casts to an unknown type " + n.integer("to", 0));
        double[] out = new double[a.size()];
        switch (to) {
            case FLOAT, FLOAT16, BFLOAT16, DOUBLE -> {
                // the value the type holds (later operators compute in float32, not in a half precision)
                for (int i = 0; i < out.length; i++) {
                    double v = a.values()[i];
                    out[i] = switch (to) {
                        case FLOAT16 -> roundToFormat(v, 10, -14, 15);
                        case BFLOAT16 -> roundToFormat(v, 7, -126, 127);
                        case FLOAT -> ConstantElementwise.round(v, true);
                        default -> v;
                    };
                }
                return new NdValues(a.dims(), out, true);
            }
            case BOOL -> {
                for (int i = 0; i < out.length; i++) out[i] = Double.isNaN(a.values()[i]) ? Double.NaN : a.values()[i] != 0 ? 1 : 0;
                return new NdValues(a.dims(), out, false);
            }
            case INT64, INT32, INT16, INT8, UINT8, UINT16, UINT32, UINT64 -> {
                // float to integer truncates toward zero, as ONNX Runtime's
                for (int i = 0; i < out.length; i++) out[i] = Double.isNaN(a.values()[i]) ? Double.NaN : (double) (long) a.values()[i];
                return new NdValues(a.dims(), out, false);
            }
            default -> throw n.fail("casts to " + to + "; supported on constants: floating-point, integer and boolean types");
        }
    }
}
