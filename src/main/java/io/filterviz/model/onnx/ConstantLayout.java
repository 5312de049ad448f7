package io.filterviz.model.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Operators on constants that move values without computing: reshapes, concatenation, slicing, gathering, scattering. */
final class ConstantLayout {
    static final List<String> OPS = List.of("Identity", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Concat", "Split",
            "Slice", "Gather", "Transpose", "Expand", "Tile", "ScatterND");

    private ConstantLayout() {}

    static List<NdValues> evaluate(OnnxNode n, List<NdValues> in, int opset) {
        NdValues a = in.get(0);
        return switch (n.opType()) {
            case "Identity" -> List.of(a);
            case "Reshape" -> List.of(withDims(a, reshaped(n, a, in.get(1).longs("shape"))));
            case "Flatten" -> List.of(flatten(n, a));
            case "Squeeze", "Unsqueeze" -> List.of(withDims(a, squeezed(n, a, axes(n, in, opset), n.opType().equals("Unsqueeze"))));
            case "Concat" -> List.of(concat(n, in));
            case "Split" -> split(n, in, opset);
            case "Slice" -> List.of(slice(n, in, opset));
            case "Gather" -> List.of(gather(n, a, in.get(1)));
            case "Transpose" -> List.of(transpose(n, a));
            case "Expand" -> List.of(expand(a, ConstantElementwise.broadcast(n, a.dims(), in.get(1).longs("shape"))));
            case "Tile" -> List.of(tile(n, a, in.get(1).longs("repeats")));
            default -> List.of(scatter(n, a, in.get(1), in.get(2)));
        };
    }

    private static NdValues withDims(NdValues a, long[] dims) {
        if (NdValues.count(dims) != a.size()) throw new IllegalArgumentException("cannot hold " + a.size() + " values as " + Arrays.toString(dims));
        return new NdValues(dims, a.values(), a.floating());
    }

    private static long[] reshaped(OnnxNode n, NdValues a, long[] target) {
        long[] dims = target.clone();
        boolean allowZero = n.integer("allowzero", 0) != 0;
        long known = 1;
        int free = -1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == 0 && !allowZero) {
                if (i >= a.rank()) throw n.fail("copies axis " + i + " of a rank-" + a.rank() + " constant");
                dims[i] = a.dims()[i];
            }
            if (dims[i] == -1) {
                if (free >= 0) throw n.fail("has two -1 entries in its shape " + Arrays.toString(target));
                free = i;
            } else {
                known *= dims[i];
            }
        }
        if (free >= 0) {
            if (known == 0 || a.size() % known != 0) throw n.fail("cannot reshape " + a.size() + " values to " + Arrays.toString(target));
            dims[free] = a.size() / known;
        }
        return dims;
    }

    private static NdValues flatten(OnnxNode n, NdValues a) {
        long given = n.integer("axis", 1);
        long axis = given < 0 ? given + a.rank() : given;
        if (axis < 0 || axis > a.rank()) throw n.fail("flattens from axis " + given + " of a rank-" + a.rank() + " constant");
        long outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= a.dims()[i];
        for (int i = (int) axis; i < a.rank(); i++) inner *= a.dims()[i]; // not size / outer: an empty tensor keeps both
        return withDims(a, new long[]{outer, inner});
    }

    private static long[] axes(OnnxNode n, List<NdValues> in, int opset) {
        if (opset >= 13) return in.size() > 1 && in.get(1) != null ? in.get(1).longs("axes") : null;
        return n.ints("axes", null);
    }

    private static long[] squeezed(OnnxNode n, NdValues a, long[] axes, boolean insert) {
        if (axes == null) {
            if (insert) throw n.fail("has no axes");
            return Arrays.stream(a.dims()).filter(d -> d != 1).toArray();
        }
        int rank = insert ? a.rank() + axes.length : a.rank();
        long[] sorted = Arrays.stream(axes).map(x -> axis(n, x, rank)).sorted().toArray();
        List<Long> out = new ArrayList<>(Arrays.stream(a.dims()).boxed().toList());
        if (insert) {
            for (long x : sorted) out.add((int) x, 1L);
        } else {
            for (int i = sorted.length - 1; i >= 0; i--) {
                if (out.get((int) sorted[i]) != 1) throw n.fail("squeezes axis " + sorted[i] + " of size " + out.get((int) sorted[i]));
                out.remove((int) sorted[i]);
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static NdValues concat(OnnxNode n, List<NdValues> in) {
        int rank = in.get(0).rank();
        int axis = axis(n, n.integer("axis", Long.MIN_VALUE), rank);
        long[] dims = in.get(0).dims().clone();
        dims[axis] = 0;
        for (NdValues part : in) {
            if (part.rank() != rank) throw n.fail("concatenates constants of ranks " + rank + " and " + part.rank());
            for (int d = 0; d < rank; d++) {
                if (d != axis && part.dims()[d] != dims[d]) throw n.fail("concatenates constants of shapes that differ off its axis");
            }
            dims[axis] += part.dims()[axis];
        }
        long outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= dims[d];
        for (int d = axis + 1; d < rank; d++) inner *= dims[d];
        double[] out = new double[Math.toIntExact(NdValues.count(dims))];
        int at = 0;
        for (long o = 0; o < outer; o++) {
            for (NdValues part : in) {
                int block = (int) (part.dims()[axis] * inner);
                System.arraycopy(part.values(), (int) (o * block), out, at, block);
                at += block;
            }
        }
        return new NdValues(dims, out, in.stream().anyMatch(NdValues::floating));
    }

    private static List<NdValues> split(OnnxNode n, List<NdValues> in, int opset) {
        NdValues a = in.get(0);
        int axis = axis(n, n.integer("axis", 0), a.rank());
        long[] sizes = opset >= 13 ? (in.size() > 1 && in.get(1) != null ? in.get(1).longs("split") : null) : n.ints("split", null);
        if (sizes == null) {
            int parts = n.outputCount();
            long each = (a.dims()[axis] + parts - 1) / parts;
            sizes = new long[parts];
            for (int i = 0; i < parts; i++) sizes[i] = Math.max(0, Math.min(each, a.dims()[axis] - i * each));
        }
        List<NdValues> out = new ArrayList<>();
        long start = 0;
        for (long size : sizes) {
            out.add(range(a, axis, start, start + size, 1));
            start += size;
        }
        return out;
    }

    private static NdValues slice(OnnxNode n, List<NdValues> in, int opset) {
        NdValues a = in.get(0);
        long[] starts, ends, axes, steps;
        if (opset < 10) {
            starts = n.ints("starts", null);
            ends = n.ints("ends", null);
            axes = n.ints("axes", null);
            steps = null;
        } else {
            starts = in.get(1).longs("starts");
            ends = in.get(2).longs("ends");
            axes = in.size() > 3 && in.get(3) != null ? in.get(3).longs("axes") : null;
            steps = in.size() > 4 && in.get(4) != null ? in.get(4).longs("steps") : null;
        }
        if (starts == null || ends == null || starts.length != ends.length) throw n.fail("has starts and ends of different lengths");
        NdValues out = a;
        for (int i = 0; i < starts.length; i++) {
            int axis = axis(n, axes == null ? i : axes[i], a.rank());
            long step = steps == null ? 1 : steps[i];
            if (step == 0) throw n.fail("has a step of 0");
            long dim = a.dims()[axis];
            long start = starts[i] < 0 ? starts[i] + dim : starts[i];
            long end = ends[i] < 0 ? ends[i] + dim : ends[i];
            if (step > 0) {
                start = clamp(start, 0, dim);
                end = clamp(end, 0, dim);
            } else {
                start = clamp(start, 0, dim - 1);
                end = clamp(end, -1, dim - 1);
            }
            out = range(out, axis, start, end, step);
        }
        return out;
    }

    /** Entries start, start + step, … before end on one axis. */
    private static NdValues range(NdValues a, int axis, long start, long end, long step) {
        long count = step > 0 ? Math.max(0, (end - start + step - 1) / step) : Math.max(0, (start - end - step - 1) / -step);
        long[] dims = a.dims().clone();
        dims[axis] = count;
        long[] strides = a.strides();
        double[] out = new double[Math.toIntExact(NdValues.count(dims))];
        long[] position = new long[dims.length];
        for (int i = 0; i < out.length; i++) {
            long index = 0;
            for (int d = 0; d < dims.length; d++) index += (d == axis ? start + position[d] * step : position[d]) * strides[d];
            out[i] = a.values()[(int) index];
            ConstantElementwise.step(position, dims);
        }
        return new NdValues(dims, out, a.floating());
    }

    private static NdValues gather(OnnxNode n, NdValues a, NdValues indices) {
        int axis = axis(n, n.integer("axis", 0), a.rank());
        long[] picks = indices.longs("indices");
        long dim = a.dims()[axis];
        long outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= a.dims()[d];
        for (int d = axis + 1; d < a.rank(); d++) inner *= a.dims()[d];
        long[] dims = new long[a.rank() - 1 + indices.rank()];
        System.arraycopy(a.dims(), 0, dims, 0, axis);
        System.arraycopy(indices.dims(), 0, dims, axis, indices.rank());
        System.arraycopy(a.dims(), axis + 1, dims, axis + indices.rank(), a.rank() - axis - 1);
        double[] out = new double[Math.toIntExact(NdValues.count(dims))];
        int at = 0;
        for (long o = 0; o < outer; o++) {
            for (long pick : picks) {
                long p = pick < 0 ? pick + dim : pick;
                if (p < 0 || p >= dim) throw n.fail("gathers index " + pick + " of an axis of size " + dim);
                System.arraycopy(a.values(), (int) ((o * dim + p) * inner), out, at, (int) inner);
                at += (int) inner;
            }
        }
        return new NdValues(dims, out, a.floating());
    }

    private static NdValues transpose(OnnxNode n, NdValues a) {
        long[] perm = n.ints("perm", null);
        if (perm == null) {
            perm = new long[a.rank()];
            for (int i = 0; i < perm.length; i++) perm[i] = a.rank() - 1 - i;
        }
        if (perm.length != a.rank()) throw n.fail("has perm " + Arrays.toString(perm) + " for a rank-" + a.rank() + " constant");
        long[] dims = new long[a.rank()], inStrides = a.strides(), strides = new long[a.rank()];
        for (int i = 0; i < perm.length; i++) {
            int from = axis(n, perm[i], a.rank());
            dims[i] = a.dims()[from];
            strides[i] = inStrides[from];
        }
        double[] out = new double[a.size()];
        long[] position = new long[dims.length];
        for (int i = 0; i < out.length; i++) {
            long index = 0;
            for (int d = 0; d < dims.length; d++) index += position[d] * strides[d];
            out[i] = a.values()[(int) index];
            ConstantElementwise.step(position, dims);
        }
        return new NdValues(dims, out, a.floating());
    }

    private static NdValues expand(NdValues a, long[] dims) {
        double[] out = new double[Math.toIntExact(NdValues.count(dims))];
        long[] position = new long[dims.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.values()[a.broadcastIndex(position)];
            ConstantElementwise.step(position, dims);
        }
        return new NdValues(dims, out, a.floating());
    }

    private static NdValues tile(OnnxNode n, NdValues a, long[] repeats) {
        if (repeats.length != a.rank()) throw n.fail("has " + repeats.length + " repeats for a rank-" + a.rank() + " constant");
        long[] dims = new long[a.rank()], strides = a.strides();
        for (int d = 0; d < dims.length; d++) dims[d] = a.dims()[d] * repeats[d];
        double[] out = new double[Math.toIntExact(NdValues.count(dims))];
        long[] position = new long[dims.length];
        for (int i = 0; i < out.length; i++) {
            long index = 0;
            for (int d = 0; d < dims.length; d++) index += position[d] % a.dims()[d] * strides[d];
            out[i] = a.values()[(int) index];
            ConstantElementwise.step(position, dims);
        }
        return new NdValues(dims, out, a.floating());
    }

    /** ScatterND without reduction: each index tuple's slice of a copy of the data replaced by its updates. */
    private static NdValues scatter(OnnxNode n, NdValues data, NdValues indices, NdValues updates) {
        String reduction = n.string("reduction", "none");
        if (!reduction.equals("none")) throw n.fail("has reduction " + reduction + "; only none is supported on constants");
        long[] idx = indices.longs("indices");
        int k = (int) indices.dims()[indices.rank() - 1];
        if (k > data.rank()) throw n.fail("indexes " + k + " axes of a rank-" + data.rank() + " constant");
        long slice = 1;
        for (int d = k; d < data.rank(); d++) slice *= data.dims()[d];
        long[] strides = data.strides();
        int tuples = (int) NdValues.count(Arrays.copyOf(indices.dims(), indices.rank() - 1)); // also for tuples of length 0
        if ((long) tuples * slice != updates.size()) throw n.fail("has " + updates.size() + " updates for " + tuples + " slices of " + slice);
        double[] out = data.values().clone();
        for (int t = 0; t < tuples; t++) {
            long offset = 0;
            for (int d = 0; d < k; d++) {
                long i = idx[t * k + d];
                if (i < 0) i += data.dims()[d];
                if (i < 0 || i >= data.dims()[d]) throw n.fail("scatters to index " + idx[t * k + d] + " of an axis of size " + data.dims()[d]);
                offset += i * strides[d];
            }
            System.arraycopy(updates.values(), (int) (t * slice), out, (int) offset, (int) slice);
        }
        return new NdValues(data.dims(), out, data.floating() || updates.floating());
    }

    static int axis(OnnxNode n, long axis, int rank) {
        if (axis == Long.MIN_VALUE) throw n.fail("has no axis");
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw n.fail("has axis " + axis + " for a rank-" + rank + " constant");
        return (int) a;
    }

    private static long clamp(long v, long lo, long hi) { return Math.max(lo, Math.min(hi, v)); }
}
