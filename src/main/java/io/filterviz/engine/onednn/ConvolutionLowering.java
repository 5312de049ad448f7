package io.filterviz.engine.onednn;

import io.filterviz.engine.onednn.ChainParts.Value;
import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Pad;
import io.filterviz.model.graph.Shape;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_inner_product_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.Pointer;

import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * Convolutions (any kernel, stride, padding, dilation and groups; a ReLU that is their only reader fused; a zero Pad
 * before them folded into their padding), the target's one-channel-per-image convolution, and dense layers: forward
 * primitives and their backward-data ones.
 */
final class ConvolutionLowering extends Lowering {
    ConvolutionLowering(ChainBuild build) { super(build); }

    /** A convolution's geometry for one input size (a folded zero Pad's padding added to its own). */
    private record ConvGeometry(Conv conv, int inputChannels, long[] src, long[] weights, long[] dst, long[] strides,
                                long[] dilation, long[] padL, long[] padR) {}

    private ConvGeometry geometry(Node node, Conv c, String input, int outChannels) {
        Shape in = shapes.get(input);
        Node pad = foldedPads.get(node.name());
        int[] extra = pad != null ? ((Pad) pad.op()).pads() : new int[4];
        int[] own = c.padsFor(in.height() + extra[0] + extra[2], in.width() + extra[1] + extra[3]);
        Shape out = shapes.get(node.output());
        long[] weights = c.group() == 1
                ? new long[]{outChannels, c.inChannels(), c.kernelHeight(), c.kernelWidth()}
                : new long[]{c.group(), c.outChannels() / c.group(), c.inChannels() / c.group(), c.kernelHeight(), c.kernelWidth()};
        return new ConvGeometry(c, c.inChannels(), new long[]{batch, c.inChannels(), in.height(), in.width()}, weights,
                new long[]{batch, outChannels, out.height(), out.width()},
                new long[]{c.strideHeight(), c.strideWidth()},
                new long[]{c.dilationHeight() - 1, c.dilationWidth() - 1}, // oneDNN counts dilation from 0
                new long[]{own[0] + extra[0], own[1] + extra[1]}, new long[]{own[2] + extra[2], own[3] + extra[3]});
    }

    /** The tensor a convolution reads: its own input, or a folded Pad's. */
    private String convInput(Node node) {
        Node pad = foldedPads.get(node.name());
        return pad != null ? pad.inputs().get(0) : node.inputs().get(0);
    }

    void convolution(Node node, Conv c) {
        String input = convInput(node);
        int t = computeType(input);
        ConvGeometry g = geometry(node, c, input, c.outChannels());
        int alg = algorithm(node, g, t);
        int widened = widenedWidth(g, t, alg);
        if (widened > g.dst()[3]) {
            widenedWinograd(node, input, g, t, widened);
            return;
        }
        dnnl_primitive_desc pd = convForward(g, t, t, alg, fusesRelu(node), node.name(), layout(g.src(), t, c),
                layout(g.dst(), t, c));
        Value x = parts.reorderIfNeeded(forward, values.get(input), Dnnl.query(pd, dnnl_query_src_md));
        Value weights = weights(node, Dnnl.query(pd, dnnl_query_weights_md));
        Value bias = bias(node, c.outChannels());
        Value dst = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        forward.add(parts.primitive(pd, DNNL_ARG_SRC, x, DNNL_ARG_WEIGHTS, weights, DNNL_ARG_BIAS, bias, DNNL_ARG_DST, dst));
        values.put(node.output(), dst);
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            dnnl_primitive_desc back = convBackwardData(g, t, alg, pd, node.name(), layout(g.src(), t, c),
                    layout(g.dst(), t, c));
            Value dyIn = parts.reorderIfNeeded(backward, dy, Dnnl.query(back, dnnl_query_diff_dst_md));
            Value w = weights(node, Dnnl.query(back, dnnl_query_weights_md));
            Value dx = parts.buffer(Dnnl.query(back, dnnl_query_diff_src_md));
            backward.add(parts.primitive(back, DNNL_ARG_DIFF_DST, dyIn, DNNL_ARG_WEIGHTS, w, DNNL_ARG_DIFF_SRC, dx));
            contribute(input, dx);
        });
    }

    /**
     * The width a direct convolution runs at as Winograd ({@link ConvolutionChoice#widenedWidth}), in chains that
     * keep the Keras recipe's renders untouched only: there it stays direct.
     */
    private int widenedWidth(ConvGeometry g, int t, int alg) {
        Conv c = g.conv();
        boolean same = winogradShape(c) && g.padL()[1] == 1 && g.padR()[1] == 1 && g.src()[3] == g.dst()[3];
        if (!build.plainFewChannels || alg != dnnl_convolution_direct || t != dnnl_f32 || !same
                || !model.winogradAvailable()) {
            return (int) g.dst()[3];
        }
        return model.choice().widenedWidth(c.inChannels(), (int) g.dst()[2], (int) g.dst()[3]);
    }

    /**
     * Winograd on a plane widened with columns of zeros (sides of 145–148 px: 37 × 37 tiles, which oneDNN cannot
     * block, ran direct at 9.1 ms, forward, on one thread). The input is copied into the left of a wider plane whose
     * other columns are the zeros the convolution's padding would read (chain-owned memory, zeroed once: only the
     * inside is ever written), and the output's first columns are copied out; the backward pass the same way round.
     * The columns kept read nothing else, so this is the convolution itself, in Winograd's rounding.
     */
    private void widenedWinograd(Node node, String input, ConvGeometry g, int t, int widened) {
        long[] src = g.src().clone(), dst = g.dst().clone();
        src[3] = widened;
        dst[3] = widened;
        ConvGeometry wide = new ConvGeometry(g.conv(), g.inputChannels(), src, g.weights(), dst, g.strides(), g.dilation(),
                g.padL(), g.padR());
        long[] origin = {0, 0, 0, 0};
        dnnl_primitive_desc pd = convForward(wide, t, t, dnnl_convolution_winograd, fusesRelu(node), node.name(),
                dnnl_format_tag_any, dnnl_format_tag_any);
        Value wideIn = zeroed(Dnnl.query(pd, dnnl_query_src_md));
        parts.reorder(forward, values.get(input), parts.view(wideIn, Dnnl.submemory(wideIn.md(), g.src(), origin)));
        Value weights = weights(node, Dnnl.query(pd, dnnl_query_weights_md));
        Value bias = bias(node, g.conv().outChannels());
        Value wideOut = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        forward.add(parts.primitive(pd, DNNL_ARG_SRC, wideIn, DNNL_ARG_WEIGHTS, weights, DNNL_ARG_BIAS, bias,
                DNNL_ARG_DST, wideOut));
        Value out = parts.reorderInto(forward, parts.view(wideOut, Dnnl.submemory(wideOut.md(), g.dst(), origin)),
                Dnnl.md(t, dnnl_nChw16c, g.dst()));
        values.put(node.output(), out);
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            dnnl_primitive_desc back = convBackwardData(wide, t, dnnl_convolution_winograd, pd, node.name(),
                    dnnl_format_tag_any, dnnl_format_tag_any);
            Value wideDy = zeroed(Dnnl.query(back, dnnl_query_diff_dst_md));
            parts.reorder(backward, dy, parts.view(wideDy, Dnnl.submemory(wideDy.md(), g.dst(), origin)));
            Value w = weights(node, Dnnl.query(back, dnnl_query_weights_md));
            Value wideDx = parts.buffer(Dnnl.query(back, dnnl_query_diff_src_md));
            backward.add(parts.primitive(back, DNNL_ARG_DIFF_DST, wideDy, DNNL_ARG_WEIGHTS, w, DNNL_ARG_DIFF_SRC, wideDx));
            contribute(input, parts.reorderInto(backward, parts.view(wideDx, Dnnl.submemory(wideDx.md(), g.src(), origin)),
                    Dnnl.md(t, dnnl_nChw16c, g.src())));
        });
    }

    /** Chain-owned memory of zeros: what is written into a part of it each run leaves the rest zero. */
    private Value zeroed(dnnl_memory_desc_t md) {
        Value v = parts.owned(md);
        Pointer.memset(v.buffer().fixed, 0, v.buffer().bytes);
        return v;
    }

    /**
     * The target's convolution for the batch's filters: one output channel per image (channel i is image i's
     * filter), f32 out; its weights are a chain buffer, loaded from the model per step.
     */
    void targetConvolution(Node node) {
        Conv c = model.conv(node.name());
        String input = convInput(node);
        int t = computeType(input);
        ConvGeometry g = geometry(node, c, input, batch);
        int alg = algorithm(node, g, t);
        dnnl_primitive_desc pd = convForward(g, t, dnnl_f32, alg, head.fusedRelu(), node.name(), dnnl_format_tag_any,
                dnnl_format_tag_any);
        Value x = parts.reorderIfNeeded(forward, values.get(input), Dnnl.query(pd, dnnl_query_src_md));
        dnnl_memory_desc_t plainFilter = Dnnl.md(dnnl_f32, dnnl_oihw, batch, c.inChannels(), c.kernelHeight(), c.kernelWidth());
        // Owned, not arena, memory: a filter's weights stay loaded while the chains of other sizes run (Lucid's
        // transforms change the size at every step), so a step reloads them only when its filters change.
        build.filterWeights = parts.owned(plainFilter);
        build.filterBias = parts.owned(Dnnl.md(dnnl_f32, dnnl_x, batch));
        Value weights = parts.owned(Dnnl.query(pd, dnnl_query_weights_md));
        parts.reorder(filterLoad, build.filterWeights, weights);
        Value dst = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        forward.add(parts.primitive(pd, DNNL_ARG_SRC, x, DNNL_ARG_WEIGHTS, weights, DNNL_ARG_BIAS, build.filterBias, DNNL_ARG_DST, dst));
        dnnl_memory_desc_t plainTarget = Dnnl.md(dnnl_f32, dnnl_nchw, batch, batch, g.dst()[2], g.dst()[3]);
        build.targetOut = parts.reorderIfNeeded(forward, dst, plainTarget);
        build.seed = parts.buffer(plainTarget);
        backwardBuilders.add(() -> {
            dnnl_primitive_desc back = convBackwardData(g, t, alg, pd, node.name(), dnnl_format_tag_any,
                    dnnl_format_tag_any);
            Value dy = parts.reorderIfNeeded(backward, build.seed, Dnnl.query(back, dnnl_query_diff_dst_md));
            Value w = parts.owned(Dnnl.query(back, dnnl_query_weights_md));
            parts.reorder(filterLoad, build.filterWeights, w);
            Value dx = parts.buffer(Dnnl.query(back, dnnl_query_diff_src_md));
            backward.add(parts.primitive(back, DNNL_ARG_DIFF_DST, dy, DNNL_ARG_WEIGHTS, w, DNNL_ARG_DIFF_SRC, dx));
            contribute(input, dx);
        });
    }

    /**
     * The layout asked for a convolution's source or destination (and their gradients): in chains that keep them so
     * ({@link ChainKind#plainFewChannels}), plain for an f32 tensor of fewer than 16 channels, where oneDNN's
     * 16-channel blocks would be mostly padding; else oneDNN's choice. A network's 3-channel image is the case that
     * counts: its gradient took 2.5 ms blocked against 1.1 ms plain (gemm) a Lucid step on one thread, and the
     * preprocessing's 1×1 convolution before it needed reorders both ways (docs/lucid.md).
     */
    private int layout(long[] dims, int t, Conv c) {
        return build.plainFewChannels && t == dnnl_f32 && c.group() == 1 && dims.length == 4 && dims[1] < 16
                ? dnnl_nchw : dnnl_format_tag_any;
    }

    private dnnl_primitive_desc convForward(ConvGeometry g, int t, int dstType, int alg, boolean relu, String name,
                                            int srcLayout, int dstLayout) {
        dnnl_convolution_desc_t desc = new dnnl_convolution_desc_t();
        Dnnl.check(dnnl_dilated_convolution_forward_desc_init(desc, build.forwardKind(), alg,
                Dnnl.md(t, srcLayout, g.src()), Dnnl.md(t, dnnl_format_tag_any, g.weights()),
                Dnnl.md(dnnl_f32, dnnl_x, g.dst()[1]), Dnnl.md(dstType, dstLayout, g.dst()),
                g.strides(), g.dilation(), g.padL(), g.padR()), "convolution_forward_desc_init " + name);
        return parts.desc(desc, parts.attr(relu ? dnnl_eltwise_relu : -1), null,
                "convolution forward " + name);
    }

    private dnnl_primitive_desc convBackwardData(ConvGeometry g, int t, int alg, dnnl_primitive_desc hint, String name,
                                                 int srcLayout, int dstLayout) {
        dnnl_convolution_desc_t desc = new dnnl_convolution_desc_t();
        Dnnl.check(dnnl_dilated_convolution_backward_data_desc_init(desc, alg,
                Dnnl.md(t, srcLayout, g.src()), Dnnl.md(t, dnnl_format_tag_any, g.weights()),
                Dnnl.md(t, dstLayout, g.dst()), g.strides(), g.dilation(), g.padL(), g.padR()),
                "convolution_backward_data_desc_init " + name);
        return parts.desc(desc, parts.attr(), hint, "convolution backward data " + name);
    }

    private Value weights(Node node, dnnl_memory_desc_t md) {
        return parts.shared(md, model.weights(node.name(), md).pointer());
    }

    private Value bias(Node node, int outputs) {
        return parts.shared(Dnnl.md(dnnl_f32, dnnl_x, outputs), model.biasBuffer(node.name()).pointer());
    }

    /**
     * Winograd where the model's choice says so and the CPU has it (AVX-512), for f32 3×3 convolutions of stride 1
     * without dilation or groups only (oneDNN has no bf16 Winograd). The choice names a layer by the convolution's
     * node, its output, or the activation after it (Keras' layer names are the latter).
     */
    private int algorithm(Node node, ConvGeometry g, int t) {
        Conv c = g.conv();
        if (t != dnnl_f32 || !winogradShape(c) || !model.winogradAvailable()) return dnnl_convolution_direct;
        List<String> names = new ArrayList<>(List.of(node.name(), node.output()));
        List<Node> readers = graph.consumers(node.output());
        if (readers.size() == 1 && readers.get(0).op() instanceof Activation) names.add(readers.get(0).output());
        int h = (int) g.dst()[2], w = (int) g.dst()[3];
        for (String name : names) {
            if (model.choice().winograd(name, c.inChannels(), h, w)) return dnnl_convolution_winograd;
        }
        return dnnl_convolution_direct;
    }

    /** A 3×3 convolution of stride 1 without dilation or groups: the only kind oneDNN's Winograd takes. */
    private static boolean winogradShape(Conv c) {
        return c.kernelHeight() == 3 && c.kernelWidth() == 3 && c.strideHeight() == 1 && c.strideWidth() == 1
                && c.dilationHeight() == 1 && c.dilationWidth() == 1 && c.group() == 1;
    }

    void dense(Node node, Dense d) {
        String input = node.inputs().get(0);
        Shape in = shapes.get(input);
        int t = computeType(input);
        long[] src = dims(in);
        long[] weightDims = in.vector() ? new long[]{d.outUnits(), d.inUnits()}
                : new long[]{d.outUnits(), in.channels(), in.height(), in.width()};
        long[] dst = {batch, d.outUnits()};
        dnnl_inner_product_desc_t desc = new dnnl_inner_product_desc_t();
        Dnnl.check(dnnl_inner_product_forward_desc_init(desc, build.forwardKind(), Dnnl.md(t, dnnl_format_tag_any, src),
                Dnnl.md(t, dnnl_format_tag_any, weightDims), Dnnl.md(dnnl_f32, dnnl_x, d.outUnits()),
                Dnnl.md(t, dnnl_format_tag_any, dst)), "inner_product_forward_desc_init " + node.name());
        dnnl_primitive_desc pd = parts.desc(desc, parts.attr(), null, "inner product " + node.name());
        Value x = parts.reorderIfNeeded(forward, values.get(input), Dnnl.query(pd, dnnl_query_src_md));
        Value weights = weights(node, Dnnl.query(pd, dnnl_query_weights_md));
        Value bias = bias(node, d.outUnits());
        Value y = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        forward.add(parts.primitive(pd, DNNL_ARG_SRC, x, DNNL_ARG_WEIGHTS, weights, DNNL_ARG_BIAS, bias, DNNL_ARG_DST, y));
        values.put(node.output(), y);
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            dnnl_inner_product_desc_t bwd = new dnnl_inner_product_desc_t();
            Dnnl.check(dnnl_inner_product_backward_data_desc_init(bwd, Dnnl.md(t, dnnl_format_tag_any, src),
                    Dnnl.md(t, dnnl_format_tag_any, weightDims), Dnnl.md(t, dnnl_format_tag_any, dst)),
                    "inner_product_backward_data_desc_init " + node.name());
            dnnl_primitive_desc back = parts.desc(bwd, parts.attr(), pd, "inner product backward " + node.name());
            Value dyIn = parts.reorderIfNeeded(backward, dy, Dnnl.query(back, dnnl_query_diff_dst_md));
            Value w = weights(node, Dnnl.query(back, dnnl_query_weights_md));
            Value dx = parts.buffer(Dnnl.query(back, dnnl_query_diff_src_md));
            backward.add(parts.primitive(back, DNNL_ARG_DIFF_DST, dyIn, DNNL_ARG_WEIGHTS, w, DNNL_ARG_DIFF_SRC, dx));
            contribute(input, dx);
        });
    }
}
