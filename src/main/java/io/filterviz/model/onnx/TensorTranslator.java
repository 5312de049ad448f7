package io.filterviz.model.onnx;

import io.filterviz.model.graph.Gather;
import io.filterviz.model.graph.LayerNorm;
import io.filterviz.model.graph.Reshape;
import io.filterviz.model.graph.Shape;
import io.filterviz.model.graph.Slice;
import io.filterviz.model.graph.Softmax;
import io.filterviz.model.graph.Transpose;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Operators on tensors of any rank, as transformers use them: Transpose, Softmax, LayerNormalization, Slice, Split,
 * Expand (to the same shape), and the general cases of Reshape, Flatten, Squeeze, Unsqueeze and Gather that the
 * image-and-vector translators hand over. ONNX axes become the graph's through {@link TensorInfo#graphAxis}: the
 * batch axis of one is left out while it stays first, and made explicit ({@link #unbatched}) when an operator
 * moves it (attention's tokens-first layout).
 */
final class TensorTranslator implements OnnxTranslator {
    @Override
    public List<String> opTypes() { return List.of("Transpose", "Softmax", "LayerNormalization", "Slice", "Split", "Expand"); }

    @Override
    public String describe(String opType) {
        return switch (opType) {
            case "LayerNormalization" -> "LayerNormalization (last axis)";
            case "Expand" -> "Expand (to its own shape)";
            default -> opType;
        };
    }

    @Override
    public void translate(OnnxNode n, Translation t) {
        switch (n.opType()) {
            case "Transpose" -> transpose(n, t);
            case "Softmax" -> softmax(n, t);
            case "LayerNormalization" -> layerNorm(n, t);
            case "Slice" -> slice(n, t);
            case "Split" -> split(n, t);
            default -> expand(n, t);
        }
    }

    private static void transpose(OnnxNode n, Translation t) {
        n.allowOnly("perm");
        String x = t.runtime(n, 0);
        TensorInfo in = t.info(x);
        long[] perm = n.ints("perm", null);
        if (perm == null) {
            perm = new long[in.rank()];
            for (int a = 0; a < perm.length; a++) perm[a] = perm.length - 1 - a;
        }
        if (perm.length != in.rank()) throw n.fail("has perm " + Arrays.toString(perm) + " for a rank-" + in.rank() + " tensor");
        if (in.batched() && perm[0] == 0) {
            int[] p = new int[perm.length - 1];
            for (int a = 1; a < perm.length; a++) p[a - 1] = (int) perm[a] - 1;
            t.emitTensor(n.name(), new Transpose(p), List.of(x), n.output(0), true, n);
            return;
        }
        String source = unbatched(n, t, x);
        int[] p = Arrays.stream(perm).mapToInt(v -> (int) v).toArray();
        emitRebatched(n, t, new Transpose(p), source, n.output(0));
    }

    private static void softmax(OnnxNode n, Translation t) {
        n.allowOnly("axis");
        String x = t.runtime(n, 0);
        TensorInfo in = t.info(x);
        long axis = n.integer("axis", t.opset() >= 13 ? -1 : 1);
        if (t.opset() < 13 && (axis < 0 ? axis + in.rank() : axis) != in.rank() - 1) {
            throw n.fail("has axis " + axis + " in opset " + t.opset() + " (a flattened softmax); only the last axis is supported");
        }
        int a = in.graphAxis(axis);
        if (a < 0) throw n.fail("takes the softmax over the batch axis");
        t.emitTensor(n.name(), new Softmax(a), List.of(x), n.output(0), in.batched(), n);
    }

    private static void layerNorm(OnnxNode n, Translation t) {
        n.allowOnly("axis", "epsilon", "stash_type");
        String x = t.runtime(n, 0);
        TensorInfo in = t.info(x);
        long axis = n.integer("axis", -1);
        if ((axis < 0 ? axis + in.rank() : axis) != in.rank() - 1) {
            throw n.fail("normalises from axis " + axis + " of a rank-" + in.rank() + " tensor; only the last axis is supported");
        }
        for (int i = 1; i < n.outputCount(); i++) {
            if (!n.output(i).isEmpty()) t.unusedExtraOutputs(n);
        }
        float[] scale = t.constantInput(n, 1, "scale").floats();
        float[] shift = n.inputCount() > 2 && !n.input(2).isEmpty() ? t.constantInput(n, 2, "bias").floats() : new float[scale.length];
        if (shift.length != scale.length) throw n.fail("has " + scale.length + " scales and " + shift.length + " biases");
        t.emitTensor(n.name(), new LayerNorm(n.real("epsilon", 1e-5f), scale.clone(), shift.clone()), List.of(x), n.output(0),
                in.batched(), n);
    }

    private static void slice(OnnxNode n, Translation t) {
        String x = t.runtime(n, 0);
        TensorInfo in = t.info(x);
        long[] starts, ends, axes, steps;
        if (t.opset() < 10) {
            n.allowOnly("starts", "ends", "axes");
            starts = n.ints("starts", null);
            ends = n.ints("ends", null);
            axes = n.ints("axes", null);
            steps = null;
        } else {
            n.allowOnly();
            starts = t.constantInput(n, 1, "starts").longs();
            ends = t.constantInput(n, 2, "ends").longs();
            axes = n.inputCount() > 3 && !n.input(3).isEmpty() ? t.constantInput(n, 3, "axes").longs() : null;
            steps = n.inputCount() > 4 && !n.input(4).isEmpty() ? t.constantInput(n, 4, "steps").longs() : null;
        }
        if (starts == null || ends == null || starts.length != ends.length) throw n.fail("has no matching starts and ends");
        long[] dims = t.onnxDims(n, x);
        List<Slice> slices = new ArrayList<>();
        for (int i = 0; i < starts.length; i++) {
            long axis = axes == null ? i : axes[i];
            long step = steps == null ? 1 : steps[i];
            int a = in.graphAxis(axis);
            Slice s = new Slice(Math.max(a, 0), starts[i], ends[i], step);
            if (unknown(starts[i]) || unknown(ends[i])) throw n.fail("slices at a bound that depends on the input size");
            long size = dims[(int) (axis < 0 ? axis + dims.length : axis)];
            long[] range = s.range((int) size);
            if (range[0] == 0 && range[1] == size && step == 1) continue; // the whole axis
            if (a < 0) throw n.fail("slices the batch axis");
            slices.add(s);
        }
        chain(n, t, x, slices.stream().map(s -> (io.filterviz.model.graph.Op) s).toList(), n.output(0), in.batched());
    }

    private static void split(OnnxNode n, Translation t) {
        n.allowOnly("axis", "split");
        String x = t.runtime(n, 0);
        TensorInfo in = t.info(x);
        long axis = n.integer("axis", 0);
        int a = in.graphAxis(axis);
        if (a < 0) throw n.fail("splits the batch axis");
        long size = t.onnxDims(n, x)[(int) (axis < 0 ? axis + in.rank() : axis)];
        long[] parts = t.opset() >= 13 && n.inputCount() > 1 && !n.input(1).isEmpty() ? t.constantInput(n, 1, "split").longs()
                : n.ints("split", null);
        int outputs = n.outputCount();
        if (parts == null) {
            if (size % outputs != 0) throw n.fail("splits " + size + " values into " + outputs + " equal parts");
            parts = new long[outputs];
            Arrays.fill(parts, size / outputs);
        }
        if (parts.length != outputs || Arrays.stream(parts).sum() != size) throw n.fail("splits " + size + " values as " + Arrays.toString(parts));
        long start = 0;
        for (int i = 0; i < outputs; i++) {
            if (!n.output(i).isEmpty()) {
                t.emitTensor(i == 0 ? n.name() : t.derivedName(n, "part" + i), new Slice(a, start, start + parts[i], 1), List.of(x),
                        n.output(i), in.batched(), n);
            }
            start += parts[i];
        }
    }

    private static void expand(OnnxNode n, Translation t) {
        n.allowOnly();
        String x = t.runtime(n, 0);
        long[] target = t.constantInput(n, 1, "shape").longs();
        long[] dims = t.onnxDims(n, x);
        int offset = dims.length - target.length;
        boolean same = offset >= 0;
        for (int i = 0; same && i < target.length; i++) same = target[i] == 1 || target[i] == dims[i + offset];
        if (!same) throw n.fail("expands " + Arrays.toString(dims) + " to " + Arrays.toString(target) + "; only an expand to its own shape is supported");
        t.alias(n.output(0), x);
    }

    // ---- the general cases of the image-and-vector translators ----

    /** Reshape to ONNX dimensions {@code target} (0 copies, −1 infers, unknown entries are the input's free sizes). */
    static void reshape(OnnxNode n, Translation t, String x, long[] target, boolean allowZero) {
        TensorInfo in = t.info(x);
        Shape[] probes = t.probeShapes(n, x);
        long[] inDims = t.onnxDims(n, x);
        // the input's axes whose size depends on the input size: what an entry the file computes from it stands for
        List<Integer> free = new ArrayList<>();
        for (int a = in.batched() ? 1 : 0; a < inDims.length; a++) {
            int g = a - (in.batched() ? 1 : 0);
            if (probes.length > 1 && probes[0].dim(g) != probes[1].dim(g)) free.add(a);
        }
        long[] spec = target.clone();
        boolean batchOut = spec.length > 0 && (spec[0] == 1 || unknown(spec[0]) && in.batched()
                || spec[0] == 0 && !allowZero && inDims[0] == 1 || spec[0] == -1 && in.batched() && restIsFull(spec, inDims, probes[0]));
        int nextFree = 0;
        int[] graphSpec = new int[spec.length - (batchOut ? 1 : 0)];
        for (int i = batchOut ? 1 : 0; i < spec.length; i++) {
            long v = spec[i];
            int g;
            if (unknown(v)) {
                if (nextFree >= free.size()) throw n.fail("reshapes to a size computed from the input's in a way filterviz cannot follow; export at a fixed size");
                g = Reshape.inputAxis(free.get(nextFree++) - (in.batched() ? 1 : 0));
            } else if (v == 0 && !allowZero) {
                if (i >= inDims.length) throw n.fail("copies axis " + i + " of a rank-" + inDims.length + " tensor");
                int source = i - (in.batched() ? 1 : 0);
                if (source < 0) throw n.fail("copies the batch axis into the middle of the tensor");
                g = Reshape.inputAxis(source);
            } else if (v == -1) {
                g = -1;
            } else if (v > 0 && v <= Integer.MAX_VALUE) {
                g = (int) v;
            } else {
                throw n.fail("reshapes to " + Arrays.toString(target));
            }
            graphSpec[i - (batchOut ? 1 : 0)] = g;
        }
        if (graphSpec.length == 0) throw n.fail("reshapes to a single value per image");
        String source = x;
        if (!batchOut && in.batched()) {
            // the output's first axis is not the batch: reshape from the input with its batch axis written out
            source = unbatched(n, t, x);
            for (int i = 0; i < graphSpec.length; i++) {
                if (graphSpec[i] < -1) graphSpec[i] = Reshape.inputAxis(-2 - graphSpec[i] + 1);
            }
        }
        t.emitTensor(n.name(), new Reshape(graphSpec, batchOut), List.of(source), n.output(0), batchOut, n);
    }

    /** ONNX Unsqueeze or Squeeze of a computed tensor as a Reshape. */
    static void squeezeOrUnsqueeze(OnnxNode n, Translation t, String x, long[] axes, boolean insert) {
        long[] dims = t.onnxDims(n, x);
        List<Long> out = new ArrayList<>();
        for (long d : dims) out.add(d);
        if (insert) {
            int rank = dims.length + axes.length;
            long[] sorted = Arrays.stream(axes).map(a -> a < 0 ? a + rank : a).sorted().toArray();
            for (long a : sorted) out.add((int) a, 1L);
        } else if (axes == null) {
            out.removeIf(d -> d == 1);
        } else {
            long[] sorted = Arrays.stream(axes).map(a -> a < 0 ? a + dims.length : a).sorted().toArray();
            for (int i = sorted.length - 1; i >= 0; i--) out.remove((int) sorted[i]);
        }
        reshape(n, t, x, freeAsUnknown(n, t, x, dims, out.stream().mapToLong(Long::longValue).toArray()), true);
    }

    /** ONNX Flatten of a computed tensor at {@code axis} as a Reshape. */
    static void flatten(OnnxNode n, Translation t, String x, long axis) {
        long[] dims = t.onnxDims(n, x);
        if (axis < 0) axis += dims.length;
        long outer = 1;
        for (int a = 0; a < axis; a++) outer *= dims[a];
        reshape(n, t, x, new long[]{outer, -1}, true);
    }

    /** ONNX Gather of a computed tensor at constant indices (a scalar or a list). */
    static void gather(OnnxNode n, Translation t, String x, long axis, Constant indices) {
        TensorInfo in = t.info(x);
        if (indices.rank() > 1) throw n.fail("gathers with " + indices.rank() + "-D indices; a scalar or a list is supported");
        long[] picks = indices.longs();
        int a = in.graphAxis(axis);
        if (a < 0) throw n.fail("gathers on the batch axis");
        int[] idx = Arrays.stream(picks).mapToInt(v -> (int) v).toArray();
        t.emitTensor(n.name(), new Gather(a, idx, indices.rank() == 0), List.of(x), n.output(0), in.batched(), n);
    }

    // ---- helpers ----

    /** {@code x} with its batch axis of one written out as the graph's axis 0 (made once per tensor). */
    static String unbatched(OnnxNode n, Translation t, String x) {
        TensorInfo in = t.info(x);
        if (!in.batched()) return x;
        String name = x + "/with-batch-axis";
        if (t.info(name) != null) return name;
        int rank = in.rank() - 1;
        int[] spec = new int[rank + 1];
        spec[0] = 1;
        for (int a = 0; a < rank; a++) spec[a + 1] = Reshape.inputAxis(a);
        t.emitTensor(t.derivedName(n, "with-batch-axis"), new Reshape(spec), List.of(x), name, false, n);
        return name;
    }

    /**
     * Emits {@code op} on an unbatched tensor; when its output's first axis is the batch of one again, leaves that
     * axis out afterwards, so that what follows sees an image or a vector again.
     */
    private static void emitRebatched(OnnxNode n, Translation t, io.filterviz.model.graph.Op op, String source, String output) {
        String raw = output + "/tokens-first";
        t.emitTensor(n.name(), op, List.of(source), raw, false, n);
        Shape[] shapes = t.probeShapes(n, raw);
        boolean leadingOne = Arrays.stream(shapes).allMatch(s -> s.dim(0) == 1) && shapes[0].rank() > 1;
        if (!leadingOne) {
            t.alias(output, raw);
            return;
        }
        int[] spec = new int[shapes[0].rank() - 1];
        for (int a = 0; a < spec.length; a++) spec[a] = Reshape.inputAxis(a + 1);
        t.emitTensor(t.derivedName(n, "batch-first"), new Reshape(spec), List.of(raw), output, true, n);
    }

    /** One node per operator, in order; the last writes {@code output} (an alias when there is none). */
    private static void chain(OnnxNode n, Translation t, String x, List<io.filterviz.model.graph.Op> ops, String output, boolean batched) {
        if (ops.isEmpty()) {
            t.alias(output, x);
            return;
        }
        String current = x;
        for (int i = 0; i < ops.size(); i++) {
            boolean last = i == ops.size() - 1;
            String out = last ? output : output + "/" + i;
            t.emitTensor(i == 0 ? n.name() : t.derivedName(n, "part" + i), ops.get(i), List.of(current), out, batched, n);
            current = out;
        }
    }

    /** The entries of {@code out} that are the input's free sizes, marked unknown (as a file computing them would). */
    private static long[] freeAsUnknown(OnnxNode n, Translation t, String x, long[] inDims, long[] out) {
        Shape[] probes = t.probeShapes(n, x);
        if (probes.length == 1) return out;
        TensorInfo in = t.info(x);
        List<Long> freeSizes = new ArrayList<>();
        for (int g = 0; g < probes[0].rank(); g++) {
            if (probes[0].dim(g) != probes[1].dim(g)) freeSizes.add(inDims[g + (in.batched() ? 1 : 0)]);
        }
        long[] marked = out.clone();
        int next = 0;
        for (int i = 0; i < marked.length && next < freeSizes.size(); i++) {
            if (marked[i] == freeSizes.get(next)) {
                marked[i] = Constant.UNKNOWN;
                next++;
            }
        }
        return marked;
    }

    /** Whether the entries after a leading −1 hold the whole input but its batch, so that the −1 is the batch of one. */
    private static boolean restIsFull(long[] spec, long[] inDims, Shape input) {
        if (!Arrays.stream(spec).skip(1).allMatch(v -> v > 0 || unknown(v))) return false;
        if (Arrays.stream(spec).skip(1).anyMatch(TensorTranslator::unknown)) return true;
        // Swin's attention mask: [1, windows, heads, N, N] to [-1, heads, N, N] makes the windows the first axis
        return Arrays.stream(spec).skip(1).reduce(1, (a, b) -> a * b) == input.size();
    }

    static boolean unknown(long v) { return v == Constant.UNKNOWN; }
}
