package io.filterviz.engine.onednn;

import io.filterviz.engine.Precision;
import io.filterviz.model.LayerSpec;
import io.filterviz.model.Vgg16;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_eltwise_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_pooling_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * Every primitive of one step for one (target layer, image size, batch), built once: forward convolutions with
 * ReLU fused as a post-op, max pools in training mode (they keep a workspace of where each maximum came from), the
 * target layer as a convolution with one output channel per image of the batch (image i ascends filter i), then
 * backward-data convolutions, ReLU backward and pooling backward. Layouts are oneDNN's choice ({@code format_tag::any}); a reorder is inserted only where two
 * primitives disagree, and at the image's way in and the gradient's way out. Buffers come from the objective's
 * {@link Arenas} and are re-pointed before each step, so every step reuses them.
 */
final class PrimitiveChain implements AutoCloseable {
    private static final long[] ONE = {1, 1};
    private static final long[] PAD_CONV = {1, 1};
    private static final long[] TWO = {2, 2};
    private static final long[] ZERO = {0, 0};

    private final OnednnModel model;
    private final dnnl_engine engine;
    private final int dt;
    private final List<Op> forward = new ArrayList<>();
    private final List<Op> backward = new ArrayList<>();
    private final List<Op> filterLoad = new ArrayList<>();
    private final List<Buffer> buffers = new ArrayList<>();
    private final List<Object> keepAlive = new ArrayList<>();
    private final List<String> implementations = new ArrayList<>();
    private long scratchBytes;

    final int width;
    final int height;
    /** Images per step, each ascending its own filter of the target layer (the minibatch of every primitive). */
    final int batch;
    final int targetWidth;
    final int targetHeight;
    private final int targetInChannels;
    private final Buffer image;
    private final Buffer gradient;
    private final Buffer targetOut;
    private final Buffer targetGradIn;
    private final Buffer filterWeights;
    private final Buffer filterBias;

    /** The forward's record of a stage, for its way back. */
    private record Saved(LayerSpec layer, dnnl_primitive_desc pd, dnnl_memory_desc_t srcMd, dnnl_memory_desc_t dstMd,
                         Buffer dst, Buffer workspace) {}

    PrimitiveChain(OnednnModel model, List<LayerSpec> layers, int width, int height, int batch) {
        this.model = model;
        this.engine = model.engine();
        this.width = width;
        this.height = height;
        this.batch = batch;
        this.dt = model.precision() == Precision.BF16 ? dnnl_bf16 : dnnl_f32;

        dnnl_memory_desc_t plainImage = Dnnl.md(dnnl_f32, dnnl_nchw, batch, 3, height, width);
        image = buffer(plainImage);
        Buffer cur = image;
        dnnl_memory_desc_t curMd = plainImage;
        int h = height, w = width;
        List<Saved> saved = new ArrayList<>();
        for (LayerSpec layer : layers.subList(0, layers.size() - 1)) {
            if (layer.isConv()) {
                dnnl_primitive_desc pd = convForward(layer, layer.outChannels(), h, w, type(layer), true);
                dnnl_memory_desc_t src = Dnnl.query(pd, dnnl_query_src_md);
                cur = reorderIfNeeded(forward, cur, curMd, src);
                dnnl_memory_desc_t weightsMd = Dnnl.query(pd, dnnl_query_weights_md);
                Buffer weights = shared(weightsMd, model.weights(layer.name(), weightsMd).pointer());
                Buffer bias = shared(Dnnl.md(dnnl_f32, dnnl_x, layer.outChannels()), model.biasBuffer(layer.name()).pointer());
                dnnl_memory_desc_t dstMd = Dnnl.query(pd, dnnl_query_dst_md);
                Buffer dst = buffer(dstMd);
                forward.add(op(pd, DNNL_ARG_SRC, cur, DNNL_ARG_WEIGHTS, weights, DNNL_ARG_BIAS, bias, DNNL_ARG_DST, dst));
                saved.add(new Saved(layer, pd, src, dstMd, dst, null));
                cur = dst;
                curMd = dstMd;
            } else {
                int oh = h / 2, ow = w / 2;
                dnnl_pooling_desc_t desc = new dnnl_pooling_desc_t();
                Dnnl.check(dnnl_pooling_forward_desc_init(desc, dnnl_forward_training, dnnl_pooling_max, curMd,
                        Dnnl.md(dt, dnnl_format_tag_any, batch, layer.outChannels(), oh, ow), TWO, TWO, ZERO, ZERO),
                        "pooling_forward_desc_init " + layer.name());
                dnnl_primitive_desc pd = Dnnl.primitiveDesc(desc, attr(false), engine, null, "pooling forward " + layer.name());
                dnnl_memory_desc_t dstMd = Dnnl.query(pd, dnnl_query_dst_md);
                Buffer dst = buffer(dstMd);
                Buffer workspace = buffer(Dnnl.query(pd, dnnl_query_workspace_md));
                forward.add(op(pd, DNNL_ARG_SRC, cur, DNNL_ARG_DST, dst, DNNL_ARG_WORKSPACE, workspace));
                saved.add(new Saved(layer, pd, curMd, dstMd, dst, workspace));
                cur = dst;
                curMd = dstMd;
                h = oh;
                w = ow;
            }
        }

        // The target layer, for the batch's filters: one output channel per filter (channel i is image i's
        // filter); its weights are a chain buffer, loaded from the model per batch of filters.
        LayerSpec target = layers.get(layers.size() - 1);
        targetInChannels = target.inChannels();
        targetWidth = w;
        targetHeight = h;
        dnnl_primitive_desc targetPd = convForward(target, batch, h, w, dnnl_f32, true);
        cur = reorderIfNeeded(forward, cur, curMd, Dnnl.query(targetPd, dnnl_query_src_md));
        dnnl_memory_desc_t plainFilter = Dnnl.md(dnnl_f32, dnnl_oihw, batch, targetInChannels, Vgg16.KERNEL, Vgg16.KERNEL);
        filterWeights = buffer(plainFilter);
        filterBias = buffer(Dnnl.md(dnnl_f32, dnnl_x, batch));
        dnnl_memory_desc_t targetWeightsMd = Dnnl.query(targetPd, dnnl_query_weights_md);
        Buffer targetWeights = reorderInto(filterLoad, filterWeights, plainFilter, targetWeightsMd);
        dnnl_memory_desc_t targetDstMd = Dnnl.query(targetPd, dnnl_query_dst_md);
        Buffer targetDst = buffer(targetDstMd);
        forward.add(op(targetPd, DNNL_ARG_SRC, cur, DNNL_ARG_WEIGHTS, targetWeights, DNNL_ARG_BIAS, filterBias,
                DNNL_ARG_DST, targetDst));
        dnnl_memory_desc_t plainTarget = Dnnl.md(dnnl_f32, dnnl_nchw, batch, batch, h, w);
        targetOut = reorderIfNeeded(forward, targetDst, targetDstMd, plainTarget);

        // The way back: d loss / d target activation is written by Java into a plain buffer.
        targetGradIn = buffer(plainTarget);
        dnnl_primitive_desc targetBack = convBackwardData(target, batch, h, w, targetPd);
        cur = reorderIfNeeded(backward, targetGradIn, plainTarget, Dnnl.query(targetBack, dnnl_query_diff_dst_md));
        dnnl_memory_desc_t backWeightsMd = Dnnl.query(targetBack, dnnl_query_weights_md);
        Buffer backWeights = reorderInto(filterLoad, filterWeights, plainFilter, backWeightsMd);
        curMd = Dnnl.query(targetBack, dnnl_query_diff_src_md);
        Buffer diffSrc = buffer(curMd);
        backward.add(op(targetBack, DNNL_ARG_DIFF_DST, cur, DNNL_ARG_WEIGHTS, backWeights, DNNL_ARG_DIFF_SRC, diffSrc));
        cur = diffSrc;

        for (int i = saved.size() - 1; i >= 0; i--) {
            Saved s = saved.get(i);
            if (s.layer().isConv()) {
                // ReLU backward from the saved output: y > 0 exactly where the pre-activation was > 0.
                dnnl_eltwise_desc_t fwdDesc = new dnnl_eltwise_desc_t();
                Dnnl.check(dnnl_eltwise_forward_desc_init(fwdDesc, dnnl_forward_training, dnnl_eltwise_relu, s.dstMd(), 0f, 0f),
                        "eltwise_forward_desc_init");
                dnnl_primitive_desc hint = Dnnl.primitiveDesc(fwdDesc, null, engine, null, "relu forward hint");
                keepAlive.add(hint);
                dnnl_eltwise_desc_t bwdDesc = new dnnl_eltwise_desc_t();
                Dnnl.check(dnnl_eltwise_backward_desc_init(bwdDesc, dnnl_eltwise_relu, s.dstMd(), s.dstMd(), 0f, 0f),
                        "eltwise_backward_desc_init");
                dnnl_primitive_desc reluBack = Dnnl.primitiveDesc(bwdDesc, attr(false), engine, hint, "relu backward " + s.layer().name());
                cur = reorderIfNeeded(backward, cur, curMd, Dnnl.query(reluBack, dnnl_query_diff_dst_md));
                dnnl_memory_desc_t maskedMd = Dnnl.query(reluBack, dnnl_query_diff_src_md);
                Buffer masked = buffer(maskedMd);
                backward.add(op(reluBack, DNNL_ARG_SRC, s.dst(), DNNL_ARG_DIFF_DST, cur, DNNL_ARG_DIFF_SRC, masked));

                int ch = (int) s.srcMd().dims().get(2), cw = (int) s.srcMd().dims().get(3);
                dnnl_primitive_desc convBack = convBackwardData(s.layer(), s.layer().outChannels(), ch, cw, s.pd());
                cur = reorderIfNeeded(backward, masked, maskedMd, Dnnl.query(convBack, dnnl_query_diff_dst_md));
                dnnl_memory_desc_t weightsMd = Dnnl.query(convBack, dnnl_query_weights_md);
                Buffer weights = shared(weightsMd, model.weights(s.layer().name(), weightsMd).pointer());
                curMd = Dnnl.query(convBack, dnnl_query_diff_src_md);
                Buffer out = buffer(curMd);
                backward.add(op(convBack, DNNL_ARG_DIFF_DST, cur, DNNL_ARG_WEIGHTS, weights, DNNL_ARG_DIFF_SRC, out));
                cur = out;
            } else {
                dnnl_pooling_desc_t desc = new dnnl_pooling_desc_t();
                Dnnl.check(dnnl_pooling_backward_desc_init(desc, dnnl_pooling_max, s.srcMd(), s.dstMd(), TWO, TWO, ZERO, ZERO),
                        "pooling_backward_desc_init " + s.layer().name());
                dnnl_primitive_desc poolBack = Dnnl.primitiveDesc(desc, attr(false), engine, s.pd(), "pooling backward " + s.layer().name());
                cur = reorderIfNeeded(backward, cur, curMd, Dnnl.query(poolBack, dnnl_query_diff_dst_md));
                curMd = Dnnl.query(poolBack, dnnl_query_diff_src_md);
                Buffer out = buffer(curMd);
                backward.add(op(poolBack, DNNL_ARG_DIFF_DST, cur, DNNL_ARG_WORKSPACE, s.workspace(), DNNL_ARG_DIFF_SRC, out));
                cur = out;
            }
        }
        gradient = reorderIfNeeded(backward, cur, curMd, plainImage);
    }

    /**
     * One step for the batch. Image i (3 × height × width, channels first) ascends filter i: {@code kernels} holds
     * the batch's kernels one after another (each in-channels × 3 × 3), {@code biases} their biases. Returns each
     * image's loss (mean activation of its filter) and writes d loss_i / d image_i into {@code gradientsOut[i]}.
     */
    float[] run(Arenas arenas, dnnl_stream stream, float[][] imagesIn, float[] kernels, float[] biases,
                float[][] gradientsOut) {
        bind(arenas);
        filterWeights.floats().put(kernels);
        filterBias.floats().put(biases);
        int imageSize = 3 * width * height;
        for (int b = 0; b < batch; b++) image.floats().position((long) b * imageSize).put(imagesIn[b]);
        execute(filterLoad, stream);
        execute(forward, stream);
        Dnnl.check(dnnl_stream_wait(stream), "stream_wait");

        // The target is batch × batch planes (image, filter); image b's loss is its plane b, and only that plane
        // gets a gradient, so the backward pass gives each image the gradient of its own loss.
        int n = targetWidth * targetHeight;
        float[] activation = new float[n];
        float[] seed = new float[n * batch * batch];
        float[] losses = new float[batch];
        FloatPointer out = targetOut.floats();
        for (int b = 0; b < batch; b++) {
            int plane = (b * batch + b) * n;
            out.position(plane).get(activation);
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += activation[i];
                seed[plane + i] = activation[i] > 0 ? 1f / n : 0f; // d mean / d activation, through the ReLU
            }
            losses[b] = (float) (sum / n);
        }
        targetGradIn.floats().put(seed);
        execute(backward, stream);
        Dnnl.check(dnnl_stream_wait(stream), "stream_wait");
        for (int b = 0; b < batch; b++) gradient.floats().position((long) b * imageSize).get(gradientsOut[b]);
        return losses;
    }

    int targetInChannels() { return targetInChannels; }

    List<String> implementations() { return implementations; }

    private void execute(List<Op> ops, dnnl_stream stream) {
        for (Op op : ops) Dnnl.execute(op.primitive, stream, op.nargs, op.args);
    }

    /** Points every memory object at its arena buffer (arenas grow when a larger chain runs). */
    private void bind(Arenas arenas) {
        Pointer scratch = arenas.get(0, scratchBytes);
        for (Buffer b : buffers) {
            Pointer p = b.fixed != null ? b.fixed : b.scratch ? scratch : arenas.get(b.slot, b.bytes);
            if (p.address() != b.bound) {
                Dnnl.bind(b.memory, p);
                b.bound = p.address();
                b.current = p;
            }
        }
    }

    private dnnl_primitive_desc convForward(LayerSpec layer, int outChannels, int h, int w, int dstType, boolean relu) {
        dnnl_convolution_desc_t desc = new dnnl_convolution_desc_t();
        int alg = algorithm(layer, h, w);
        int t = type(layer);
        Dnnl.check(dnnl_convolution_forward_desc_init(desc, dnnl_forward_training, alg,
                Dnnl.md(t, dnnl_format_tag_any, batch, layer.inChannels(), h, w),
                Dnnl.md(t, dnnl_format_tag_any, outChannels, layer.inChannels(), Vgg16.KERNEL, Vgg16.KERNEL),
                Dnnl.md(dnnl_f32, dnnl_x, outChannels),
                Dnnl.md(dstType, dnnl_format_tag_any, batch, outChannels, h, w), ONE, PAD_CONV, PAD_CONV),
                "convolution_forward_desc_init " + layer.name());
        return Dnnl.primitiveDesc(desc, attr(relu), engine, null, "convolution forward " + layer.name());
    }

    private dnnl_primitive_desc convBackwardData(LayerSpec layer, int outChannels, int h, int w, dnnl_primitive_desc hint) {
        dnnl_convolution_desc_t desc = new dnnl_convolution_desc_t();
        int t = type(layer);
        Dnnl.check(dnnl_convolution_backward_data_desc_init(desc, algorithm(layer, h, w),
                Dnnl.md(t, dnnl_format_tag_any, batch, layer.inChannels(), h, w),
                Dnnl.md(t, dnnl_format_tag_any, outChannels, layer.inChannels(), Vgg16.KERNEL, Vgg16.KERNEL),
                Dnnl.md(t, dnnl_format_tag_any, batch, outChannels, h, w), ONE, PAD_CONV, PAD_CONV),
                "convolution_backward_data_desc_init " + layer.name());
        return Dnnl.primitiveDesc(desc, attr(false), engine, hint, "convolution backward data " + layer.name());
    }

    /**
     * The data type of a convolution: the chain's, except that the convolution reading the image stays f32 in a
     * bf16 chain. Pixels near 128 have a bf16 step of 1.0, as large as an ascent step, and rounding them cost up
     * to 27 % of a filter's final loss (PrecisionFidelityTest); that layer is under 1 % of the FLOPs.
     */
    private int type(LayerSpec layer) {
        return layer.inChannels() == 3 ? dnnl_f32 : dt;
    }

    /**
     * Winograd where the model's choice says so and the CPU has it (AVX-512), for f32 convolutions only (oneDNN
     * has no bf16 Winograd).
     */
    private int algorithm(LayerSpec layer, int h, int w) {
        return type(layer) == dnnl_f32 && model.winogradAvailable()
                && model.choice().winograd(layer.name(), layer.inChannels(), h, w)
                ? dnnl_convolution_winograd : dnnl_convolution_direct;
    }

    private dnnl_primitive_attr attr(boolean relu) {
        dnnl_primitive_attr attr = Dnnl.userScratchpad();
        if (relu) {
            dnnl_post_ops ops = new dnnl_post_ops();
            Dnnl.check(dnnl_post_ops_create(ops), "post_ops_create");
            Dnnl.check(dnnl_post_ops_append_eltwise(ops, 1f, dnnl_eltwise_relu, 0f, 0f), "post_ops_append_eltwise");
            Dnnl.check(dnnl_primitive_attr_set_post_ops(attr, ops), "primitive_attr_set_post_ops");
            dnnl_post_ops_destroy(ops);
        }
        keepAlive.add(attr);
        return attr;
    }

    private Buffer reorderIfNeeded(List<Op> ops, Buffer from, dnnl_memory_desc_t fromMd, dnnl_memory_desc_t toMd) {
        return Dnnl.same(fromMd, toMd) ? from : reorderInto(ops, from, fromMd, toMd);
    }

    private Buffer reorderInto(List<Op> ops, Buffer from, dnnl_memory_desc_t fromMd, dnnl_memory_desc_t toMd) {
        dnnl_primitive_desc pd = Dnnl.reorderDesc(fromMd, toMd, engine, attr(false));
        Buffer to = buffer(toMd);
        ops.add(op(pd, DNNL_ARG_FROM, from, DNNL_ARG_TO, to));
        return to;
    }

    /** Creates the primitive, and its scratchpad argument in the chain's shared scratch buffer. */
    private Op op(dnnl_primitive_desc pd, Object... kindsAndBuffers) {
        implementations.add(Dnnl.implementation(pd));
        dnnl_memory_desc_t scratchMd = Dnnl.query(pd, dnnl_query_scratchpad_md);
        long scratch = Dnnl.bytes(scratchMd);
        int n = kindsAndBuffers.length / 2 + (scratch > 0 ? 1 : 0);
        int[] kinds = new int[n];
        dnnl_memory[] memories = new dnnl_memory[n];
        for (int i = 0; i < kindsAndBuffers.length / 2; i++) {
            kinds[i] = (Integer) kindsAndBuffers[2 * i];
            memories[i] = ((Buffer) kindsAndBuffers[2 * i + 1]).memory;
        }
        if (scratch > 0) {
            Buffer s = new Buffer(Dnnl.memory(scratchMd, engine), scratch, -1, null, true);
            buffers.add(s);
            scratchBytes = Math.max(scratchBytes, scratch);
            kinds[n - 1] = DNNL_ARG_SCRATCHPAD;
            memories[n - 1] = s.memory;
        }
        keepAlive.add(pd);
        return new Op(Dnnl.primitive(pd), n, Dnnl.args(kinds, memories));
    }

    /** A buffer in the next arena slot (slot 0 is the scratchpad). */
    private Buffer buffer(dnnl_memory_desc_t md) {
        Buffer b = new Buffer(Dnnl.memory(md, engine), Dnnl.bytes(md), buffers.size() + 1, null, false);
        buffers.add(b);
        return b;
    }

    private Buffer shared(dnnl_memory_desc_t md, Pointer data) {
        Buffer b = new Buffer(Dnnl.memory(md, engine), Dnnl.bytes(md), -1, data, false);
        buffers.add(b);
        return b;
    }

    @Override
    public void close() {
        for (Op op : forward) dnnl_primitive_destroy(op.primitive);
        for (Op op : backward) dnnl_primitive_destroy(op.primitive);
        for (Op op : filterLoad) dnnl_primitive_destroy(op.primitive);
        for (Buffer b : buffers) dnnl_memory_destroy(b.memory);
        for (Object o : keepAlive) {
            if (o instanceof dnnl_primitive_desc pd) dnnl_primitive_desc_destroy(pd);
            else if (o instanceof dnnl_primitive_attr a) dnnl_primitive_attr_destroy(a);
        }
    }

    private record Op(dnnl_primitive primitive, int nargs, dnnl_exec_arg_t args) {}

    private static final class Buffer {
        final dnnl_memory memory;
        final long bytes;
        final int slot;
        final Pointer fixed;
        final boolean scratch;
        long bound = -1;
        Pointer current;

        Buffer(dnnl_memory memory, long bytes, int slot, Pointer fixed, boolean scratch) {
            this.memory = memory;
            this.bytes = bytes;
            this.slot = slot;
            this.fixed = fixed;
            this.scratch = scratch;
        }

        FloatPointer floats() {
            return new FloatPointer(current).capacity(bytes / Float.BYTES).limit(bytes / Float.BYTES).position(0);
        }
    }
}
