package io.filterviz.engine.onednn;

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
import io.filterviz.model.graph.Op;
import io.filterviz.model.graph.Pad;
import io.filterviz.model.graph.Pool;
import io.filterviz.model.graph.Shape;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.FloatPointer;

import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * The forward pass alone, for one (image size, batch): the graph cut at several targets, inference primitives (no
 * pooling workspace, no backward), a ReLU fused where nothing but it reads a tensor that is not a target, and each
 * target reordered into a plain channels-first f32 buffer that Java reads after the pass. What a scan of a
 * collection runs; the ascent's {@link PrimitiveChain} is the same lowering with a backward pass.
 */
final class ForwardChain implements AutoCloseable {
    private final ChainParts parts;
    private final Graph graph;
    final int width;
    final int height;
    final int batch;
    private final List<String> targets;
    private final List<Shape> targetShapes = new ArrayList<>();
    private final List<Value> targetOut = new ArrayList<>();
    /** In peaks mode: per target, where Java reads its values (the blocked tensor itself, or a plain copy). */
    private final List<BlockedLayout> targetLayout = new ArrayList<>();
    /** In peaks mode: per target, each image's channel maxima (N × C plain), or null for a vector (its values are). */
    private final List<Value> targetMax = new ArrayList<>();
    private final List<BlockedLayout> maxLayout = new ArrayList<>();
    private final boolean peaks;
    private ChainBuild build;
    private Value image;
    /** The part of one (target, image) tensor last copied into Java for {@link #locate}. */
    private float[] region = new float[0];
    private int regionTarget = -1, regionImage = -1;
    private long regionStart;

    ForwardChain(OnednnModel model, Graph cut, List<String> targets, int width, int height, int batch) {
        this(model, cut, targets, width, height, batch, false);
    }

    /**
     * @param peaks whether Java reads each target's channel maxima ({@link #maxima}, a oneDNN reduction right after
     *              the layer, while its output is in cache) and the odd channel's position ({@link #locate}) from the
     *              layout the layer left, rather than every value in plain layout ({@link #read})
     */
    ForwardChain(OnednnModel model, Graph cut, List<String> targets, int width, int height, int batch, boolean peaks) {
        this.peaks = peaks;
        this.parts = new ChainParts(model.engine());
        this.graph = cut;
        this.width = width;
        this.height = height;
        this.batch = batch;
        this.targets = List.copyOf(targets);
        try {
            build = ChainBuild.forwardOnly(model, parts, cut, targets, height, width, batch);
            lower(model);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private void lower(OnednnModel model) {
        ConvolutionLowering convolutions = new ConvolutionLowering(build);
        ElementwiseLowering elementwise = new ElementwiseLowering(build);
        SpatialLowering spatial = new SpatialLowering(build);
        LayoutLowering layout = new LayoutLowering(build);
        image = parts.buffer(Dnnl.md(dnnl_f32, dnnl_nchw, batch, graph.inputChannels(), height, width));
        build.values.put(graph.input(), image);
        for (Node node : graph.nodes()) {
            Op op = node.op();
            if (op instanceof Conv c) {
                convolutions.convolution(node, c);
            } else if (op instanceof ChannelAffine) {
                convolutions.convolution(node, model.conv(node.name()));
            } else if (op instanceof Dense d) {
                convolutions.dense(node, d);
            } else if (op instanceof Activation a) {
                if (build.fusedRelus.contains(node.name())) elementwise.fusedRelu(node);
                else elementwise.activation(node, a);
            } else if (op instanceof Add) {
                elementwise.add(node);
            } else if (op instanceof Mul) {
                elementwise.mul(node);
            } else if (op instanceof Pool p) {
                spatial.pool(node, p);
            } else if (op instanceof GlobalAveragePool) {
                Shape in = build.shapes.get(node.inputs().get(0));
                spatial.pool(node, new Pool(Pool.Kind.AVERAGE, in.height(), in.width(), 1, 1, new int[4], false, false));
            } else if (op instanceof Pad p) {
                if (!build.foldedPads.containsValue(node)) spatial.pad(node, p);
            } else if (op instanceof Concat) {
                layout.concat(node);
            } else if (op instanceof Flatten) {
                layout.flatten(node);
            } else {
                throw new IllegalArgumentException("the oneDNN engine has no " + op.type() + " (node " + node.name() + ")");
            }
            if (peaks && targets.contains(node.output())) readablePeaks.put(node.output(), peaksOf(node.output(), false));
        }
        List<Value> pinned = new ArrayList<>(List.of(image));
        if (peaks) {
            for (String target : targets) {
                Value[] read = readablePeaks.get(target);
                if (read == null) read = peaksOf(target, true);
                targetShapes.add(build.shapes.get(target));
                targetOut.add(read[0]);
                targetMax.add(read[1]);
                targetLayout.add(BlockedLayout.of(read[0].md()));
                maxLayout.add(read[1] == null ? null : BlockedLayout.of(read[1].md()));
                pinned.add(read[0]);
                if (read[1] != null) pinned.add(read[1]);
            }
            parts.pack(List.of(build.forward), pinned);
            return;
        }
        for (String target : targets) {
            Shape shape = build.shapes.get(target);
            dnnl_memory_desc_t plain = Dnnl.plain(dnnl_f32, build.dims(shape));
            Value out = parts.reorderIfNeeded(build.forward, build.values.get(target), plain);
            targetShapes.add(shape);
            targetOut.add(out);
            pinned.add(out);
        }
        parts.pack(List.of(build.forward), pinned);
    }

    /** The channel maxima by oneDNN's reduction primitive rather than a max pool (-Dfilterviz.scan.reduction=true). */
    static final boolean MAX_BY_REDUCTION = Boolean.getBoolean("filterviz.scan.reduction");

    private final java.util.Map<String, Value[]> readablePeaks = new java.util.HashMap<>();

    /**
     * For a target just computed (or, {@code last}, at the end of the chain): the tensor Java will read and, for an
     * image tensor, a buffer of its channel maxima filled by a reduction added to the chain now. The tensor is read
     * in its own layout when it is f32 and blocked only on N and C (nChw16c, nhwc, nchw, ...); otherwise (or when no
     * reduction takes it) through a plain copy made at the end of the chain.
     */
    private Value[] peaksOf(String target, boolean last) {
        Shape shape = build.shapes.get(target);
        Value value = build.values.get(target);
        BlockedLayout layout = BlockedLayout.of(value.md());
        boolean readable = value.dataType() == dnnl_f32 && layout != null && !layout.blocked(2) && !layout.blocked(3);
        if (!readable) {
            if (!last) return null; // a plain copy at the end, as the values are final only then
            value = parts.reorderIfNeeded(build.forward, value, Dnnl.plain(dnnl_f32, build.dims(shape)));
        }
        if (shape.vector()) return new Value[]{value, null};
        Value max;
        if (MAX_BY_REDUCTION) {
            max = parts.buffer(Dnnl.md(dnnl_f32, dnnl_abcd, batch, shape.channels(), 1, 1));
            org.bytedeco.dnnl.dnnl_reduction_desc_t desc = new org.bytedeco.dnnl.dnnl_reduction_desc_t();
            Dnnl.check(dnnl_reduction_desc_init(desc, dnnl_reduction_max, value.md(), max.md(), 0f, 0f),
                    "reduction_desc_init " + target);
            var pd = parts.desc(desc, parts.attr(), null, "reduction max " + target);
            build.forward.add(parts.primitive(pd, DNNL_ARG_SRC, value, DNNL_ARG_DST, max));
        } else {
            // a max pool over the whole plane: oneDNN's reduction is its reference code (one value at a time) here
            org.bytedeco.dnnl.dnnl_pooling_desc_t desc = new org.bytedeco.dnnl.dnnl_pooling_desc_t();
            Dnnl.check(dnnl_pooling_forward_desc_init(desc, dnnl_forward_inference, dnnl_pooling_max, value.md(),
                    Dnnl.md(dnnl_f32, dnnl_format_tag_any, batch, shape.channels(), 1, 1), new long[]{1, 1},
                    new long[]{shape.height(), shape.width()}, new long[]{0, 0}, new long[]{0, 0}),
                    "pooling_forward_desc_init (channel maxima) " + target);
            var pd = parts.desc(desc, parts.attr(), null, "pooling max (channel maxima) " + target);
            max = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
            build.forward.add(parts.primitive(pd, DNNL_ARG_SRC, value, DNNL_ARG_DST, max));
        }
        return new Value[]{value, max};
    }

    /**
     * The forward pass for up to {@code batch} images (C × H × W each, channels first); the rest of the batch keeps
     * what it held. Afterwards {@link #read} gives each target's values.
     */
    void run(Arenas arenas, dnnl_stream stream, List<float[]> images) {
        if (images.size() > batch) throw new IllegalArgumentException(images.size() + " images for a batch of " + batch);
        parts.bind(arenas);
        int imageSize = graph.inputChannels() * width * height;
        for (int b = 0; b < images.size(); b++) image.buffer().floats().position((long) b * imageSize).put(images.get(b));
        ChainParts.execute(build.forward, stream);
        Dnnl.check(dnnl_stream_wait(stream), "stream_wait");
        regionTarget = -1;
    }

    /** Peaks mode: image {@code b}'s maximum of every channel of target {@code target} (a vector's values) into {@code into}. */
    void maxima(int target, int b, float[] into) {
        Shape s = targetShapes.get(target);
        Value max = targetMax.get(target);
        if (max != null) {
            BlockedLayout m = maxLayout.get(target);
            long first = m.offset(b, 0, 0, 0), last = m.offset(b, s.channels() - 1, 0, 0);
            if (last - first == s.channels() - 1) { // channels one after another (nchw, nhwc, nChw16c with N × C × 1 × 1)
                max.buffer().floats().position(first).get(into, 0, s.channels());
            } else {
                FloatPointer all = max.buffer().floats();
                for (int c = 0; c < s.channels(); c++) into[c] = all.get(m.offset(b, c, 0, 0));
            }
            return;
        }
        BlockedLayout layout = targetLayout.get(target);
        FloatPointer values = targetOut.get(target).buffer().floats();
        for (int c = 0; c < s.channels(); c++) into[c] = values.get(layout.offset(b, c));
    }

    /**
     * Peaks mode: where channel {@code c} of image {@code b}'s target {@code target} peaks: the first position in row
     * order holding the largest value (NaNs skipped, as {@code ChannelPeaks.of} does on plain values) into
     * {@code at[0]}; returns that value, or NaN for a channel of NaNs. A vector's unit is its value, at 0.
     */
    float locate(int target, int b, int c, int[] at) {
        Shape s = targetShapes.get(target);
        BlockedLayout layout = targetLayout.get(target);
        if (s.vector()) {
            at[0] = 0;
            return targetOut.get(target).buffer().floats().get(layout.offset(b, c));
        }
        if (regionTarget != target || regionImage != b) {
            long from = layout.offset(b, 0, 0, 0), to = layout.offset(b, s.channels() - 1, s.height() - 1, s.width() - 1);
            int n = Math.toIntExact(to - from + 1);
            if (region.length < n) region = new float[n];
            targetOut.get(target).buffer().floats().position(from).get(region, 0, n);
            regionTarget = target;
            regionImage = b;
            regionStart = from;
        }
        long base = layout.offset(b, c, 0, 0);
        int start = (int) (base - regionStart);
        int sh = s.height() > 1 ? (int) (layout.offset(b, c, 1, 0) - base) : 0;
        int sw = s.width() > 1 ? (int) (layout.offset(b, c, 0, 1) - base) : 0;
        float best = Float.NEGATIVE_INFINITY;
        int best_at = 0;
        float[] r = region;
        for (int y = 0, p = 0; y < s.height(); y++) {
            for (int x = 0, i = start + y * sh; x < s.width(); x++, p++, i += sw) {
                if (r[i] > best) {
                    best = r[i];
                    best_at = p;
                }
            }
        }
        at[0] = best_at;
        return best == Float.NEGATIVE_INFINITY ? Float.NaN : best;
    }

    Shape shape(int target) { return targetShapes.get(target); }

    /** Image {@code b}'s values of target {@code target} (C × H × W, channels first) into {@code into}. */
    void read(int target, int b, float[] into) {
        Shape s = targetShapes.get(target);
        long size = (long) s.channels() * s.height() * s.width();
        targetOut.get(target).buffer().floats().position(b * size).get(into, 0, (int) size);
    }

    List<String> implementations() { return parts.implementations(); }

    @Override
    public void close() { parts.close(); }
}
