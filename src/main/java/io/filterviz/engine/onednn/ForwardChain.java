package io.filterviz.engine.onednn;

import io.filterviz.engine.onednn.ChainParts.Value;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Shape;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * The forward pass alone, for one (image size, batch): the graph cut at several targets, inference primitives (no
 * pooling workspace, no backward), a ReLU fused where nothing but it reads a tensor that is not a target, and each
 * target reordered into a plain channels-first f32 buffer that Java reads after the pass; or, in peaks mode, right
 * after each target's layer a max pool over the whole plane that gives every channel's maximum and where it is, the
 * target left in its own layout for the odd value Java reads. What a scan of a collection runs; the ascent's
 * {@link PrimitiveChain} is the same lowering with a backward pass.
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
    /** In peaks mode: per target, where each channel's maximum is (the max pool's workspace), or null for a vector. */
    private final List<Value> targetWhere = new ArrayList<>();
    private final List<BlockedLayout> whereLayout = new ArrayList<>();
    private final boolean peaks;
    private ChainBuild build;
    private Value image;
    /** In peaks mode: per target, a view of its native values, made on first use after a run. */
    private java.nio.FloatBuffer[] direct;

    ForwardChain(OnednnModel model, Graph cut, List<String> targets, int width, int height, int batch) {
        this(model, cut, targets, width, height, batch, false);
    }

    /**
     * @param peaks whether Java reads each target's channel maxima and their positions ({@link #maxima},
     *              {@link #positions}: a oneDNN max pool right after the layer, while its output is in cache) and the
     *              odd value from the layout the layer left ({@link #valueAt}, {@link #locate}), rather than every
     *              value in plain layout ({@link #read})
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
        GraphLowering lowering = new GraphLowering(build);
        image = parts.buffer(Dnnl.md(dnnl_f32, dnnl_nchw, batch, graph.inputChannels(), height, width));
        build.values.put(graph.input(), image);
        for (Node node : graph.nodes()) {
            lowering.lower(node);
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
                targetWhere.add(read.length > 2 ? read[2] : null);
                whereLayout.add(read.length > 2 ? BlockedLayout.of(read[2].md()) : null);
                pinned.add(read[0]);
                for (int i = 1; i < read.length; i++) if (read[i] != null) pinned.add(read[i]);
            }
            parts.pack(List.of(build.forward), pinned);
            direct = new java.nio.FloatBuffer[targets.size()];
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

    /** Positions searched in Java, and target tensors viewed from Java, in this JVM (the bench reports them). */
    static final java.util.concurrent.atomic.LongAdder LOCATES = new java.util.concurrent.atomic.LongAdder(),
            VIEWS = new java.util.concurrent.atomic.LongAdder();

    private final java.util.Map<String, Value[]> readablePeaks = new java.util.HashMap<>();

    /**
     * For a target just computed (or, {@code last}, at the end of the chain): the tensor Java will read and, for an
     * image tensor, the buffers of its channel maxima and their positions, filled by a max pool added to the chain
     * now. The tensor is read in its own layout when it is f32 and blocked only on N and C (nChw16c, nhwc, nchw, ...);
     * otherwise through a plain copy made at the end of the chain.
     */
    private Value[] peaksOf(String target, boolean last) {
        Shape shape = build.shapes.get(target);
        Value value = build.values.get(target);
        BlockedLayout layout = BlockedLayout.of(value.md());
        boolean readable = value.dataType() == dnnl_f32 && layout != null && !layout.blocked(2) && !layout.blocked(3);
        if (!shape.planar()) { // tokens, channels-last planes: read plain, each unit's maximum found in Java
            if (!last) return null;
            return new Value[]{parts.reorderIfNeeded(build.forward, value, Dnnl.plain(dnnl_f32, build.dims(shape))), null};
        }
        if (!readable) {
            if (!last) return null; // a plain copy at the end, as the values are final only then
            value = parts.reorderIfNeeded(build.forward, value, Dnnl.plain(dnnl_f32, build.dims(shape)));
        }
        if (shape.vector()) return new Value[]{value, null};
        // A max pool over the whole plane (oneDNN 2.5's reduction primitive is its reference code here, 10x slower).
        // Its training form also writes where each maximum is (the workspace): the first in row order, as Java's
        // search, which it replaces.
        org.bytedeco.dnnl.dnnl_pooling_desc_t desc = new org.bytedeco.dnnl.dnnl_pooling_desc_t();
        Dnnl.check(dnnl_pooling_forward_desc_init(desc, dnnl_forward_training, dnnl_pooling_max, value.md(),
                Dnnl.md(dnnl_f32, dnnl_format_tag_any, batch, shape.channels(), 1, 1), new long[]{1, 1},
                new long[]{shape.height(), shape.width()}, new long[]{0, 0}, new long[]{0, 0}),
                "pooling_forward_desc_init (channel maxima) " + target);
        var pd = parts.desc(desc, parts.attr(), null, "pooling max (channel maxima) " + target);
        Value max = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        Value where = parts.buffer(Dnnl.query(pd, dnnl_query_workspace_md));
        build.forward.add(parts.primitive(pd, DNNL_ARG_SRC, value, DNNL_ARG_DST, max, DNNL_ARG_WORKSPACE, where));
        return new Value[]{value, max, where};
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
        if (peaks) java.util.Arrays.fill(direct, null); // the arena may have moved the buffers
    }

    /** Peaks mode: image {@code b}'s maximum of every channel of target {@code target} (a vector's values) into {@code into}. */
    void maxima(int target, int b, float[] into) {
        Shape s = targetShapes.get(target);
        Value max = targetMax.get(target);
        if (!s.planar()) {
            int[] at = new int[1];
            for (int c = 0; c < s.channels(); c++) into[c] = locate(target, b, c, at);
            return;
        }
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
     * Peaks mode: image {@code b}'s position (y × width + x) of every channel's maximum of target {@code target}, as
     * the max pool found it, into {@code into}; false for a vector (no positions).
     */
    boolean positions(int target, int b, int[] into) {
        Value where = targetWhere.get(target);
        if (where == null) return false;
        Shape s = targetShapes.get(target);
        BlockedLayout layout = whereLayout.get(target);
        Pointer p = where.buffer().pointer();
        if (where.dataType() == dnnl_u8) {
            java.nio.ByteBuffer bytes = new org.bytedeco.javacpp.BytePointer(p).capacity(where.buffer().bytes)
                    .limit(where.buffer().bytes).asByteBuffer();
            for (int c = 0; c < s.channels(); c++) into[c] = bytes.get((int) layout.offset(b, c, 0, 0)) & 0xFF;
        } else if (where.dataType() == dnnl_s32) {
            java.nio.IntBuffer ints = new org.bytedeco.javacpp.IntPointer(p).capacity(where.buffer().bytes / 4)
                    .limit(where.buffer().bytes / 4).asBuffer();
            for (int c = 0; c < s.channels(); c++) into[c] = ints.get((int) layout.offset(b, c, 0, 0));
        } else {
            throw new IllegalStateException("a max pool workspace of data type " + where.dataType());
        }
        return true;
    }

    /** Peaks mode: the value at (y × width + x) {@code position} of channel {@code c} of image {@code b}'s target. */
    float valueAt(int target, int b, int c, int position) {
        Shape s = targetShapes.get(target);
        if (!s.planar()) return view(target).get((int) (b * s.size() + flatIndex(s, c, position)));
        if (s.vector()) return targetOut.get(target).buffer().floats().get(targetLayout.get(target).offset(b, c));
        return view(target).get((int) targetLayout.get(target).offset(b, c, position / s.width(), position % s.width()));
    }

    private java.nio.FloatBuffer view(int target) {
        java.nio.FloatBuffer values = direct[target];
        if (values == null) { // a view of the native tensor: an absolute get is a plain load, no copy, no JNI call
            values = targetOut.get(target).buffer().floats().asBuffer();
            direct[target] = values;
            VIEWS.increment();
        }
        return values;
    }

    /**
     * Peaks mode: where channel {@code c} of image {@code b}'s target {@code target} peaks: the first position in row
     * order holding the largest value (NaNs skipped, as {@code ChannelPeaks.of} does on plain values) into
     * {@code at[0]}; returns that value, or NaN for a channel of NaNs. A vector's unit is its value, at 0.
     */
    float locate(int target, int b, int c, int[] at) {
        LOCATES.increment();
        Shape s = targetShapes.get(target);
        BlockedLayout layout = targetLayout.get(target);
        if (s.vector()) {
            at[0] = 0;
            return targetOut.get(target).buffer().floats().get(layout.offset(b, c));
        }
        if (!s.planar()) { // plain: position p is the p-th value of unit c in row order
            java.nio.FloatBuffer values = view(target);
            long base = b * s.size();
            float best = Float.NEGATIVE_INFINITY;
            int bestAt = 0;
            for (int p = 0, n = (int) s.positions(); p < n; p++) {
                float v = values.get((int) (base + flatIndex(s, c, p)));
                if (v > best) {
                    best = v;
                    bestAt = p;
                }
            }
            at[0] = bestAt;
            return best == Float.NEGATIVE_INFINITY ? Float.NaN : best;
        }
        java.nio.FloatBuffer values = view(target);
        long base = layout.offset(b, c, 0, 0);
        int start = (int) base;
        int sh = s.height() > 1 ? (int) (layout.offset(b, c, 1, 0) - base) : 0;
        int sw = s.width() > 1 ? (int) (layout.offset(b, c, 0, 1) - base) : 0;
        float best = Float.NEGATIVE_INFINITY;
        int best_at = 0;
        for (int y = 0, p = 0; y < s.height(); y++) {
            for (int x = 0, i = start + y * sh; x < s.width(); x++, p++, i += sw) {
                float v = values.get(i);
                if (v > best) {
                    best = v;
                    best_at = p;
                }
            }
        }
        at[0] = best_at;
        return best == Float.NEGATIVE_INFINITY ? Float.NaN : best;
    }

    Shape shape(int target) { return targetShapes.get(target); }

    /** Image {@code b}'s values of target {@code target} (C × H × W, channels first) into {@code into}. */
    /** The row-major index of unit {@code c}'s {@code position}-th value (the other axes in row order) in a tensor of {@code s}. */
    private static long flatIndex(Shape s, int c, long position) {
        long inner = s.inner();
        return (position / inner * s.channels() + c) * inner + position % inner;
    }

    void read(int target, int b, float[] into) {
        Shape s = targetShapes.get(target);
        long size = s.size();
        targetOut.get(target).buffer().floats().position(b * size).get(into, 0, (int) size);
    }

    List<String> implementations() { return parts.implementations(); }

    @Override
    public void close() { parts.close(); }
}
