package io.filterviz.engine.onednn;

import io.filterviz.engine.onednn.ChainParts.Value;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Pad;
import io.filterviz.model.graph.Pool;
import io.filterviz.model.graph.Shape;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_pooling_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;


import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * Max and average pooling (ceil_mode and PyTorch's count_include_pad rule), global average pooling as a pool over the
 * whole plane, and constant Pad: forward and input gradient.
 */
final class SpatialLowering extends Lowering {
    SpatialLowering(ChainBuild build) { super(build); }

    void pool(Node node, Pool p) {
        String input = node.inputs().get(0);
        Shape in = shapes.get(input), out = shapes.get(node.output());
        int[] pads = p.pads();
        // oneDNN takes the right and bottom padding that gives the output size: with ceil_mode, more than the file's.
        int padB = (out.height() - 1) * p.strideHeight() + p.kernelHeight() - in.height() - pads[0];
        int padR = (out.width() - 1) * p.strideWidth() + p.kernelWidth() - in.width() - pads[1];
        Value x = values.get(input);
        if (p.kind() == Pool.Kind.AVERAGE && p.countIncludePad() && (padB > pads[2] || padR > pads[3])) {
            // PyTorch and ONNX count the file's padding in the divisor but not ceil_mode's extra: pad with zeros
            // explicitly, then average without counting what oneDNN pads.
            Value padded = padded(node.name() + "#pad", input, x, new int[]{pads[0], pads[1], pads[2], pads[3]}, 0f);
            Shape ps = Shape.image(in.channels(), in.height() + pads[0] + pads[2], in.width() + pads[1] + pads[3]);
            Pool inner = new Pool(Pool.Kind.AVERAGE, p.kernelHeight(), p.kernelWidth(), p.strideHeight(), p.strideWidth(),
                    new int[]{0, 0, padB - pads[2], padR - pads[3]}, false, false);
            poolPrimitive(node, inner, node.name() + "#pad", padded, ps, out, 0, 0, padB - pads[2], padR - pads[3]);
            return;
        }
        poolPrimitive(node, p, input, x, in, out, pads[0], pads[1], padB, padR);
    }

    private void poolPrimitive(Node node, Pool p, String input, Value x, Shape in, Shape out, int padT, int padL,
                               int padB, int padR) {
        int alg = p.kind() == Pool.Kind.MAX ? dnnl_pooling_max
                : p.countIncludePad() ? dnnl_pooling_avg_include_padding : dnnl_pooling_avg_exclude_padding;
        long[] strides = {p.strideHeight(), p.strideWidth()}, kernel = {p.kernelHeight(), p.kernelWidth()};
        long[] left = {padT, padL}, right = {padB, padR};
        dnnl_pooling_desc_t desc = new dnnl_pooling_desc_t();
        Dnnl.check(dnnl_pooling_forward_desc_init(desc, build.forwardKind(), alg, x.md(),
                Dnnl.md(x.dataType(), dnnl_format_tag_any, batch, out.channels(), out.height(), out.width()),
                strides, kernel, left, right), "pooling_forward_desc_init " + node.name());
        dnnl_primitive_desc pd = parts.desc(desc, parts.attr(), null, "pooling forward " + node.name());
        Value y = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        Value workspace = alg == dnnl_pooling_max && !build.inference ? parts.buffer(Dnnl.query(pd, dnnl_query_workspace_md)) : null;
        forward.add(workspace != null
                ? parts.primitive(pd, DNNL_ARG_SRC, x, DNNL_ARG_DST, y, DNNL_ARG_WORKSPACE, workspace)
                : parts.primitive(pd, DNNL_ARG_SRC, x, DNNL_ARG_DST, y));
        values.put(node.output(), y);
        Node relu = alg == dnnl_pooling_max ? reluBefore(input) : null;
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            // A max pool's output at i is the ReLU's output at i's maximum, the one place its gradient goes to: so
            // the ReLU's backward is the same mask applied to the pooled gradient (a quarter of the values for 2×2),
            // and the pool's gradient goes to the ReLU's input. Exact: only multiplications by 1 or 0 move.
            if (relu != null) dy = eltwiseBackwardInPlace(dnnl_eltwise_relu, 0f, 0f, y, node.output(), dy, relu.name() + " at " + node.name());
            dnnl_pooling_desc_t bwd = new dnnl_pooling_desc_t();
            Dnnl.check(dnnl_pooling_backward_desc_init(bwd, alg, x.md(), y.md(), strides, kernel, left, right),
                    "pooling_backward_desc_init " + node.name());
            dnnl_primitive_desc back = parts.desc(bwd, parts.attr(), pd, "pooling backward " + node.name());
            Value dyIn = parts.reorderIfNeeded(backward, dy, Dnnl.query(back, dnnl_query_diff_dst_md));
            Value dx = parts.buffer(Dnnl.query(back, dnnl_query_diff_src_md));
            backward.add(workspace != null
                    ? parts.primitive(back, DNNL_ARG_DIFF_DST, dyIn, DNNL_ARG_WORKSPACE, workspace, DNNL_ARG_DIFF_SRC, dx)
                    : parts.primitive(back, DNNL_ARG_DIFF_DST, dyIn, DNNL_ARG_DIFF_SRC, dx));
            contribute(relu != null ? relu.inputs().get(0) : input, dx);
        });
    }

    /**
     * The fused ReLU whose output a max pool reads, when its backward can move behind the pool (in plain chains:
     * Lucid's redirected rule needs the whole tensor's gradient), else null. Its own backward then gets no gradient
     * from the pool (only from other readers, if any: the masks add up the same).
     */
    private Node reluBefore(String input) {
        if (build.redirectRelus) return null;
        return graph.producer(input).filter(n -> fusedRelus.contains(n.name())).orElse(null);
    }

    void pad(Node node, Pad p) {
        String input = node.inputs().get(0);
        values.put(node.output(), padded(node.output(), input, values.get(input), p.pads(), p.value()));
    }

    /**
     * {@code x} with constant borders, written as tensor {@code name}: the borders are filled in Java before each
     * step (the buffer's arena slot is shared with chains of other sizes), the inside is a reorder into a view.
     */
    private Value padded(String name, String input, Value x, int[] pads, float value) {
        long[] d = x.dims();
        long[] outDims = {d[0], d[1], d[2] + pads[0] + pads[2], d[3] + pads[1] + pads[3]};
        int type = x.dataType();
        Value y = parts.buffer(Dnnl.plain(type, outDims));
        dnnl_memory_desc_t inside = Dnnl.submemory(y.md(), d, new long[]{0, 0, pads[0], pads[1]});
        forward.add(parts.java(stream -> fill(y, type, value), y));
        parts.reorder(forward, x, parts.view(y, inside));
        backwardBuilders.add(() -> {
            Value dy = gradientOf(name);
            if (dy == null) return;
            Value plain = parts.reorderIfNeeded(backward, dy, Dnnl.plain(dy.dataType(), outDims));
            Value view = parts.view(plain, Dnnl.submemory(plain.md(), d, new long[]{0, 0, pads[0], pads[1]}));
            contribute(input, parts.reorderInto(backward, view, Dnnl.plain(dy.dataType(), d)));
        });
        return y;
    }

    private static void fill(Value v, int type, float value) {
        Pointer p = v.buffer().pointer();
        long bytes = v.buffer().bytes;
        if (value == 0f) {
            Pointer.memset(p, 0, bytes);
        } else if (type == dnnl_f32) {
            FloatPointer f = v.buffer().floats();
            for (long i = 0; i < bytes / Float.BYTES; i++) f.put(i, value);
        } else {
            short bits = (short) (Float.floatToRawIntBits(value) >>> 16); // bf16: the float's upper half
            ShortPointer s = new ShortPointer(p).capacity(bytes / 2).limit(bytes / 2);
            for (long i = 0; i < bytes / 2; i++) s.put(i, bits);
        }
    }
}
