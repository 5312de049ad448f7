package io.filterviz.model.onnx;

import io.filterviz.model.graph.Flatten;
import io.filterviz.model.graph.GlobalAveragePool;
import io.filterviz.model.graph.Pool;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** MaxPool, AveragePool (2-D), GlobalAveragePool, and ReduceMean over height and width, which is a global pool. */
final class PoolingTranslator implements OnnxTranslator {
    @Override
    public List<String> opTypes() { return List.of("MaxPool", "AveragePool", "GlobalAveragePool", "ReduceMean"); }

    @Override
    public String describe(String opType) { return opType.equals("ReduceMean") ? "ReduceMean (over H and W)" : opType; }

    @Override
    public void translate(OnnxNode n, Translation t) {
        switch (n.opType()) {
            case "GlobalAveragePool" -> globalAveragePool(n, t);
            case "ReduceMean" -> reduceMean(n, t);
            default -> pool(n, t);
        }
    }

    private static void pool(OnnxNode n, Translation t) {
        boolean max = n.opType().equals("MaxPool");
        if (max) n.allowOnly("kernel_shape", "strides", "pads", "auto_pad", "ceil_mode", "dilations", "storage_order");
        else n.allowOnly("kernel_shape", "strides", "pads", "auto_pad", "ceil_mode", "count_include_pad", "dilations");
        t.unusedExtraOutputs(n);
        String x = t.runtime(n, 0);
        TensorInfo in = t.info(x);
        if (!in.image()) throw n.fail("takes a " + (in.vector() ? "vector" : "rank-" + in.rank() + " tensor") + "; pooling needs an image");
        long[] kernel = n.ints("kernel_shape", null);
        if (kernel == null || kernel.length != 2) throw n.fail("needs a 2-D kernel_shape");
        long[] strides = n.pair("strides");
        long[] dilations = n.pair("dilations");
        if (dilations[0] != 1 || dilations[1] != 1) throw n.fail("has dilations " + Arrays.toString(dilations) + "; only 1 is supported");
        if (n.integer("storage_order", 0) != 0) throw n.fail("has storage_order 1; only 0 is supported");
        int[] pads = n.pads();
        String same = n.autoPad();
        if ("VALID".equals(same)) {
            pads = new int[4];
        } else if (same != null) {
            if (strides[0] != 1 || strides[1] != 1) {
                throw n.fail("has auto_pad " + same + " with stride " + Arrays.toString(strides)
                        + "; supported: explicit pads, or SAME_* with stride 1");
            }
            int th = (int) kernel[0] - 1, tw = (int) kernel[1] - 1;
            boolean upper = same.equals("SAME_UPPER");
            pads = new int[]{upper ? th / 2 : th - th / 2, upper ? tw / 2 : tw - tw / 2,
                    upper ? th - th / 2 : th / 2, upper ? tw - tw / 2 : tw / 2};
        }
        boolean ceil = n.integer("ceil_mode", 0) != 0;
        boolean countPad = n.integer("count_include_pad", 0) != 0;
        Pool pool = new Pool(max ? Pool.Kind.MAX : Pool.Kind.AVERAGE, (int) kernel[0], (int) kernel[1], (int) strides[0],
                (int) strides[1], pads, ceil, countPad);
        t.emit(n, pool, List.of(x), new TensorInfo(4, in.channels(), false));
    }

    private static void globalAveragePool(OnnxNode n, Translation t) {
        n.allowOnly();
        String x = t.runtime(n, 0);
        TensorInfo in = t.info(x);
        if (!in.image()) throw n.fail("takes a " + (in.vector() ? "vector" : "rank-" + in.rank() + " tensor") + "; pooling needs an image");
        t.emit(n, new GlobalAveragePool(), List.of(x), new TensorInfo(4, in.channels(), true));
    }

    /** tf2onnx writes Keras' GlobalAveragePooling2D so; without keepdims, a global pool then a flatten. */
    private static void reduceMean(OnnxNode n, Translation t) {
        n.allowOnly("axes", "keepdims", "noop_with_empty_axes");
        String x = t.runtime(n, 0);
        TensorInfo in = t.info(x);
        long[] axes = t.opset() >= 18 && n.inputCount() > 1 ? t.constantInput(n, 1, "axes").longs() : n.ints("axes", new long[0]);
        Set<Long> normalised = Arrays.stream(axes).map(a -> a < 0 ? a + in.rank() : a).boxed().collect(Collectors.toSet());
        if (!in.image() && axes.length == 1) {
            int axis = in.graphAxis(axes[0]);
            if (axis < 0) throw n.fail("averages over the batch axis");
            if (n.integer("keepdims", 1) != 0) {
                t.emitTensor(n.name(), new io.filterviz.model.graph.ReduceMean(axis), List.of(x), n.output(0), in.batched(), n);
                return;
            }
            String kept = n.output(0) + ":keepdims";
            t.emitTensor(n.name() + ":mean", new io.filterviz.model.graph.ReduceMean(axis), List.of(x), kept, in.batched(), n);
            TensorTranslator.squeezeOrUnsqueeze(n, t, kept, new long[]{axes[0]}, false);
            return;
        }
        if (!in.image() || !normalised.equals(Set.of(2L, 3L))) {
            throw n.fail("averages over axes " + Arrays.toString(axes) + "; only over height and width (axes 2, 3) is supported");
        }
        if (n.integer("keepdims", 1) != 0) {
            t.emit(n, new GlobalAveragePool(), List.of(x), new TensorInfo(4, in.channels(), true));
            return;
        }
        String pooled = n.output(0) + ":keepdims";
        t.add(n.name() + ":pool", new GlobalAveragePool(), List.of(x), pooled, new TensorInfo(4, in.channels(), true));
        t.emit(n, new Flatten(), List.of(pooled), new TensorInfo(2, in.channels(), false));
    }
}
