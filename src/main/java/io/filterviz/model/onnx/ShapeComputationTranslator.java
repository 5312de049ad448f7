package io.filterviz.model.onnx;

import java.util.Arrays;
import java.util.List;

/**
 * Shape, whose output is a constant (with {@link Constant#UNKNOWN} where a size depends on the input), and
 * Gather with constant indices and Unsqueeze of a computed tensor (on constants, {@link ConstantEvaluator} evaluates them).
 */
final class ShapeComputationTranslator implements OnnxTranslator {
    @Override
    public List<String> opTypes() { return List.of("Shape", "Gather", "Unsqueeze"); }

    @Override
    public void translate(OnnxNode n, Translation t) {
        if (n.opType().equals("Shape")) {
            shape(n, t);
        } else if (n.opType().equals("Gather") && !t.isConstant(n.input(0)) && t.isConstant(n.input(1))) {
            n.allowOnly("axis");
            TensorTranslator.gather(n, t, t.runtime(n, 0), n.integer("axis", 0), t.constant(n.input(1)));
        } else if (n.opType().equals("Unsqueeze") && !t.isConstant(n.input(0))) {
            n.allowOnly("axes");
            long[] axes = t.opset() >= 13 && n.inputCount() > 1 ? t.constantInput(n, 1, "axes").longs() : n.ints("axes", null);
            if (axes == null) throw n.fail("has no axes");
            TensorTranslator.squeezeOrUnsqueeze(n, t, t.runtime(n, 0), axes, true);
        } else {
            throw t.computedInput(n);
        }
    }

    private static void shape(OnnxNode n, Translation t) {
        n.allowOnly("start", "end");
        long[] dims;
        if (t.isConstant(n.input(0))) {
            dims = t.constant(n.input(0)).dims().clone();
        } else if (t.input().height() > 0) { // a fixed-size network: every shape is known
            String x = t.runtime(n, 0);
            dims = t.onnxDims(n, x);
        } else {
            String x = t.runtime(n, 0);
            TensorInfo in = t.info(x);
            OnnxLoader.Input input = t.input();
            dims = new long[in.rank()];
            Arrays.fill(dims, Constant.UNKNOWN);
            dims[0] = 1;
            if (in.channels() >= 0) dims[1] = in.channels();
            if (in.rank() == 4 && in.global()) dims[2] = dims[3] = 1;
            if (in.rank() == 4 && x.equals(input.name()) && input.height() > 0) {
                dims[2] = input.height();
                dims[3] = input.width();
            }
        }
        int start = (int) clampAxis(n.integer("start", 0), dims.length);
        int end = (int) clampAxis(n.integer("end", dims.length), dims.length);
        long[] slice = Arrays.copyOfRange(dims, start, Math.max(start, end));
        t.putConstant(n.output(0), Constant.ofLongs(new long[]{slice.length}, slice));
    }

    private static long clampAxis(long axis, int rank) {
        if (axis < 0) axis += rank;
        return Math.max(0, Math.min(rank, axis));
    }
}
