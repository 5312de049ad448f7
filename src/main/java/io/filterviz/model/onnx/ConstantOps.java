package io.filterviz.model.onnx;

import onnx.Onnx.TensorProto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Shape arithmetic on constants, as exporters write {@code x.view(x.size(0), -1)}: Gather, Unsqueeze, Squeeze, Cast,
 * Concat and Reshape evaluated when the file is read. An entry that depends on the input size is {@link #UNKNOWN}
 * and is carried along.
 */
final class ConstantOps {
    /** An entry of a computed shape that depends on the input size. */
    static final long UNKNOWN = Long.MIN_VALUE;

    private ConstantOps() {}

    /** The node's output; every input is in {@code constants}. */
    static Constant evaluate(OnnxNode n, Map<String, Constant> constants, int opset) {
        Constant a = constants.get(n.input(0));
        return switch (n.opType()) {
            case "Gather" -> {
                long axis = n.integer("axis", 0);
                Constant idx = constants.get(n.input(1));
                if (a.rank() != 1 || axis != 0 && axis != -1 || idx.rank() > 1) throw n.fail("is evaluated only on a 1-D constant");
                long[] values = a.longs(), picks = idx.longs(), out = new long[picks.length];
                for (int i = 0; i < picks.length; i++) out[i] = values[(int) (picks[i] < 0 ? picks[i] + values.length : picks[i])];
                yield Constant.ofLongs(idx.dims(), out);
            }
            case "Unsqueeze", "Squeeze" -> {
                long[] axes = opset >= 13 && n.inputCount() > 1 ? constants.get(n.input(1)).longs() : n.ints("axes", null);
                yield new Constant(reshaped(n, a.dims(), axes, n.opType().equals("Unsqueeze")), a.floatValues(), a.longValues());
            }
            case "Cast" -> {
                long to = n.integer("to", TensorProto.DataType.FLOAT_VALUE);
                boolean toFloat = to == TensorProto.DataType.FLOAT_VALUE || to == TensorProto.DataType.DOUBLE_VALUE
                        || to == TensorProto.DataType.FLOAT16_VALUE;
                yield toFloat ? Constant.ofFloats(a.dims(), a.floats()) : Constant.ofLongs(a.dims(), a.longs());
            }
            case "Reshape" -> {
                long[] target = constants.get(n.input(1)).longs().clone();
                long known = 1;
                int free = -1;
                for (int i = 0; i < target.length; i++) {
                    if (target[i] == 0) target[i] = a.dims()[i];
                    if (target[i] == -1) free = i; else known *= target[i];
                }
                if (free >= 0) target[free] = a.size() / known;
                yield new Constant(target, a.floatValues(), a.longValues());
            }
            default -> { // Concat of 1-D constants
                List<Constant> parts = n.inputs().stream().map(constants::get).toList();
                if (parts.stream().anyMatch(p -> p.rank() > 1)) throw n.fail("is evaluated only on 1-D constants");
                long[] all = parts.stream().flatMapToLong(p -> Arrays.stream(p.longs())).toArray();
                yield Constant.ofLongs(new long[]{all.length}, all);
            }
        };
    }

    private static long[] reshaped(OnnxNode n, long[] dims, long[] axes, boolean insert) {
        if (axes == null) {
            if (insert) throw n.fail("has no axes");
            return Arrays.stream(dims).filter(d -> d != 1).toArray();
        }
        List<Long> out = new ArrayList<>(Arrays.stream(dims).boxed().toList());
        int rank = insert ? dims.length + axes.length : dims.length;
        long[] sorted = Arrays.stream(axes).map(a -> a < 0 ? a + rank : a).sorted().toArray();
        if (insert) {
            for (long a : sorted) out.add((int) a, 1L);
        } else {
            for (int i = sorted.length - 1; i >= 0; i--) out.remove((int) sorted[i]);
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }
}
