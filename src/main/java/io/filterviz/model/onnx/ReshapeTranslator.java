package io.filterviz.model.onnx;

import io.filterviz.model.graph.Concat;
import io.filterviz.model.graph.ConstantConcat;
import io.filterviz.model.graph.Flatten;
import io.filterviz.model.graph.Pad;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Operators that move values rather than compute them: Pad (constant, of height and width), Concat (of channels),
 * and Flatten, Reshape and Squeeze where they make an image a vector. On constants, Concat, Reshape and Squeeze are
 * evaluated.
 */
final class ReshapeTranslator implements OnnxTranslator {
    @Override
    public List<String> opTypes() { return List.of("Pad", "Concat", "Flatten", "Reshape", "Squeeze"); }

    @Override
    public String describe(String opType) {
        return switch (opType) {
            default -> opType;
        };
    }

    @Override
    public void translate(OnnxNode n, Translation t) {
        switch (n.opType()) {
            case "Pad" -> pad(n, t);
            case "Concat" -> concat(n, t);
            case "Flatten" -> flatten(n, t);
            case "Reshape" -> reshape(n, t);
            default -> squeeze(n, t);
        }
    }

    private static void pad(OnnxNode n, Translation t) {
        String mode;
        long[] p;
        float value = 0;
        if (t.opset() < 11) {
            n.allowOnly("mode", "pads", "value", "paddings");
            mode = n.string("mode", "constant");
            p = n.ints("pads", n.ints("paddings", new long[0]));
            value = n.real("value", 0f);
        } else {
            n.allowOnly("mode");
            mode = n.string("mode", "constant");
            p = t.constantInput(n, 1, "pads").longs();
            if (n.inputCount() > 2 && !n.input(2).isEmpty()) value = t.scalar(n, t.constantInput(n, 2, "constant_value"));
            if (n.inputCount() > 3 && !n.input(3).isEmpty()) throw n.fail("has an axes input; pads over all 4 axes are supported");
        }
        if (!mode.equals("constant")) throw n.fail("has mode " + mode + "; only constant padding is supported");
        String x = t.runtime(n, 0);
        TensorInfo in = t.info(x);
        if (Arrays.stream(p).allMatch(v -> v == 0)) { // Swin pads its windows only where the size needs it
            t.alias(n.output(0), x);
            return;
        }
        if (!in.image()) {
            tensorPad(n, t, x, p, value);
            return;
        }
        if (p.length != 8) throw n.fail("pads " + Arrays.toString(p) + "; supported: an image's height and width");
        if (p[0] != 0 || p[1] != 0 || p[4] != 0 || p[5] != 0) {
            throw n.fail("pads the batch or channels " + Arrays.toString(p) + "; only height and width are supported");
        }
        if (Arrays.stream(p).anyMatch(v -> v < 0)) throw n.fail("has negative pads " + Arrays.toString(p) + " (a crop); not supported");
        t.emit(n, new Pad(new int[]{(int) p[2], (int) p[3], (int) p[6], (int) p[7]}, value), List.of(x),
                new TensorInfo(4, in.channels(), false));
    }

    private static void concat(OnnxNode n, Translation t) {
        n.allowOnly("axis");
        if (n.inputs().stream().anyMatch(t::isConstant)) {
            constantConcat(n, t);
            return;
        }
        List<String> inputs = new ArrayList<>();
        int channels = 0;
        boolean global = true;
        int rank = -1;
        for (int i = 0; i < n.inputCount(); i++) {
            String x = t.runtime(n, i);
            TensorInfo in = t.info(x);
            if (rank >= 0 && in.rank() != rank) throw n.fail("concatenates tensors of different ranks");
            rank = in.rank();
            channels = channels < 0 || in.channels() < 0 ? -1 : channels + in.channels();
            global &= in.global();
            inputs.add(x);
        }
        long axis = n.integer("axis", Long.MIN_VALUE);
        if (axis < 0) axis += rank;
        if (inputs.stream().anyMatch(i -> !t.info(i).planar()) || axis != 1) {
            generalConcat(n, t, inputs, axis);
            return;
        }
        if (axis != 1) throw n.fail("concatenates along axis " + n.integer("axis", 0) + "; only channels (axis 1) are supported");
        t.emit(n, new Concat(inputs.size()), inputs, new TensorInfo(rank, channels, global));
    }

    private static void flatten(OnnxNode n, Translation t) {
        n.allowOnly("axis");
        String x = t.runtime(n, 0);
        TensorInfo in = t.info(x);
        long axis = n.integer("axis", 1);
        if (axis < 0) axis += in.rank();
        if (!in.planar()) {
            TensorTranslator.flatten(n, t, x, axis);
            return;
        }
        if (axis != 1) throw n.fail("flattens from axis " + n.integer("axis", 1) + "; only axis 1 (keep the batch) is supported");
        if (in.rank() == 2) {
            t.alias(n.output(0), x);
            return;
        }
        t.emit(n, new Flatten(), List.of(x), new TensorInfo(2, in.global() ? in.channels() : -1, false));
    }

    private static void reshape(OnnxNode n, Translation t) {
        n.allowOnly("allowzero");
        if (t.isConstant(n.input(0))) throw t.computedInput(n);
        String x = t.runtime(n, 0);
        TensorInfo in = t.info(x);
        long[] target = t.constantInput(n, 1, "shape").longs();
        if (!isFlatten(target, in)) {
            TensorTranslator.reshape(n, t, x, target, n.integer("allowzero", 0) != 0);
            return;
        }
        boolean batchKept = target.length == 2 && (target[0] == 1 || target[0] == 0 && n.integer("allowzero", 0) == 0
                || target[0] == -1 && target[1] > 0);
        if (!batchKept || target[1] == Constant.UNKNOWN || target[1] == 0 || target[1] < -1) {
            throw n.fail("reshapes to " + describe(target) + "; only a flatten to [1, -1] (or [1, K]) is supported");
        }
        if (target[1] > 0 && in.channels() >= 0 && (in.rank() == 2 || in.global()) && target[1] != in.channels()) {
            throw n.fail("reshapes " + in.channels() + " values to " + describe(target));
        }
        if (in.rank() == 2) {
            t.alias(n.output(0), x);
            return;
        }
        t.emit(n, new Flatten(), List.of(x), new TensorInfo(2, target[1] > 0 ? (int) target[1] : in.global() ? in.channels() : -1, false));
    }

    /** Squeezing H and W of a C×1×1 tensor (tf2onnx after a global pool) is a flatten. */
    private static void squeeze(OnnxNode n, Translation t) {
        n.allowOnly("axes");
        if (t.isConstant(n.input(0))) throw t.computedInput(n);
        String x = t.runtime(n, 0);
        TensorInfo in = t.info(x);
        long[] axes = t.opset() >= 13 && n.inputCount() > 1 ? t.constantInput(n, 1, "axes").longs() : n.ints("axes", null);
        Set<Long> normalised = axes == null ? Set.of(2L, 3L)
                : Arrays.stream(axes).map(a -> a < 0 ? a + in.rank() : a).boxed().collect(Collectors.toSet());
        if (!in.image()) {
            TensorTranslator.squeezeOrUnsqueeze(n, t, x, axes, false);
            return;
        }
        boolean oneByOne = in.global() || t.input().height() > 0 && t.fixedShape(x).height() == 1 && t.fixedShape(x).width() == 1;
        if (in.rank() != 4 || !normalised.equals(Set.of(2L, 3L)) || !oneByOne) {
            throw n.fail("squeezes axes " + (axes == null ? "(all of size 1)" : Arrays.toString(axes)) + " of " + x
                    + "; supported: height and width of a C×1×1 tensor (after a global pool)");
        }
        t.emit(n, new Flatten(), List.of(x), new TensorInfo(2, in.channels(), false));
    }

    /** Whether a Reshape makes an image or vector a vector (the batch kept first): today's flatten. */
    private static boolean isFlatten(long[] target, TensorInfo in) {
        if (!in.planar() || target.length != 2) return false;
        return target[0] == 1 || target[0] == 0 || target[0] == Constant.UNKNOWN || target[0] == -1 && target[1] > 0;
    }

    /**
     * Pads on any axis but the batch of a tensor of any rank (Swin pads its channels-last planes to whole windows),
     * as the padding values concatenated before and after: the sizes must be fixed.
     */
    private static void tensorPad(OnnxNode n, Translation t, String x, long[] p, float value) {
        TensorInfo in = t.info(x);
        if (p.length != 2 * in.rank()) throw n.fail("has " + p.length + " pads for a rank-" + in.rank() + " tensor");
        if (Arrays.stream(p).anyMatch(v -> v < 0)) throw n.fail("has negative pads " + Arrays.toString(p) + " (a crop); not supported");
        if (t.probeShapes(n, x).length != 1) throw n.fail("pads a tensor of a free-size network; export the model at a fixed size");
        List<int[]> sides = new ArrayList<>(); // {ONNX axis, 0 before or 1 after, amount}
        for (int end = 0; end < 2; end++) {
            for (int a = 0; a < in.rank(); a++) if (p[a + end * in.rank()] > 0) sides.add(new int[]{a, end, (int) p[a + end * in.rank()]});
        }
        String current = x;
        for (int i = 0; i < sides.size(); i++) {
            int axis = in.graphAxis(sides.get(i)[0]);
            if (axis < 0) throw n.fail("pads the batch axis " + Arrays.toString(p));
            int[] dims = t.probeShape(n, current).dims();
            dims[axis] = sides.get(i)[2];
            float[] values = new float[Math.toIntExact(Arrays.stream(dims).asLongStream().reduce(1, (u, v) -> u * v))];
            Arrays.fill(values, value);
            String out = i == sides.size() - 1 ? n.output(0) : n.output(0) + "/pad" + i;
            t.emitTensor(i == 0 ? n.name() : t.derivedName(n, "pad" + i),
                    new ConstantConcat(axis, values, dims, sides.get(i)[1] == 0), List.of(current), out, in.batched(), n);
            current = out;
        }
    }

    /** Concatenation on any axis of tensors of any rank, all computed. */
    private static void generalConcat(OnnxNode n, Translation t, List<String> inputs, long axis) {
        boolean batched = inputs.stream().allMatch(i -> t.info(i).batched());
        List<String> sources = batched ? inputs : inputs.stream().map(i -> TensorTranslator.unbatched(n, t, i)).toList();
        int a = t.info(sources.get(0)).graphAxis(axis);
        if (a < 0) throw n.fail("concatenates along the batch axis");
        t.emitTensor(n.name(), new Concat(sources.size(), a), sources, n.output(0), batched, n);
    }

    /** A computed tensor and a constant (a ViT's class token before its patch tokens). */
    private static void constantConcat(OnnxNode n, Translation t) {
        if (n.inputCount() != 2) throw n.fail("concatenates " + n.inputCount() + " tensors, some constant; one computed and one constant are supported");
        boolean first = t.isConstant(n.input(0));
        String x = t.runtime(n, first ? 1 : 0);
        TensorInfo in = t.info(x);
        Constant c = t.constant(n.input(first ? 0 : 1));
        long axis = n.integer("axis", 0);
        int a = in.graphAxis(axis);
        if (a < 0) throw n.fail("concatenates along the batch axis");
        long[] cd = c.dims();
        if (cd.length != in.rank() || in.batched() && cd[0] != 1) {
            throw n.fail("concatenates a constant of shape " + Arrays.toString(cd) + " with a rank-" + in.rank() + " tensor");
        }
        int[] dims = new int[in.rank() - (in.batched() ? 1 : 0)];
        for (int i = 0; i < dims.length; i++) dims[i] = (int) cd[i + (in.batched() ? 1 : 0)];
        t.emitTensor(n.name(), new ConstantConcat(a, c.floats().clone(), dims, first), List.of(x),
                n.output(0), in.batched(), n);
    }

    private static String describe(long[] shape) {
        return Arrays.stream(shape).mapToObj(v -> v == Constant.UNKNOWN ? "?" : Long.toString(v))
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
