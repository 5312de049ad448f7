package io.filterviz.engine.onednn;

import io.filterviz.engine.onednn.ChainParts.Step;
import io.filterviz.engine.onednn.ChainParts.Value;
import io.filterviz.model.graph.Binary;
import io.filterviz.model.graph.ConstantBinary;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.LayerNorm;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.ReduceMean;
import io.filterviz.model.graph.Shape;
import io.filterviz.model.graph.Softmax;
import org.bytedeco.dnnl.dnnl_binary_desc_t;
import org.bytedeco.dnnl.dnnl_eltwise_desc_t;
import org.bytedeco.dnnl.dnnl_layer_normalization_desc_t;
import org.bytedeco.dnnl.dnnl_matmul_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_reduction_desc_t;
import org.bytedeco.dnnl.dnnl_softmax_desc_t;

import java.util.Arrays;
import java.util.List;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * A transformer's operators on tensors of any rank, plain row-major with the batch axis first: matrix products (a
 * dense layer on every token, attention's batched MatMul of two computed tensors), layer normalisation, softmax, the
 * mean along an axis, and broadcast arithmetic between two tensors or with a constant. Forward primitives and their
 * input gradients:
 * <ul>
 * <li>a Linear on tokens is one 2-D matmul (rows = every token of every image) with its bias fused, backward a matmul
 * with the weights' out × in layout;
 * <li>MatMul is a batched matmul (batch axes broadcast by oneDNN), backward two matmuls with the other operand's
 * last two axes swapped by its memory descriptor alone (no copy), summed over the axes an operand was broadcast on;
 * <li>LayerNormalization and Softmax are oneDNN's, backward from the saved statistics or output;
 * <li>ReduceMean is a reduction; its backward a reorder from a descriptor of stride 0 along the axis (a broadcast
 * without a copy of the gradient), scaled by 1/length;
 * <li>Add, Sub, Mul and Div are the binary primitive (oneDNN broadcasts its second operand; a first operand that
 * broadcasts is stretched by such a reorder first), backward binary primitives then a sum reduction over the axes an
 * input was broadcast on; with a scalar constant they are a linear (or, c / x, a power) eltwise.
 * </ul>
 */
final class TensorLowering extends Lowering {
    TensorLowering(ChainBuild build) { super(build); }

    /** A shape's oneDNN dimensions with ones inserted after the batch axis up to {@code rank} + 1 (numpy's alignment). */
    private long[] aligned(Shape s, int rank) {
        long[] d = new long[rank + 1];
        Arrays.fill(d, 1);
        d[0] = batch;
        for (int a = 0; a < s.rank(); a++) d[rank - s.rank() + 1 + a] = s.dim(a);
        return d;
    }

    /** Constant dimensions aligned to an output of {@code rank} (batch axis 1: one constant for every image). */
    private static long[] alignedConstant(int[] dims, int rank) {
        long[] d = new long[rank + 1];
        Arrays.fill(d, 1);
        for (int a = 0; a < dims.length; a++) d[rank - dims.length + 1 + a] = dims[a];
        return d;
    }

    /** The plain tensor seen with other dimensions of the same values (a reshape of a plain layout costs nothing). */
    private Value as(Value plain, long... dims) {
        dnnl_memory_desc_t md = Dnnl.plain(plain.dataType(), dims);
        return Dnnl.same(md, plain.md()) ? plain : parts.view(plain, md);
    }

    /** A gradient in plain layout of {@code type}, seen with {@code dims}. */
    private Value plainGradient(Value dy, int type, long[] dims, long... viewDims) {
        Value plain = parts.reorderIfNeeded(backward, dy, Dnnl.plain(type, dims));
        return viewDims.length == 0 ? plain : as(plain, viewDims);
    }

    /** The type of an operator without weights: its inputs' when they agree, else the chain's. */
    private int typeOf(List<String> inputs) {
        int t = values.get(inputs.get(0)).dataType();
        for (String in : inputs) if (values.get(in).dataType() != t) return dt;
        return t;
    }

    // ---- matrix products -------------------------------------------------------------------------------------------

    /**
     * A dense layer on the last axis of every token ({@code y = x·Wᵀ + b} for each row): one matmul of all the batch's
     * rows, the weights in the layout the matmul asks for (reordered once per JVM), the bias fused.
     */
    void denseTokens(Node node, Dense d) {
        String input = node.inputs().get(0);
        Shape in = shapes.get(input), out = shapes.get(node.output());
        int t = computeType(input);
        long rows = batch * (in.size() / d.inUnits());
        Value x = as(build.plain(input, t), rows, d.inUnits());
        dnnl_primitive_desc pd = matmul(x.md(), Dnnl.md(t, dnnl_format_tag_any, d.inUnits(), d.outUnits()),
                Dnnl.md(dnnl_f32, dnnl_ab, 1, d.outUnits()), Dnnl.plain(t, rows, d.outUnits()), parts.attr(), node.name());
        dnnl_memory_desc_t wMd = Dnnl.query(pd, dnnl_query_weights_md);
        Value weights = parts.shared(wMd, model.matmulWeights(node.name(), wMd).pointer());
        Value bias = parts.shared(Dnnl.md(dnnl_f32, dnnl_ab, 1, d.outUnits()), model.biasBuffer(node.name()).pointer());
        Value y = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        forward.add(parts.primitive(pd, DNNL_ARG_SRC, x, DNNL_ARG_WEIGHTS, weights, DNNL_ARG_BIAS, bias, DNNL_ARG_DST, y));
        values.put(node.output(), as(y, dims(out)));
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            Value g = plainGradient(dy, t, dims(out), rows, d.outUnits());
            dnnl_primitive_desc back = matmul(g.md(), Dnnl.md(t, dnnl_format_tag_any, d.outUnits(), d.inUnits()), null,
                    Dnnl.plain(t, rows, d.inUnits()), parts.attr(), node.name() + " backward");
            dnnl_memory_desc_t bwMd = Dnnl.query(back, dnnl_query_weights_md);
            Value w = parts.shared(bwMd, model.weights(node.name(), bwMd).pointer()); // out × in: the array's own order
            Value dx = parts.buffer(Dnnl.query(back, dnnl_query_dst_md));
            backward.add(parts.primitive(back, DNNL_ARG_SRC, g, DNNL_ARG_WEIGHTS, w, DNNL_ARG_DST, dx));
            contribute(input, as(dx, dims(in)));
        });
    }

    /**
     * The product of two computed tensors, batched over the axes before the last two, which broadcast. Each operand
     * is read in the layout it has when that is a strided one (a Transpose's view: attention's Kᵀ costs no copy),
     * else plain.
     */
    void matMul(Node node) {
        String a = node.inputs().get(0), b = node.inputs().get(1);
        Shape sa = shapes.get(a), sb = shapes.get(b), so = shapes.get(node.output());
        int rank = so.rank();
        int t = build.imageTensors.containsAll(node.inputs()) ? dnnl_f32 : dt;
        long[] da = aligned(sa, rank), db = aligned(sb, rank), dout = dims(so);
        Value x = operand(a, t, da, true), w = operand(b, t, db, true);
        dnnl_memory_desc_t yMd = Dnnl.plain(t, dout);
        // a scalar Mul that is the product's only reader (attention's 1/√d) is the matmul's output scale, and
        // the scale of both products of its backward: no pass over the scores either way
        Node scaleNode = build.scaledMatMuls.get(node.name());
        float scale = scaleNode == null ? 1f : ChainBuild.scaleOf(scaleNode);
        String output = scaleNode == null ? node.output() : scaleNode.output();
        dnnl_primitive_desc pd = matmulIfImplemented(x.md(), w.md(), null, yMd, scaledAttr(scale), node.name());
        if (pd == null) {
            x = operand(a, t, da, false);
            w = operand(b, t, db, false);
            pd = matmul(x.md(), w.md(), null, yMd, scaledAttr(scale), node.name());
        }
        Value y = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        forward.add(parts.primitive(pd, DNNL_ARG_SRC, x, DNNL_ARG_WEIGHTS, w, DNNL_ARG_DST, y));
        values.put(output, y);
        Value left = x, right = w;
        backwardBuilders.add(() -> {
            Value dy = gradientOf(output);
            if (dy == null) return;
            Value g = Dnnl.unblocked(dy.md()) && dy.dataType() == t ? dy : plainGradient(dy, t, dout);
            // dA = dY · Bᵀ and dB = Aᵀ · dY, each in the output's batch axes, then summed where the operand broadcast
            long[] fullA = dout.clone(), fullB = dout.clone();
            fullA[rank] = da[rank];
            fullB[rank - 1] = db[rank - 1];
            fullB[rank] = db[rank];
            Value dA = product(g, swapLast(right), Dnnl.plain(t, fullA), scale, node.name() + " backward (left)");
            contribute(a, reduceTo(dA, da, sa, backward, node.name()));
            Value dB = product(swapLast(left), g, Dnnl.plain(t, fullB), scale, node.name() + " backward (right)");
            contribute(b, reduceTo(dB, db, sb, backward, node.name()));
        });
    }

    /** A matmul operand: its value seen with aligned dimensions when {@code strided} and its layout allows, else plain. */
    private Value operand(String tensor, int t, long[] alignedDims, boolean strided) {
        Value v = values.get(tensor);
        if (strided && v.dataType() == t && Dnnl.unblocked(v.md())) {
            if (Arrays.equals(v.dims(), alignedDims)) return v;
            dnnl_memory_desc_t md = Dnnl.reshaped(v.md(), alignedDims);
            if (md != null) return parts.view(v, md);
        }
        return as(build.plain(tensor, t), alignedDims);
    }

    /** The same memory with its last two axes swapped (a transposed matrix, by its descriptor). */
    private Value swapLast(Value v) {
        int n = v.md().ndims();
        int[] from = new int[n];
        for (int i = 0; i < n; i++) from[i] = i;
        from[n - 2] = n - 1;
        from[n - 1] = n - 2;
        return parts.view(v, Dnnl.permuted(v.md(), from));
    }

    /** {@code src · weights} into a new buffer of {@code dstMd}, in the backward pass; plain copies if need be. */
    private Value product(Value src, Value weights, dnnl_memory_desc_t dstMd, float scale, String name) {
        dnnl_primitive_desc pd = matmulIfImplemented(src.md(), weights.md(), null, dstMd, scaledAttr(scale), name);
        if (pd == null) {
            src = parts.reorderIfNeeded(backward, src, Dnnl.plain(src.dataType(), src.dims()));
            weights = parts.reorderIfNeeded(backward, weights, Dnnl.plain(weights.dataType(), weights.dims()));
            pd = matmul(src.md(), weights.md(), null, dstMd, scaledAttr(scale), name);
        }
        Value dst = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        backward.add(parts.primitive(pd, DNNL_ARG_SRC, src, DNNL_ARG_WEIGHTS, weights, DNNL_ARG_DST, dst));
        return dst;
    }

    private dnnl_primitive_attr scaledAttr(float scale) { return scale == 1f ? parts.attr() : parts.scaled(scale); }

    private dnnl_primitive_desc matmul(dnnl_memory_desc_t src, dnnl_memory_desc_t weights, dnnl_memory_desc_t bias,
                                       dnnl_memory_desc_t dst, dnnl_primitive_attr attr, String name) {
        dnnl_primitive_desc pd = matmulIfImplemented(src, weights, bias, dst, attr, name);
        if (pd == null) throw new IllegalStateException("oneDNN has no matmul for " + name);
        return pd;
    }

    private dnnl_primitive_desc matmulIfImplemented(dnnl_memory_desc_t src, dnnl_memory_desc_t weights,
                                                    dnnl_memory_desc_t bias, dnnl_memory_desc_t dst,
                                                    dnnl_primitive_attr attr, String name) {
        dnnl_matmul_desc_t desc = new dnnl_matmul_desc_t();
        Dnnl.check(dnnl_matmul_desc_init(desc, src, weights, bias, dst), "matmul_desc_init " + name);
        return parts.descIfImplemented(desc, attr, null);
    }

    /**
     * A gradient computed in the output's dimensions, summed over the axes its input was broadcast on (a reduction),
     * seen as the input's own dimensions.
     */
    private Value reduceTo(Value full, long[] alignedDims, Shape input, List<Step> into, String name) {
        Value reduced = full;
        if (!Arrays.equals(full.dims(), alignedDims)) {
            dnnl_reduction_desc_t desc = new dnnl_reduction_desc_t();
            Dnnl.check(dnnl_reduction_desc_init(desc, dnnl_reduction_sum, full.md(),
                    Dnnl.plain(full.dataType(), alignedDims), 0f, 0f), "reduction_desc_init " + name);
            dnnl_primitive_desc pd = parts.desc(desc, parts.attr(), null, "reduction " + name);
            reduced = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
            into.add(parts.primitive(pd, DNNL_ARG_SRC, full, DNNL_ARG_DST, reduced));
        }
        long[] own = dims(input);
        if (Arrays.equals(reduced.dims(), own)) return reduced;
        return as(parts.reorderIfNeeded(into, reduced, Dnnl.plain(reduced.dataType(), reduced.dims())), own);
    }

    // ---- normalisation ---------------------------------------------------------------------------------------------

    /** Layer normalisation over the last axis: oneDNN's on a rows × C view, scale and shift its own arguments. */
    void layerNorm(Node node, LayerNorm ln) {
        String input = node.inputs().get(0);
        Shape in = shapes.get(input);
        int t = values.get(input).dataType();
        int c = in.dim(in.rank() - 1);
        long rows = batch * (in.size() / c);
        Value x = as(build.plain(input, t), rows, c);
        dnnl_memory_desc_t stats = Dnnl.md(dnnl_f32, dnnl_a, rows);
        int flags = dnnl_use_scale | dnnl_use_shift;
        dnnl_layer_normalization_desc_t desc = new dnnl_layer_normalization_desc_t();
        Dnnl.check(dnnl_layer_normalization_forward_desc_init(desc, build.forwardKind(), x.md(), stats, ln.epsilon(), flags),
                "layer_normalization_forward_desc_init " + node.name());
        dnnl_primitive_desc pd = parts.desc(desc, parts.attr(), null, "layer normalization " + node.name());
        dnnl_memory_desc_t perChannel = Dnnl.md(dnnl_f32, dnnl_a, c);
        Value scale = parts.shared(perChannel, model.constant(node.name(), "scale", ln.scale(), perChannel).pointer());
        Value shift = parts.shared(perChannel, model.constant(node.name(), "shift", ln.shift(), perChannel).pointer());
        Value y = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        values.put(node.output(), as(y, dims(in)));
        if (build.inference) {
            forward.add(parts.primitive(pd, DNNL_ARG_SRC, x, DNNL_ARG_SCALE, scale, DNNL_ARG_SHIFT, shift, DNNL_ARG_DST, y));
            return;
        }
        Value mean = parts.buffer(stats), variance = parts.buffer(stats);
        forward.add(parts.primitive(pd, DNNL_ARG_SRC, x, DNNL_ARG_SCALE, scale, DNNL_ARG_SHIFT, shift, DNNL_ARG_DST, y,
                DNNL_ARG_MEAN, mean, DNNL_ARG_VARIANCE, variance));
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            Value g = plainGradient(dy, t, dims(in), rows, c);
            // oneDNN 2.5 has no backward_data with a scale: the full backward, its scale and shift gradients unused
            dnnl_layer_normalization_desc_t bwd = new dnnl_layer_normalization_desc_t();
            Dnnl.check(dnnl_layer_normalization_backward_desc_init(bwd, dnnl_backward, g.md(), x.md(), stats, ln.epsilon(), flags),
                    "layer_normalization_backward_desc_init " + node.name());
            dnnl_primitive_desc back = parts.desc(bwd, parts.attr(), pd, "layer normalization backward " + node.name());
            Value dx = parts.buffer(Dnnl.query(back, dnnl_query_diff_src_md));
            Value dScale = parts.buffer(perChannel), dShift = parts.buffer(perChannel);
            backward.add(parts.primitive(back, DNNL_ARG_SRC, x, DNNL_ARG_MEAN, mean, DNNL_ARG_VARIANCE, variance,
                    DNNL_ARG_DIFF_DST, g, DNNL_ARG_SCALE, scale, DNNL_ARG_SHIFT, shift, DNNL_ARG_DIFF_SRC, dx,
                    DNNL_ARG_DIFF_SCALE, dScale, DNNL_ARG_DIFF_SHIFT, dShift));
            contribute(input, as(dx, dims(in)));
        });
    }

    /**
     * Softmax along one axis, on an outer × length (× inner) view, in its input's type; backward from its output. (In
     * f32 for a bf16 input, as PyTorch's autocast runs it, the mini ViT's gradient errors moved between 3.1e-2 and
     * 4.1e-2 of their norm, no better, for two more reorders of every score.)
     */
    void softmax(Node node, Softmax sm) {
        String input = node.inputs().get(0);
        Shape in = shapes.get(input);
        int t = values.get(input).dataType();
        long length = in.dim(sm.axis()), inner = 1;
        for (int a = sm.axis() + 1; a < in.rank(); a++) inner *= in.dim(a);
        long outer = batch * in.size() / length / inner;
        long[] view = inner == 1 ? new long[]{outer, length} : new long[]{outer, length, inner};
        Value x = as(build.plain(input, t), view);
        dnnl_softmax_desc_t desc = new dnnl_softmax_desc_t();
        Dnnl.check(dnnl_softmax_forward_desc_init(desc, build.forwardKind(), x.md(), 1), "softmax_forward_desc_init " + node.name());
        dnnl_primitive_desc pd = parts.desc(desc, parts.attr(), null, "softmax " + node.name());
        Value y = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        forward.add(parts.primitive(pd, DNNL_ARG_SRC, x, DNNL_ARG_DST, y));
        values.put(node.output(), as(y, dims(in)));
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            Value g = plainGradient(dy, t, dims(in), view);
            dnnl_softmax_desc_t bwd = new dnnl_softmax_desc_t();
            Dnnl.check(dnnl_softmax_backward_desc_init(bwd, g.md(), y.md(), 1), "softmax_backward_desc_init " + node.name());
            dnnl_primitive_desc back = parts.desc(bwd, parts.attr(), pd, "softmax backward " + node.name());
            Value dx = parts.buffer(Dnnl.query(back, dnnl_query_diff_src_md));
            backward.add(parts.primitive(back, DNNL_ARG_DST, y, DNNL_ARG_DIFF_DST, g, DNNL_ARG_DIFF_SRC, dx));
            contribute(input, as(dx, dims(in)));
        });
    }

    /** The mean along one axis, kept as size 1: a reduction; backward the gradient stretched back, ÷ the length. */
    void reduceMean(Node node, ReduceMean rm) {
        String input = node.inputs().get(0);
        Shape in = shapes.get(input), out = shapes.get(node.output());
        int t = values.get(input).dataType();
        Value x = build.plain(input, t);
        dnnl_reduction_desc_t desc = new dnnl_reduction_desc_t();
        Dnnl.check(dnnl_reduction_desc_init(desc, dnnl_reduction_mean, x.md(), Dnnl.plain(t, dims(out)), 0f, 0f),
                "reduction_desc_init " + node.name());
        dnnl_primitive_desc pd = parts.desc(desc, parts.attr(), null, "reduction " + node.name());
        Value y = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        forward.add(parts.primitive(pd, DNNL_ARG_SRC, x, DNNL_ARG_DST, y));
        values.put(node.output(), y);
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            Value g = plainGradient(dy, t, dims(out));
            Value dx = parts.buffer(Dnnl.plain(t, dims(in)));
            parts.reorder(backward, stretched(g, dims(in)), dx, parts.scaled(1f / in.dim(rm.axis())));
            contribute(input, dx);
        });
    }

    /** A plain tensor seen with {@code dims}, its axes of size 1 repeated (stride 0) where {@code dims} are larger. */
    private Value stretched(Value plain, long[] dims) {
        long[] own = plain.dims(), strides = Dnnl.rowMajorStrides(own);
        for (int a = 0; a < dims.length; a++) if (own[a] != dims[a]) strides[a] = 0;
        return parts.view(plain, Dnnl.strided(plain.dataType(), dims, strides, 0));
    }

    // ---- arithmetic ------------------------------------------------------------------------------------------------

    private static int algorithm(Binary.Kind kind) {
        return switch (kind) {
            case ADD -> dnnl_binary_add;
            case SUB -> dnnl_binary_sub;
            case MUL -> dnnl_binary_mul;
            case DIV -> dnnl_binary_div;
        };
    }

    /** {@code x alg y} into a new plain buffer of {@code x}'s dimensions ({@code y} broadcasts), with {@code attr}'s post-op. */
    private Value binary(List<Step> into, int alg, Value x, Value y, dnnl_primitive_attr attr, String name) {
        return binary(into, alg, x, y, attr, name, x.dataType());
    }

    private Value binary(List<Step> into, int alg, Value x, Value y, dnnl_primitive_attr attr, String name, int dstType) {
        dnnl_binary_desc_t desc = new dnnl_binary_desc_t();
        Dnnl.check(dnnl_binary_desc_init(desc, alg, x.md(), y.md(), Dnnl.plain(dstType, x.dims())),
                "binary_desc_init " + name);
        dnnl_primitive_desc pd = parts.desc(desc, attr, null, "binary " + name);
        Value out = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        into.add(parts.primitive(pd, DNNL_ARG_SRC_0, x, DNNL_ARG_SRC_1, y, DNNL_ARG_DST, out));
        return out;
    }

    /** An eltwise forward primitive (linear, pow) on {@code x} into a new buffer of its layout. */
    private Value eltwise(List<Step> into, int alg, float alpha, float beta, Value x, String name) {
        dnnl_eltwise_desc_t desc = new dnnl_eltwise_desc_t();
        Dnnl.check(dnnl_eltwise_forward_desc_init(desc, into == forward ? build.forwardKind() : dnnl_forward_inference, alg,
                x.md(), alpha, beta), "eltwise_forward_desc_init " + name);
        dnnl_primitive_desc pd = parts.desc(desc, parts.attr(), null, "eltwise " + name);
        Value y = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        into.add(parts.primitive(pd, DNNL_ARG_SRC, x, DNNL_ARG_DST, y));
        return y;
    }

    private dnnl_primitive_attr negated() { return parts.attr(dnnl_eltwise_linear, -1f, 0f); }

    /** Add, Sub, Mul or Div of two computed tensors, broadcast as numpy's. */
    void binary(Node node, Binary op) {
        String a = node.inputs().get(0), b = node.inputs().get(1);
        Shape sa = shapes.get(a), sb = shapes.get(b), so = shapes.get(node.output());
        int rank = so.rank(), t = typeOf(node.inputs());
        long[] da = aligned(sa, rank), db = aligned(sb, rank), dout = dims(so);
        Value x = as(build.plain(a, t), da), y = as(build.plain(b, t), db);
        int alg = algorithm(op.kind());
        boolean commutes = op.kind() == Binary.Kind.ADD || op.kind() == Binary.Kind.MUL;
        Value out;
        if (Arrays.equals(da, dout)) {
            out = binary(forward, alg, x, y, parts.attr(), node.name());
        } else if (Arrays.equals(db, dout) && commutes) {
            out = binary(forward, alg, y, x, parts.attr(), node.name());
        } else { // oneDNN broadcasts only the second operand: the first is stretched to the output first
            Value full = parts.buffer(Dnnl.plain(t, dout));
            parts.reorder(forward, stretched(x, dout), full);
            out = binary(forward, alg, full, y, parts.attr(), node.name());
        }
        values.put(node.output(), out);
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            Value g = plainGradient(dy, t, dout);
            String name = node.name() + " backward";
            switch (op.kind()) {
                case ADD -> {
                    contribute(a, reduceTo(g, da, sa, backward, name));
                    contribute(b, reduceTo(g, db, sb, backward, name));
                }
                case SUB -> {
                    contribute(a, reduceTo(g, da, sa, backward, name));
                    contribute(b, eltwise(backward, dnnl_eltwise_linear, -1f, 0f, reduceTo(g, db, sb, backward, name), name));
                }
                case MUL -> {
                    contribute(a, reduceTo(binary(backward, dnnl_binary_mul, g, y, parts.attr(), name), da, sa, backward, name));
                    contribute(b, reduceTo(binary(backward, dnnl_binary_mul, g, x, parts.attr(), name), db, sb, backward, name));
                }
                case DIV -> { // d/da = dy / b; d/db = −dy · a / b² = −(dy / b) · y
                    Value q = binary(backward, dnnl_binary_div, g, y, parts.attr(), name);
                    contribute(a, reduceTo(q, da, sa, backward, name));
                    contribute(b, reduceTo(binary(backward, dnnl_binary_mul, q, out, negated(), name), db, sb, backward, name));
                }
            }
        });
    }

    /**
     * Add, Sub, Mul or Div of a tensor and a constant (which broadcasts). A scalar is a linear eltwise on the tensor in
     * its own layout (c / x: a power), in its type. Other constants are the binary primitive's second operand, f32, and
     * so is its result, as PyTorch promotes a bf16 tensor and an f32 constant: a mask of −100 added in bf16 would leave
     * the scores a softmax then reads a resolution of 0.5. The gradient stays in the tensor's type.
     */
    void constantBinary(Node node, ConstantBinary c) {
        String input = node.inputs().get(0);
        Shape sx = shapes.get(input), so = shapes.get(node.output());
        int rank = so.rank();
        long[] dx = aligned(sx, rank), dout = dims(so);
        if (!Arrays.equals(dx, dout)) {
            throw new IllegalArgumentException("the oneDNN engine cannot lower node " + node.name() + " (" + c.type()
                    + " of a " + sx + " tensor stretched by a constant " + Arrays.toString(c.dims()) + ")");
        }
        boolean constantFirst = c.constantFirst();
        if (c.values().length == 1) {
            scalar(node, c.kind(), c.values()[0], constantFirst);
            return;
        }
        Value xv = values.get(input);
        int t = xv.dataType();
        // the tensor in f32 too: oneDNN's binary with a bf16 and an f32 source runs its reference code (Swin's position
        // bias, 40 % of its bf16 step); the reorder to f32 is one pass
        Value x = as(build.plain(input, dnnl_f32), dout);
        dnnl_memory_desc_t cMd = Dnnl.plain(dnnl_f32, alignedConstant(c.dims(), rank));
        Value k = parts.shared(cMd, model.constant(node.name(), "values", c.values(), cMd).pointer());
        Binary.Kind kind = c.kind();
        Value out;
        if (!constantFirst || kind == Binary.Kind.ADD || kind == Binary.Kind.MUL) {
            out = binary(forward, algorithm(kind), x, k, parts.attr(), node.name(), dnnl_f32);
        } else if (kind == Binary.Kind.SUB) { // c − x = −(x − c)
            out = binary(forward, dnnl_binary_sub, x, k, negated(), node.name(), dnnl_f32);
        } else { // c / x = (1 / x) · c: oneDNN broadcasts only the second operand, and the constant's batch axis is 1
            out = binary(forward, dnnl_binary_mul, eltwise(forward, dnnl_eltwise_pow, 1f, -1f, x, node.name()), k,
                    parts.attr(), node.name(), dnnl_f32);
        }
        values.put(node.output(), as(out, dims(so)));
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            String name = node.name() + " backward";
            Value g = plainGradient(dy, t, dout);
            Value d = switch (kind) {
                case ADD -> g;
                case SUB -> constantFirst ? eltwise(backward, dnnl_eltwise_linear, -1f, 0f, g, name) : g;
                case MUL -> binary(backward, dnnl_binary_mul, g, k, parts.attr(), name);
                case DIV -> constantFirst // d(c / x) = −dy · y / x
                        ? binary(backward, dnnl_binary_div, binary(backward, dnnl_binary_mul, g, out, parts.attr(), name), x,
                                negated(), name)
                        : binary(backward, dnnl_binary_div, g, k, parts.attr(), name);
            };
            contribute(input, as(d, dims(sx)));
        });
    }

    /** {@code x kind v} (or {@code v kind x}) as one eltwise: α·x + β, or v · x⁻¹ (pow). */
    private void scalar(Node node, Binary.Kind kind, float v, boolean constantFirst) {
        String input = node.inputs().get(0);
        Shape so = shapes.get(node.output());
        Value x = values.get(input);
        if (x.md().ndims() != so.rank() + 1) x = as(build.plain(input, x.dataType()), dims(so));
        Value in = x;
        if (kind == Binary.Kind.DIV && constantFirst) {
            Value y = eltwise(forward, dnnl_eltwise_pow, v, -1f, x, node.name());
            values.put(node.output(), y);
            backwardBuilders.add(() -> {
                Value dy = gradientOf(node.output());
                if (dy != null) contribute(input, reshapedTo(eltwiseBackward(dnnl_eltwise_pow, v, -1f, in, dy, node.name()), dims(shapes.get(input))));
            });
            return;
        }
        float alpha = switch (kind) {
            case ADD -> 1f;
            case SUB -> constantFirst ? -1f : 1f;
            case MUL -> v;
            case DIV -> 1f / v;
        };
        float beta = switch (kind) {
            case ADD -> v;
            case SUB -> constantFirst ? v : -v;
            case MUL, DIV -> 0f;
        };
        values.put(node.output(), eltwise(forward, dnnl_eltwise_linear, alpha, beta, x, node.name()));
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            Value d = alpha == 1f ? dy : eltwise(backward, dnnl_eltwise_linear, alpha, 0f, dy, node.name() + " backward");
            contribute(input, reshapedTo(d, dims(shapes.get(input))));
        });
    }

    /** A gradient seen with its input's dimensions when the ranks differ (a scalar constant of higher rank). */
    private Value reshapedTo(Value d, long[] dims) {
        if (Arrays.equals(d.dims(), dims)) return d;
        return as(parts.reorderIfNeeded(backward, d, Dnnl.plain(d.dataType(), d.dims())), dims);
    }
}
