package io.filterviz.engine.onednn;

import io.filterviz.engine.onednn.ChainParts.Step;
import io.filterviz.engine.onednn.ChainParts.Value;
import io.filterviz.model.graph.Concat;
import io.filterviz.model.graph.ConstantConcat;
import io.filterviz.model.graph.Gather;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Shape;
import io.filterviz.model.graph.Slice;
import io.filterviz.model.graph.Transpose;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;

import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * Operators that move values: concatenation (its gradient: each input's slice), of a tensor and a constant (a ViT's
 * class token: the constant gets no gradient), Flatten and Reshape (a reshape of a
 * plain buffer, or of a layout oneDNN can reshape in place), Transpose (a permuted descriptor of the same memory: the
 * copy, if any, is the reorder of whoever needs another layout), Slice and Gather (reorders of strided views; their
 * gradients reorders into zeroed memory).
 */
final class LayoutLowering extends Lowering {
    LayoutLowering(ChainBuild build) { super(build); }

    /** Along any axis; images and vectors along channels in the layouts the convolutions left, other tensors plain. */
    void concat(Node node) {
        Concat c = (Concat) node.op();
        boolean planar = node.inputs().stream().allMatch(in -> shapes.get(in).planar());
        if (c.axis() == 0 && planar) {
            channelConcat(node);
        } else {
            plainConcat(node, c.axis() + 1);
        }
    }

    private void plainConcat(Node node, int axis) {
        List<String> inputs = node.inputs();
        int type = values.get(inputs.get(0)).dataType();
        for (String in : inputs) if (values.get(in).dataType() != type) type = dt;
        Shape out = shapes.get(node.output());
        List<Value> sources = new ArrayList<>();
        for (String in : inputs) sources.add(build.plain(in, type));
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        Dnnl.check(dnnl_concat_primitive_desc_create(pd, Dnnl.plain(type, dims(out)), sources.size(), axis,
                Dnnl.array(sources.stream().map(Value::md).toList()), parts.attr(), parts.engine()),
                "concat_primitive_desc_create " + node.name());
        parts.keep(pd);
        Value y = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        forward.add(parts.primitive(pd, multipleSources(sources, y)));
        values.put(node.output(), y);
        int t = type;
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            Value whole = parts.reorderIfNeeded(backward, dy, Dnnl.plain(t, dims(out)));
            long offset = 0;
            for (String in : inputs) {
                long[] d = dims(shapes.get(in));
                long[] at = new long[d.length];
                at[axis] = offset;
                offset += d[axis];
                Value slice = parts.view(whole, Dnnl.submemory(whole.md(), d, at));
                contribute(in, parts.reorderInto(backward, slice, Dnnl.plain(t, d)));
            }
        });
    }

    /**
     * A computed tensor and a constant along one axis (a ViT's class token): the input reordered into its part of a
     * plain output, the constant (f32, one for every image: a view of stride 0 along the batch) into the other, in
     * the input's type. Backward: the input's part of the gradient, a reorder of a strided view; the constant gets
     * none.
     */
    void constantConcat(Node node, ConstantConcat cc) {
        String input = node.inputs().get(0);
        Shape in = shapes.get(input), out = shapes.get(node.output());
        int t = values.get(input).dataType();
        int ax = cc.axis() + 1;
        long[] inDims = dims(in), outDims = dims(out), cDims = dims(cc.constantShape(in));
        long cLength = cDims[ax], xAt = cc.constantFirst() ? cLength : 0, cAt = cc.constantFirst() ? 0 : inDims[ax];
        Value x = build.plain(input, t);
        Value y = parts.buffer(Dnnl.plain(t, outDims));
        long[] one = cDims.clone();
        one[0] = 1;
        dnnl_memory_desc_t cMd = Dnnl.plain(dnnl_f32, one);
        Value k = parts.shared(cMd, model.constant(node.name(), "values", cc.values(), cMd).pointer());
        long[] everyImage = Dnnl.rowMajorStrides(one);
        everyImage[0] = 0;
        parts.reorder(forward, parts.view(k, Dnnl.strided(dnnl_f32, cDims, everyImage, 0)), part(y, outDims, ax, cAt, cLength, 1));
        parts.reorder(forward, x, part(y, outDims, ax, xAt, inDims[ax], 1));
        values.put(node.output(), y);
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            Value g = parts.reorderIfNeeded(backward, dy, Dnnl.plain(t, outDims));
            contribute(input, parts.reorderInto(backward, part(g, outDims, ax, xAt, inDims[ax], 1), Dnnl.plain(t, inDims)));
        });
    }

    /**
     * The same memory with the axes permuted (ONNX's perm; the batch axis stays first): no copy here. A reader that
     * needs a plain or blocked layout reorders from it, which is the transposition; a matmul reads it as it is.
     */
    void transpose(Node node, Transpose t) {
        String input = node.inputs().get(0);
        int rank = t.perm().length;
        int[] from = new int[rank + 1], back = new int[rank + 1];
        for (int a = 0; a < rank; a++) from[a + 1] = t.perm()[a] + 1;
        for (int a = 0; a <= rank; a++) back[from[a]] = a;
        Value x = values.get(input);
        values.put(node.output(), parts.view(x, Dnnl.permuted(x.md(), from)));
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            contribute(input, parts.view(dy, Dnnl.permuted(dy.md(), back)));
        });
    }

    /** The same values with other dimensions: a view when oneDNN can reshape the layout in place, else of a plain copy. */
    void reshape(Node node) {
        String input = node.inputs().get(0);
        long[] in = dims(shapes.get(input)), out = dims(shapes.get(node.output()));
        values.put(node.output(), reshaped(input, values.get(input), in, out, forward));
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy != null) contribute(input, reshaped(null, dy, out, in, backward));
        });
    }

    private Value reshaped(String tensor, Value x, long[] from, long[] to, List<ChainParts.Step> into) {
        dnnl_memory_desc_t md = Dnnl.reshaped(x.md(), to);
        if (md != null) return parts.view(x, md);
        Value plain = tensor != null ? build.plain(tensor, x.dataType())
                : parts.reorderIfNeeded(into, x, Dnnl.plain(x.dataType(), from));
        return parts.view(plain, Dnnl.plain(x.dataType(), to));
    }

    /** {@code x[start:end:step]} along one axis: a reorder from a strided view (one per index for a negative step). */
    void slice(Node node, Slice s) {
        String input = node.inputs().get(0);
        Shape in = shapes.get(input);
        long[] range = s.range(in.dim(s.axis()));
        List<long[]> runs = new ArrayList<>(); // {first input index, count, first output index, step}
        if (s.step() > 0) {
            runs.add(new long[]{range[0], range[1], 0, s.step()});
        } else {
            for (long k = 0; k < range[1]; k++) runs.add(new long[]{range[0] + k * s.step(), 1, k, 1});
        }
        gathered(node, s.axis(), runs, false);
    }

    /** Constant indices along one axis: runs of consecutive indices, each a reorder; a scalar index drops the axis. */
    void gather(Node node, Gather g) {
        String input = node.inputs().get(0);
        int size = shapes.get(input).dim(g.axis());
        List<long[]> runs = new ArrayList<>();
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        boolean repeats = false;
        for (int i = 0; i < g.indices().length; i++) {
            int k = g.index(i, size);
            repeats |= !seen.add(k);
            long[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (last != null && last[0] + last[1] == k) last[1]++;
            else runs.add(new long[]{k, 1, i, 1});
        }
        gathered(node, g.axis(), runs, repeats);
    }

    /**
     * The output as parts of the input along {@code axis} (batch excluded), each run {first input index, count, first
     * output index, step}: a reorder per run from a strided view of the plain input into the output. Backward: the
     * gradient's runs reordered into a zeroed plain gradient of the input (adding, when indices repeat).
     */
    private void gathered(Node node, int axis, List<long[]> runs, boolean repeats) {
        String input = node.inputs().get(0);
        Shape in = shapes.get(input);
        int t = values.get(input).dataType();
        long[] inDims = dims(in), outDims = inDims.clone();
        int ax = axis + 1;
        outDims[ax] = runs.stream().mapToLong(r -> r[2] + r[1]).max().orElse(0);
        // A strided input (a Transpose's view: attention's heads of the fused qkv) is read where it is, each run a
        // strided view of it; no plain copy of the whole input first.
        Value own = values.get(input);
        boolean strided = Dnnl.unblocked(own.md()) && own.dataType() == t;
        Value x = strided ? own : build.plain(input, t);
        Value y = parts.buffer(Dnnl.plain(t, outDims));
        for (long[] run : runs) {
            Value from = strided ? stridedPart(x, ax, run[0], run[1], run[3]) : part(x, inDims, ax, run[0], run[1], run[3]);
            parts.reorder(forward, from, part(y, outDims, ax, run[2], run[1], 1));
        }
        Shape out = shapes.get(node.output());
        values.put(node.output(), parts.view(y, Dnnl.plain(t, dims(out))));
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            Value g = parts.view(parts.reorderIfNeeded(backward, dy, Dnnl.plain(t, dims(out))), Dnnl.plain(t, outDims));
            // Every Slice and Gather of one input along one axis writes its part of one zeroed gradient (attention's q,
            // k and v of the fused qkv tensor: one buffer, not three zeroed ones and their sum); a part another
            // already wrote is added to, and the zeroing is skipped once the parts cover the whole input.
            Scatter scatter = scatters.get(input);
            boolean first = scatter == null || scatter.axis != ax || scatter.dx.dataType() != t;
            if (first) {
                scatter = new Scatter(parts.buffer(Dnnl.plain(t, inDims)), ax, new java.util.BitSet(), new boolean[]{true, false});
                scatters.put(input, scatter);
                Scatter s = scatter;
                Step zero = parts.zero(scatter.dx);
                backward.add(parts.java(stream -> { if (s.zeroNeeded[0]) zero.run(stream); }, scatter.dx));
            }
            boolean overlaps = repeats;
            for (long[] run : runs) {
                for (long k = 0; k < run[1]; k++) overlaps |= scatter.written.get((int) (run[0] + k * run[3]));
            }
            for (long[] run : runs) {
                for (long k = 0; k < run[1]; k++) scatter.written.set((int) (run[0] + k * run[3]));
            }
            // an added part needs zeros under it; so does an index no part writes
            scatter.zeroNeeded[1] |= overlaps;
            scatter.zeroNeeded[0] = scatter.zeroNeeded[1] || scatter.written.cardinality() < inDims[ax];
            for (long[] run : runs) {
                parts.reorder(backward, part(g, outDims, ax, run[2], run[1], 1), part(scatter.dx, inDims, ax, run[0], run[1], run[3]),
                        overlaps ? parts.accumulating() : parts.attr());
            }
            if (first) contribute(input, scatter.dx);
        });
    }

    /**
     * The gradient the Slices and Gathers of one input write their parts of, along one axis; the indices written so
     * far; whether it must be zeroed first, and whether a part was added (which reads what is under it).
     */
    private record Scatter(Value dx, int axis, java.util.BitSet written, boolean[] zeroNeeded) {}

    /** Per input tensor, while the backward pass is built. */
    private final java.util.Map<String, Scatter> scatters = new java.util.HashMap<>();

    /** {@code count} indices along {@code ax} of a strided tensor from {@code first}, {@code step} apart: a view. */
    private Value stridedPart(Value v, int ax, long first, long count, long step) {
        dnnl_memory_desc_t md = v.md();
        long[] d = v.dims(), strides = new long[d.length];
        for (int a = 0; a < d.length; a++) strides[a] = md.format_desc_blocking().strides().get(a);
        long offset = md.offset0() + first * strides[ax];
        strides[ax] *= step;
        d[ax] = count;
        return parts.view(v, Dnnl.strided(v.dataType(), d, strides, offset));
    }

    /** {@code count} indices along {@code ax} of a plain tensor from {@code first}, {@code step} apart: a strided view. */
    private Value part(Value plain, long[] dims, int ax, long first, long count, long step) {
        long[] strides = Dnnl.rowMajorStrides(dims), d = dims.clone();
        long offset = first * strides[ax];
        strides[ax] *= step;
        d[ax] = count;
        return parts.view(plain, Dnnl.strided(plain.dataType(), d, strides, offset));
    }

    private void channelConcat(Node node) {
        List<String> inputs = node.inputs();
        int type = values.get(inputs.get(0)).dataType();
        for (String in : inputs) if (values.get(in).dataType() != type) type = dt;
        Shape out = shapes.get(node.output());
        // One layout for every source and the output, the one most of the bytes are in already, so that oneDNN
        // copies blocks (a mix of layouts runs its reference concat); a source in another layout is reordered once
        // for all the concatenations that read it (DenseNet's block input is read by every layer's).
        int tag = commonLayout(inputs, type);
        List<Value> sources = new ArrayList<>();
        for (String in : inputs) sources.add(build.as(in, Dnnl.md(type, tag, values.get(in).dims()), forward));
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        Dnnl.check(dnnl_concat_primitive_desc_create(pd, Dnnl.md(type, tag, dims(out)), sources.size(), 1,
                Dnnl.array(sources.stream().map(Value::md).toList()), parts.attr(), parts.engine()),
                "concat_primitive_desc_create " + node.name());
        parts.keep(pd);
        Value y = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        forward.add(parts.primitive(pd, multipleSources(sources, y)));
        values.put(node.output(), y);
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            // Each input's gradient is its slice of channels: a view of the output's gradient where its layout has
            // one at any channel offset (nchw, nhwc), else of a plain copy; then into the input's own layout.
            long[] all = dims(out);
            Value whole = dy;
            if (all.length != 4) {
                whole = parts.reorderIfNeeded(backward, dy, Dnnl.plain(dy.dataType(), all));
            } else if (!Dnnl.same(dy.md(), Dnnl.md(dy.dataType(), dnnl_nchw, all))
                    && !Dnnl.same(dy.md(), Dnnl.md(dy.dataType(), dnnl_nhwc, all))) {
                whole = parts.reorderInto(backward, dy, Dnnl.md(dy.dataType(), tag == dnnl_nhwc ? dnnl_nhwc : dnnl_nchw, all));
            }
            long offset = 0;
            for (String in : inputs) {
                long[] d = dims(shapes.get(in));
                long[] at = new long[d.length];
                at[1] = offset;
                offset += d[1];
                Value slice = parts.view(whole, Dnnl.submemory(whole.md(), d, at));
                Value own = values.get(in);
                contribute(in, parts.reorderInto(backward, slice,
                        own.dataType() == dy.dataType() ? own.md() : Dnnl.plain(dy.dataType(), d)));
            }
        });
    }

    /** nChw16c when every input is in it (and so a multiple of 16 channels), else nhwc or nchw by bytes. */
    private int commonLayout(List<String> inputs, int type) {
        long nhwc = 0, nchw = 0;
        boolean allBlocked = true;
        for (String in : inputs) {
            Value v = values.get(in);
            long[] d = v.dims();
            long bytes = Dnnl.bytes(v.md());
            if (d.length != 4 || d[1] % 16 != 0 || !Dnnl.same(v.md(), Dnnl.md(v.dataType(), dnnl_nChw16c, d))) allBlocked = false;
            if (d.length == 4 && Dnnl.same(v.md(), Dnnl.md(v.dataType(), dnnl_nhwc, d))) nhwc += bytes;
            else nchw += bytes;
        }
        if (dims(shapes.get(inputs.get(0))).length != 4) return dnnl_ab;
        return allBlocked ? dnnl_nChw16c : nhwc > nchw ? dnnl_nhwc : dnnl_nchw;
    }

    void flatten(Node node) {
        String input = node.inputs().get(0);
        Value x = values.get(input);
        Shape in = shapes.get(input);
        if (in.vector()) {
            values.put(node.output(), x);
            backwardBuilders.add(() -> {
                Value dy = gradientOf(node.output());
                if (dy != null) contribute(input, dy);
            });
            return;
        }
        Value plain = parts.reorderIfNeeded(forward, x, Dnnl.plain(x.dataType(), dims(in)));
        long units = in.size();
        values.put(node.output(), parts.view(plain, Dnnl.plain(x.dataType(), batch, units)));
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            Value flat = parts.reorderIfNeeded(backward, dy, Dnnl.plain(dy.dataType(), batch, units));
            contribute(input, parts.view(flat, Dnnl.plain(dy.dataType(), dims(in))));
        });
    }
}
