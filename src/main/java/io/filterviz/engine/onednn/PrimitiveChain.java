package io.filterviz.engine.onednn;

import io.filterviz.engine.Precision;
import io.filterviz.engine.onednn.ChainParts.Step;
import io.filterviz.engine.onednn.ChainParts.Value;
import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Add;
import io.filterviz.model.graph.ChannelAffine;
import io.filterviz.model.graph.Concat;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.Flatten;
import io.filterviz.model.graph.GlobalAveragePool;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Mul;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Pad;
import io.filterviz.model.graph.Pool;
import io.filterviz.model.graph.Shape;
import org.bytedeco.dnnl.dnnl_binary_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_eltwise_desc_t;
import org.bytedeco.dnnl.dnnl_inner_product_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_pooling_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_reduction_desc_t;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * Every primitive of one step for one (target, image size, batch), built once from the graph cut at the target:
 * the forward pass in topological order (convolutions with a ReLU that is their only reader fused as a post-op,
 * pools in training mode, element-wise and binary operators, concatenation, inner products), then the input
 * gradient in reverse, with the gradients of a tensor that feeds several nodes summed. How the target is reached is
 * {@link TargetHead}'s choice. Layouts are oneDNN's ({@code format_tag::any}) where a primitive chooses; a reorder is
 * inserted only where two primitives disagree, and at the image's way in and the gradient's way out.
 *
 * <p>Data types: in a bf16 chain every convolution and inner product runs bf16, except those reading the image (or
 * what per-pixel operators such as the preprocessing made of it): pixels near 128 have a bf16 step of 1.0, as large
 * as an ascent step, and rounding them cost up to 27 % of a filter's final loss (PrecisionFidelityTest); those
 * layers are a small part of the FLOPs. Other operators run in the type of their input.
 */
final class PrimitiveChain implements AutoCloseable {
    private final OnednnModel model;
    private final ChainParts parts;
    private final Graph graph;
    private final String target;
    private final TargetHead head;
    private final Map<String, Shape> shapes;
    private final int dt;
    private final Set<String> imageTensors = new HashSet<>();
    private final Set<String> fusedRelus = new HashSet<>();
    /** Zero Pad nodes folded into the convolution that is their only reader: convolution node → pad node. */
    private final Map<String, Node> foldedPads = new HashMap<>();
    private final Map<String, Value> values = new HashMap<>();
    private final Map<String, List<Value>> gradients = new HashMap<>();
    private final List<Runnable> backwardBuilders = new ArrayList<>();

    private final List<Step> forward = new ArrayList<>();
    private final List<Step> backward = new ArrayList<>();
    private final List<Step> filterLoad = new ArrayList<>();

    final int width;
    final int height;
    /** Images per step, each ascending its own filter of the target (the minibatch of every primitive). */
    final int batch;
    private final int targetChannels;
    private final int targetPlane;
    private Value image;
    private Value gradient;
    private Value targetOut;
    private Value seed;
    private Value filterWeights;
    private Value filterBias;

    PrimitiveChain(OnednnModel model, Graph cut, String target, int width, int height, int batch) {
        this.model = model;
        this.parts = new ChainParts(model.engine());
        this.graph = cut;
        this.target = target;
        this.width = width;
        this.height = height;
        this.batch = batch;
        this.dt = model.precision() == Precision.BF16 ? dnnl_bf16 : dnnl_f32;
        this.head = TargetHead.of(cut, target);
        this.shapes = cut.shapes(height, width);
        Shape t = shapes.get(target);
        this.targetChannels = t.channels();
        this.targetPlane = t.height() * t.width();
        try {
            build();
        } catch (RuntimeException | Error e) {
            close(); // free what was built before the failure
            throw e;
        }
    }

    private void build() {
        plan();
        image = parts.buffer(Dnnl.md(dnnl_f32, dnnl_nchw, batch, graph.inputChannels(), height, width));
        values.put(graph.input(), image);
        for (Node node : graph.nodes()) {
            if (head.oneChannel() && (head.after().contains(node))) continue; // done in Java by the head
            if (head.oneChannel() && node == head.conv()) {
                targetConvolution(node);
            } else {
                lower(node);
            }
        }
        if (!head.oneChannel()) {
            Value t = values.get(target);
            dnnl_memory_desc_t plain = Dnnl.plain(dnnl_f32, dims(shapes.get(target)));
            targetOut = parts.reorderIfNeeded(forward, t, plain);
            seed = parts.buffer(plain);
            contribute(target, seed);
        }
        for (int i = backwardBuilders.size() - 1; i >= 0; i--) backwardBuilders.get(i).run();
        Value g = gradientOf(graph.input());
        if (g == null) throw new IllegalStateException("no gradient reaches the input of " + graph.name());
        gradient = parts.reorderIfNeeded(backward, g, image.md());
    }

    /** Decides the fusions and the tensors that stay f32 in a bf16 chain, before any primitive is built. */
    private void plan() {
        imageTensors.add(graph.input());
        for (Node node : graph.nodes()) {
            boolean weighted = node.op() instanceof Conv || node.op() instanceof Dense;
            if (!weighted && imageTensors.containsAll(node.inputs())) imageTensors.add(node.output());
            List<Node> readers = graph.consumers(node.output());
            boolean notTarget = !node.output().equals(target);
            if ((node.op() instanceof Conv || node.op() instanceof ChannelAffine) && notTarget && readers.size() == 1
                    && TargetHead.isPlainRelu(readers.get(0).op())) {
                if (!(head.oneChannel() && head.after().contains(readers.get(0)))) fusedRelus.add(readers.get(0).name());
            }
            if (node.op() instanceof Pad p && p.value() == 0f && notTarget && readers.size() == 1
                    && readers.get(0).op() instanceof Conv && p.pads()[0] >= 0 && p.pads()[1] >= 0 && p.pads()[2] >= 0
                    && p.pads()[3] >= 0) {
                foldedPads.put(readers.get(0).name(), node);
            }
        }
    }

    private void lower(Node node) {
        io.filterviz.model.graph.Op op = node.op();
        if (op instanceof Conv c) {
            convolution(node, c);
        } else if (op instanceof ChannelAffine) {
            convolution(node, model.conv(node.name()));
        } else if (op instanceof Activation a) {
            if (fusedRelus.contains(node.name())) fusedRelu(node);
            else activation(node, a);
        } else if (op instanceof Pool p) {
            pool(node, p);
        } else if (op instanceof GlobalAveragePool) {
            Shape in = shapes.get(node.inputs().get(0));
            pool(node, new Pool(Pool.Kind.AVERAGE, in.height(), in.width(), 1, 1, new int[4], false, false));
        } else if (op instanceof Add) {
            add(node);
        } else if (op instanceof Mul) {
            mul(node);
        } else if (op instanceof Concat) {
            concat(node);
        } else if (op instanceof Pad p) {
            if (!foldedPads.containsValue(node)) pad(node, p);
        } else if (op instanceof Flatten) {
            flatten(node);
        } else if (op instanceof Dense d) {
            dense(node, d);
        } else {
            throw new IllegalArgumentException("the oneDNN engine has no " + op.type() + " (node " + node.name() + ")");
        }
    }

    // ---------------------------------------------------------------- convolutions

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

    private void convolution(Node node, Conv c) {
        String input = convInput(node);
        int t = computeType(input);
        ConvGeometry g = geometry(node, c, input, c.outChannels());
        int alg = algorithm(node, g, t);
        List<Node> readers = graph.consumers(node.output());
        boolean relu = readers.size() == 1 && fusedRelus.contains(readers.get(0).name());
        dnnl_primitive_desc pd = convForward(g, t, t, alg, relu, node.name());
        Value x = parts.reorderIfNeeded(forward, values.get(input), Dnnl.query(pd, dnnl_query_src_md));
        Value weights = weights(node, Dnnl.query(pd, dnnl_query_weights_md));
        Value bias = parts.shared(Dnnl.md(dnnl_f32, dnnl_x, c.outChannels()), model.biasBuffer(node.name()).pointer());
        Value dst = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        forward.add(parts.primitive(pd, DNNL_ARG_SRC, x, DNNL_ARG_WEIGHTS, weights, DNNL_ARG_BIAS, bias, DNNL_ARG_DST, dst));
        values.put(node.output(), dst);
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            dnnl_primitive_desc back = convBackwardData(g, t, alg, pd, node.name());
            Value dyIn = parts.reorderIfNeeded(backward, dy, Dnnl.query(back, dnnl_query_diff_dst_md));
            Value w = weights(node, Dnnl.query(back, dnnl_query_weights_md));
            Value dx = parts.buffer(Dnnl.query(back, dnnl_query_diff_src_md));
            backward.add(parts.primitive(back, DNNL_ARG_DIFF_DST, dyIn, DNNL_ARG_WEIGHTS, w, DNNL_ARG_DIFF_SRC, dx));
            contribute(input, dx);
        });
    }

    /**
     * The target's convolution for the batch's filters: one output channel per image (channel i is image i's
     * filter), f32 out; its weights are a chain buffer, loaded from the model per step.
     */
    private void targetConvolution(Node node) {
        Conv c = model.conv(node.name());
        String input = convInput(node);
        int t = computeType(input);
        ConvGeometry g = geometry(node, c, input, batch);
        int alg = algorithm(node, g, t);
        dnnl_primitive_desc pd = convForward(g, t, dnnl_f32, alg, head.fusedRelu(), node.name());
        Value x = parts.reorderIfNeeded(forward, values.get(input), Dnnl.query(pd, dnnl_query_src_md));
        dnnl_memory_desc_t plainFilter = Dnnl.md(dnnl_f32, dnnl_oihw, batch, c.inChannels(), c.kernelHeight(), c.kernelWidth());
        filterWeights = parts.buffer(plainFilter);
        filterBias = parts.buffer(Dnnl.md(dnnl_f32, dnnl_x, batch));
        Value weights = parts.reorderInto(filterLoad, filterWeights, Dnnl.query(pd, dnnl_query_weights_md));
        Value dst = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        forward.add(parts.primitive(pd, DNNL_ARG_SRC, x, DNNL_ARG_WEIGHTS, weights, DNNL_ARG_BIAS, filterBias, DNNL_ARG_DST, dst));
        dnnl_memory_desc_t plainTarget = Dnnl.md(dnnl_f32, dnnl_nchw, batch, batch, g.dst()[2], g.dst()[3]);
        targetOut = parts.reorderIfNeeded(forward, dst, plainTarget);
        seed = parts.buffer(plainTarget);
        backwardBuilders.add(() -> {
            dnnl_primitive_desc back = convBackwardData(g, t, alg, pd, node.name());
            Value dy = parts.reorderIfNeeded(backward, seed, Dnnl.query(back, dnnl_query_diff_dst_md));
            Value w = parts.reorderInto(filterLoad, filterWeights, Dnnl.query(back, dnnl_query_weights_md));
            Value dx = parts.buffer(Dnnl.query(back, dnnl_query_diff_src_md));
            backward.add(parts.primitive(back, DNNL_ARG_DIFF_DST, dy, DNNL_ARG_WEIGHTS, w, DNNL_ARG_DIFF_SRC, dx));
            contribute(input, dx);
        });
    }

    private dnnl_primitive_desc convForward(ConvGeometry g, int t, int dstType, int alg, boolean relu, String name) {
        dnnl_convolution_desc_t desc = new dnnl_convolution_desc_t();
        Dnnl.check(dnnl_dilated_convolution_forward_desc_init(desc, dnnl_forward_training, alg,
                Dnnl.md(t, dnnl_format_tag_any, g.src()), Dnnl.md(t, dnnl_format_tag_any, g.weights()),
                Dnnl.md(dnnl_f32, dnnl_x, g.dst()[1]), Dnnl.md(dstType, dnnl_format_tag_any, g.dst()),
                g.strides(), g.dilation(), g.padL(), g.padR()), "convolution_forward_desc_init " + name);
        return parts.desc(desc, parts.attr(relu ? dnnl_eltwise_relu : -1), null,
                "convolution forward " + name);
    }

    private dnnl_primitive_desc convBackwardData(ConvGeometry g, int t, int alg, dnnl_primitive_desc hint, String name) {
        dnnl_convolution_desc_t desc = new dnnl_convolution_desc_t();
        Dnnl.check(dnnl_dilated_convolution_backward_data_desc_init(desc, alg,
                Dnnl.md(t, dnnl_format_tag_any, g.src()), Dnnl.md(t, dnnl_format_tag_any, g.weights()),
                Dnnl.md(t, dnnl_format_tag_any, g.dst()), g.strides(), g.dilation(), g.padL(), g.padR()),
                "convolution_backward_data_desc_init " + name);
        return parts.desc(desc, parts.attr(), hint, "convolution backward data " + name);
    }

    private Value weights(Node node, dnnl_memory_desc_t md) {
        return parts.shared(md, model.weights(node.name(), md).pointer());
    }

    /** f32 for what reads the image (or per-pixel maps of it), else the chain's type. */
    private int computeType(String input) {
        return imageTensors.contains(input) ? dnnl_f32 : dt;
    }

    /**
     * Winograd where the model's choice says so and the CPU has it (AVX-512), for f32 3×3 convolutions of stride 1
     * without dilation or groups only (oneDNN has no bf16 Winograd). The choice names a layer by the convolution's
     * node, its output, or the activation after it (Keras' layer names are the latter).
     */
    private int algorithm(Node node, ConvGeometry g, int t) {
        Conv c = g.conv();
        boolean shape = c.kernelHeight() == 3 && c.kernelWidth() == 3 && c.strideHeight() == 1 && c.strideWidth() == 1
                && c.dilationHeight() == 1 && c.dilationWidth() == 1 && c.group() == 1;
        if (t != dnnl_f32 || !shape || !model.winogradAvailable()) return dnnl_convolution_direct;
        List<String> names = new ArrayList<>(List.of(node.name(), node.output()));
        List<Node> readers = graph.consumers(node.output());
        if (readers.size() == 1 && readers.get(0).op() instanceof Activation) names.add(readers.get(0).output());
        int h = (int) g.dst()[2], w = (int) g.dst()[3];
        for (String name : names) {
            if (model.choice().winograd(name, c.inChannels(), h, w)) return dnnl_convolution_winograd;
        }
        return dnnl_convolution_direct;
    }

    // ---------------------------------------------------------------- element-wise

    /** A ReLU fused into the convolution before it: nothing forward; backward from the saved output. */
    private void fusedRelu(Node node) {
        Value y = values.get(node.inputs().get(0));
        values.put(node.output(), y);
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            // ReLU backward from the saved output: y > 0 exactly where the pre-activation was > 0.
            Value dx = eltwiseBackward(dnnl_eltwise_relu, 0f, 0f, y, dy, node.name());
            contribute(node.inputs().get(0), dx);
        });
    }

    private void activation(Node node, Activation a) {
        Value x = values.get(node.inputs().get(0));
        if (a.kind() == Activation.Kind.HARD_SIGMOID) {
            // max(0, min(1, αx + β)): a linear map, then a clip.
            Value linear = eltwise(dnnl_eltwise_linear, a.alpha(), a.beta(), x, node.name());
            Value y = eltwise(dnnl_eltwise_clip_v2, 0f, 1f, linear, node.name());
            values.put(node.output(), y);
            backwardBuilders.add(() -> {
                Value dy = gradientOf(node.output());
                if (dy == null) return;
                Value dLinear = eltwiseBackward(dnnl_eltwise_clip_v2, 0f, 1f, linear, dy, node.name());
                contribute(node.inputs().get(0), eltwiseBackward(dnnl_eltwise_linear, a.alpha(), a.beta(), x, dLinear, node.name()));
            });
            return;
        }
        int alg;
        float alpha = 0f, beta = 0f;
        switch (a.kind()) {
            case RELU -> alg = dnnl_eltwise_relu;
            case LEAKY_RELU -> {
                alg = dnnl_eltwise_relu;
                alpha = a.alpha();
            }
            case CLIP -> {
                alg = dnnl_eltwise_clip_v2;
                alpha = a.alpha();
                beta = a.beta();
            }
            case SIGMOID -> alg = dnnl_eltwise_logistic;
            case HARD_SWISH -> alg = dnnl_eltwise_hardswish;
            default -> throw new IllegalStateException(a.kind().toString());
        }
        int algorithm = alg;
        float al = alpha, be = beta;
        Value y = eltwise(algorithm, al, be, x, node.name());
        values.put(node.output(), y);
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            contribute(node.inputs().get(0), eltwiseBackward(algorithm, al, be, x, dy, node.name()));
        });
    }

    private Value eltwise(int alg, float alpha, float beta, Value x, String name) {
        dnnl_eltwise_desc_t desc = new dnnl_eltwise_desc_t();
        Dnnl.check(dnnl_eltwise_forward_desc_init(desc, dnnl_forward_training, alg, x.md(), alpha, beta),
                "eltwise_forward_desc_init " + name);
        dnnl_primitive_desc pd = parts.desc(desc, parts.attr(), null, "eltwise forward " + name);
        Value y = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        forward.add(parts.primitive(pd, DNNL_ARG_SRC, x, DNNL_ARG_DST, y));
        return y;
    }

    /** d/dx of an element-wise function at the forward's input {@code x} (for a fused ReLU: its output). */
    private Value eltwiseBackward(int alg, float alpha, float beta, Value x, Value dy, String name) {
        dnnl_eltwise_desc_t fwdDesc = new dnnl_eltwise_desc_t();
        Dnnl.check(dnnl_eltwise_forward_desc_init(fwdDesc, dnnl_forward_training, alg, x.md(), alpha, beta),
                "eltwise_forward_desc_init");
        dnnl_primitive_desc hint = parts.desc(fwdDesc, null, null, "eltwise forward hint " + name);
        dnnl_eltwise_desc_t bwdDesc = new dnnl_eltwise_desc_t();
        Dnnl.check(dnnl_eltwise_backward_desc_init(bwdDesc, alg, x.md(), x.md(), alpha, beta), "eltwise_backward_desc_init");
        dnnl_primitive_desc back = parts.desc(bwdDesc, parts.attr(), hint, "eltwise backward " + name);
        Value dyIn = parts.reorderIfNeeded(backward, dy, Dnnl.query(back, dnnl_query_diff_dst_md));
        Value dx = parts.buffer(Dnnl.query(back, dnnl_query_diff_src_md));
        backward.add(parts.primitive(back, DNNL_ARG_SRC, x, DNNL_ARG_DIFF_DST, dyIn, DNNL_ARG_DIFF_SRC, dx));
        return dx;
    }

    // ---------------------------------------------------------------- pooling

    private void pool(Node node, Pool p) {
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
        Dnnl.check(dnnl_pooling_forward_desc_init(desc, dnnl_forward_training, alg, x.md(),
                Dnnl.md(x.dataType(), dnnl_format_tag_any, batch, out.channels(), out.height(), out.width()),
                strides, kernel, left, right), "pooling_forward_desc_init " + node.name());
        dnnl_primitive_desc pd = parts.desc(desc, parts.attr(), null, "pooling forward " + node.name());
        Value y = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        Value workspace = alg == dnnl_pooling_max ? parts.buffer(Dnnl.query(pd, dnnl_query_workspace_md)) : null;
        forward.add(workspace != null
                ? parts.primitive(pd, DNNL_ARG_SRC, x, DNNL_ARG_DST, y, DNNL_ARG_WORKSPACE, workspace)
                : parts.primitive(pd, DNNL_ARG_SRC, x, DNNL_ARG_DST, y));
        values.put(node.output(), y);
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            dnnl_pooling_desc_t bwd = new dnnl_pooling_desc_t();
            Dnnl.check(dnnl_pooling_backward_desc_init(bwd, alg, x.md(), y.md(), strides, kernel, left, right),
                    "pooling_backward_desc_init " + node.name());
            dnnl_primitive_desc back = parts.desc(bwd, parts.attr(), pd, "pooling backward " + node.name());
            Value dyIn = parts.reorderIfNeeded(backward, dy, Dnnl.query(back, dnnl_query_diff_dst_md));
            Value dx = parts.buffer(Dnnl.query(back, dnnl_query_diff_src_md));
            backward.add(workspace != null
                    ? parts.primitive(back, DNNL_ARG_DIFF_DST, dyIn, DNNL_ARG_WORKSPACE, workspace, DNNL_ARG_DIFF_SRC, dx)
                    : parts.primitive(back, DNNL_ARG_DIFF_DST, dyIn, DNNL_ARG_DIFF_SRC, dx));
            contribute(input, dx);
        });
    }

    // ---------------------------------------------------------------- binary

    private void add(Node node) {
        String a = node.inputs().get(0), b = node.inputs().get(1);
        Value x = values.get(a);
        Value y = parts.reorderIfNeeded(forward, values.get(b), x.md());
        Value out = binary(forward, dnnl_binary_add, x, y, node.name());
        values.put(node.output(), out);
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            contribute(a, dy);
            contribute(b, dy);
        });
    }

    /** x ⊙ y, y of x's shape or a per-channel gate (C × 1 × 1, squeeze-and-excitation) broadcast over positions. */
    private void mul(Node node) {
        String a = node.inputs().get(0), b = node.inputs().get(1);
        Value x = values.get(a);
        Shape xs = shapes.get(a), gs = shapes.get(b);
        boolean gate = !xs.equals(gs);
        dnnl_memory_desc_t yMd = gate ? Dnnl.plain(x.dataType(), batch, gs.channels(), 1, 1) : x.md();
        Value y = parts.reorderIfNeeded(forward, values.get(b), yMd);
        values.put(node.output(), binary(forward, dnnl_binary_mul, x, y, node.name()));
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            Value dyIn = parts.reorderIfNeeded(backward, dy, x.md());
            contribute(a, binary(backward, dnnl_binary_mul, dyIn, y, node.name() + " backward"));
            Value product = binary(backward, dnnl_binary_mul, dyIn, x, node.name() + " backward");
            if (!gate) {
                contribute(b, product);
                return;
            }
            // d gate = Σ over positions of dy ⊙ x
            dnnl_reduction_desc_t desc = new dnnl_reduction_desc_t();
            Dnnl.check(dnnl_reduction_desc_init(desc, dnnl_reduction_sum, product.md(),
                    Dnnl.md(dnnl_f32, dnnl_format_tag_any, batch, gs.channels(), 1, 1), 0f, 0f), "reduction_desc_init " + node.name());
            dnnl_primitive_desc pd = parts.desc(desc, parts.attr(), null, "reduction " + node.name());
            Value dGate = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
            backward.add(parts.primitive(pd, DNNL_ARG_SRC, product, DNNL_ARG_DST, dGate));
            contribute(b, dGate);
        });
    }

    private Value binary(List<Step> into, int alg, Value x, Value y, String name) {
        dnnl_binary_desc_t desc = new dnnl_binary_desc_t();
        Dnnl.check(dnnl_binary_desc_init(desc, alg, x.md(), y.md(), x.md()), "binary_desc_init " + name);
        dnnl_primitive_desc pd = parts.desc(desc, parts.attr(), null, "binary " + name);
        Value out = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        into.add(parts.primitive(pd, DNNL_ARG_SRC_0, x, DNNL_ARG_SRC_1, y, DNNL_ARG_DST, out));
        return out;
    }

    // ---------------------------------------------------------------- concat, pad, flatten

    private void concat(Node node) {
        List<String> inputs = node.inputs();
        int type = values.get(inputs.get(0)).dataType();
        for (String in : inputs) if (values.get(in).dataType() != type) type = dt;
        List<Value> sources = new ArrayList<>();
        for (String in : inputs) {
            Value v = values.get(in);
            sources.add(v.dataType() == type ? v : parts.reorderInto(forward, v, Dnnl.plain(type, v.dims())));
        }
        Shape out = shapes.get(node.output());
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        Dnnl.check(dnnl_concat_primitive_desc_create(pd, Dnnl.md(type, dnnl_format_tag_any, dims(out)), sources.size(), 1,
                Dnnl.array(sources.stream().map(Value::md).toList()), parts.attr(), parts.engine()),
                "concat_primitive_desc_create " + node.name());
        parts.keep(pd);
        Value y = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        forward.add(parts.primitive(pd, multipleSources(sources, y)));
        values.put(node.output(), y);
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            // Each input's gradient is its slice of channels, read from a plain copy of the output's.
            Value plain = parts.reorderIfNeeded(backward, dy, Dnnl.plain(dy.dataType(), dims(out)));
            long offset = 0;
            for (String in : inputs) {
                long[] d = dims(shapes.get(in));
                long[] at = new long[d.length];
                at[1] = offset;
                offset += d[1];
                Value slice = parts.view(plain, Dnnl.submemory(plain.md(), d, at));
                contribute(in, parts.reorderInto(backward, slice, Dnnl.plain(dy.dataType(), d)));
            }
        });
    }

    private void pad(Node node, Pad p) {
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
        forward.add(stream -> fill(y, type, value));
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

    private void flatten(Node node) {
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

    // ---------------------------------------------------------------- dense

    private void dense(Node node, Dense d) {
        String input = node.inputs().get(0);
        Shape in = shapes.get(input);
        int t = computeType(input);
        long[] src = dims(in);
        long[] weightDims = in.vector() ? new long[]{d.outUnits(), d.inUnits()}
                : new long[]{d.outUnits(), in.channels(), in.height(), in.width()};
        long[] dst = {batch, d.outUnits()};
        dnnl_inner_product_desc_t desc = new dnnl_inner_product_desc_t();
        Dnnl.check(dnnl_inner_product_forward_desc_init(desc, dnnl_forward_training, Dnnl.md(t, dnnl_format_tag_any, src),
                Dnnl.md(t, dnnl_format_tag_any, weightDims), Dnnl.md(dnnl_f32, dnnl_x, d.outUnits()),
                Dnnl.md(t, dnnl_format_tag_any, dst)), "inner_product_forward_desc_init " + node.name());
        dnnl_primitive_desc pd = parts.desc(desc, parts.attr(), null, "inner product " + node.name());
        Value x = parts.reorderIfNeeded(forward, values.get(input), Dnnl.query(pd, dnnl_query_src_md));
        Value weights = weights(node, Dnnl.query(pd, dnnl_query_weights_md));
        Value bias = parts.shared(Dnnl.md(dnnl_f32, dnnl_x, d.outUnits()), model.biasBuffer(node.name()).pointer());
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

    // ---------------------------------------------------------------- gradients

    private void contribute(String tensor, Value gradient) {
        gradients.computeIfAbsent(tensor, t -> new ArrayList<>()).add(gradient);
    }

    /** The gradient of a tensor, complete once every reader's backward is built: one part, or the sum of them. */
    private Value gradientOf(String tensor) {
        List<Value> contributions = gradients.get(tensor);
        if (contributions == null || contributions.isEmpty()) return null;
        if (contributions.size() == 1) return contributions.get(0);
        dnnl_memory_desc_t md = contributions.get(0).md();
        List<Value> same = new ArrayList<>();
        for (Value v : contributions) same.add(parts.reorderIfNeeded(backward, v, md));
        float[] scales = new float[same.size()];
        java.util.Arrays.fill(scales, 1f);
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        Dnnl.check(dnnl_sum_primitive_desc_create(pd, md, same.size(), scales,
                Dnnl.array(same.stream().map(Value::md).toList()), parts.attr(), parts.engine()), "sum_primitive_desc_create " + tensor);
        parts.keep(pd);
        Value sum = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        backward.add(parts.primitive(pd, multipleSources(same, sum)));
        gradients.put(tensor, new ArrayList<>(List.of(sum)));
        return sum;
    }

    private static Object[] multipleSources(List<Value> sources, Value dst) {
        Object[] args = new Object[2 * sources.size() + 2];
        for (int i = 0; i < sources.size(); i++) {
            args[2 * i] = DNNL_ARG_MULTIPLE_SRC + i;
            args[2 * i + 1] = sources.get(i);
        }
        args[args.length - 2] = DNNL_ARG_DST;
        args[args.length - 1] = dst;
        return args;
    }

    private long[] dims(Shape s) {
        return s.vector() ? new long[]{batch, s.channels()} : new long[]{batch, s.channels(), s.height(), s.width()};
    }

    // ---------------------------------------------------------------- running

    /**
     * One step for the batch. Image i (channels × height × width, channels first) ascends channel {@code filters[i]}
     * of the target. Returns each image's loss (the mean of its channel, or its unit of a vector) and writes
     * d loss_i / d image_i into {@code gradientsOut[i]}.
     */
    float[] run(Arenas arenas, dnnl_stream stream, float[][] imagesIn, int[] filters, float[][] gradientsOut) {
        parts.bind(arenas);
        int imageSize = graph.inputChannels() * width * height;
        for (int b = 0; b < batch; b++) image.buffer().floats().position((long) b * imageSize).put(imagesIn[b]);
        if (head.oneChannel()) loadFilters(filters, stream);
        ChainParts.execute(forward, stream);
        Dnnl.check(dnnl_stream_wait(stream), "stream_wait");

        float[] losses = new float[batch];
        FloatPointer out = targetOut.buffer().floats();
        FloatPointer seedOut = seed.buffer().floats();
        int n = targetPlane;
        float[] plane = new float[n];
        float[] planeSeed = new float[n];
        if (head.oneChannel()) {
            // The target is batch × batch planes (image, filter); image b's loss is its plane b, and only that plane
            // gets a gradient, so the backward pass gives each image the gradient of its own loss.
            Pointer.memset(seed.buffer().pointer(), 0, seed.buffer().bytes);
            for (int b = 0; b < batch; b++) {
                int at = (b * batch + b) * n;
                out.position(at).get(plane);
                losses[b] = (float) head.lossAndSeed(plane, filters[b], planeSeed);
                seedOut.position(at).put(planeSeed);
            }
        } else {
            Pointer.memset(seed.buffer().pointer(), 0, seed.buffer().bytes);
            for (int b = 0; b < batch; b++) {
                int at = (b * targetChannels + filters[b]) * n;
                out.position(at).get(plane);
                double sum = 0;
                for (float v : plane) sum += v;
                losses[b] = (float) (sum / n);
                java.util.Arrays.fill(planeSeed, 1f / n);
                seedOut.position(at).put(planeSeed);
            }
        }
        ChainParts.execute(backward, stream);
        Dnnl.check(dnnl_stream_wait(stream), "stream_wait");
        for (int b = 0; b < batch; b++) gradient.buffer().floats().position((long) b * imageSize).get(gradientsOut[b]);
        return losses;
    }

    private void loadFilters(int[] filters, dnnl_stream stream) {
        Conv c = model.conv(head.conv().name());
        int size = c.inChannels() * c.kernelHeight() * c.kernelWidth();
        float[] kernels = new float[size * batch];
        float[] biases = new float[batch];
        for (int b = 0; b < batch; b++) {
            int channel = head.convChannel(filters[b]);
            System.arraycopy(c.weights(), channel * size, kernels, b * size, size);
            biases[b] = c.bias()[channel];
        }
        filterWeights.buffer().floats().put(kernels);
        filterBias.buffer().floats().put(biases);
        ChainParts.execute(filterLoad, stream);
    }

    int targetChannels() { return targetChannels; }

    List<String> implementations() { return parts.implementations(); }

    @Override
    public void close() { parts.close(); }
}
