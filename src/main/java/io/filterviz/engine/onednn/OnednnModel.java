package io.filterviz.engine.onednn;

import io.filterviz.engine.CompiledModel;
import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.Precision;
import io.filterviz.model.graph.ChannelAffine;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * The network for oneDNN: the graph, its weights as plain f32 arrays, and, built on demand and shared by every task
 * of the JVM, each weighted node's weights reordered into the blocked layout (and data type) its primitives ask
 * for. A per-channel affine runs as a 1×1 convolution (depthwise, or a channel permutation), so it is given
 * convolution weights here. Read-only once built, so threads share it; each objective builds its own chains.
 */
public final class OnednnModel implements CompiledModel {
    private final Graph graph;
    private final Precision precision;
    private final ConvolutionChoice choice;
    private final String deepest;
    private final Map<String, Conv> convs = new HashMap<>();
    private final Map<String, Dense> denses = new HashMap<>();
    private final dnnl_engine engine;
    private final boolean winogradAvailable;
    private final Map<WeightsKey, NativeBuffer> reordered = new ConcurrentHashMap<>();
    private final Map<String, NativeBuffer> biasBuffers = new ConcurrentHashMap<>();

    OnednnModel(Graph graph, Precision precision, ConvolutionChoice choice) {
        if (graph.nodes().isEmpty()) throw new IllegalArgumentException(graph.name() + " has no nodes");
        this.graph = graph;
        this.precision = precision;
        this.choice = choice;
        List<Node> nodes = graph.nodes();
        this.deepest = nodes.get(nodes.size() - 1).output();
        for (Node node : nodes) {
            if (node.op() instanceof Conv c) convs.put(node.name(), c);
            else if (node.op() instanceof ChannelAffine a) convs.put(node.name(), asConvolution(a));
            else if (node.op() instanceof Dense d) denses.put(node.name(), d);
        }
        engine = Dnnl.cpuEngine();
        winogradAvailable = Dnnl.hasWinograd(engine);
    }

    @Override
    public FilterObjective newObjective(String layer, int threads) {
        String target = graph.resolve(layer).orElseThrow(
                () -> new IllegalArgumentException(layer + " is not a tensor or node of " + graph.name()));
        if (target.equals(graph.input())) throw new IllegalArgumentException(layer + " is the input, not a layer");
        return new OnednnFilterObjective(this, graph.upTo(target), target, threads);
    }

    /**
     * Forward passes to {@code targets} (tensors of the graph) for one thread at a time, on {@code threads} OpenMP
     * threads (0: OpenMP's default): what a scan of a collection runs.
     */
    public OnednnForward newForward(List<String> targets, int threads) {
        if (targets.isEmpty()) throw new IllegalArgumentException("no target tensor");
        for (String t : targets) {
            if (!graph.hasTensor(t) || t.equals(graph.input())) {
                throw new IllegalArgumentException(t + " is not a layer's tensor of " + graph.name());
            }
        }
        return new OnednnForward(this, graph, targets, threads);
    }

    @Override
    public String deepest() { return deepest; }

    Precision precision() { return precision; }

    ConvolutionChoice choice() { return choice; }

    /** Whether this CPU has oneDNN's Winograd (AVX-512); without it every convolution is direct, whatever the choice. */
    boolean winogradAvailable() { return winogradAvailable; }

    dnnl_engine engine() { return engine; }

    /** The convolution a node runs as: its own, or its affine's (1×1). */
    Conv conv(String node) {
        Conv c = convs.get(node);
        if (c == null) throw new IllegalArgumentException(node + " is not a convolution");
        return c;
    }

    /**
     * The node's weights (a convolution's OIHW or GOIHW, a dense layer's out × in or out × C × H × W) in the
     * layout {@code md} (a primitive's choice), reordered once per JVM and layout: the chains of every size and
     * task that agree on a layout share one copy.
     */
    NativeBuffer weights(String node, dnnl_memory_desc_t md) {
        return reordered.computeIfAbsent(new WeightsKey(node, Dnnl.key(md)), k -> reorderWeights(node, md));
    }

    /**
     * A dense layer's weights as the right operand of a matmul (in × out, {@code md}'s dimensions), from the layer's
     * out × in array: the Linear applied to every token. Cached apart from the inner product's (out × in) layouts,
     * which could have the same descriptor when in = out.
     */
    NativeBuffer matmulWeights(String node, dnnl_memory_desc_t md) {
        return reordered.computeIfAbsent(new WeightsKey(node + "\u0000in×out", Dnnl.key(md)), k -> {
            long[] dims = Dnnl.dims(md);
            return reorderFrom(node, denses.get(node).weights(), Dnnl.md(dnnl_f32, dnnl_ba, dims), md);
        });
    }

    /**
     * A node's constant ({@code what}: a LayerNorm's scale or shift, a ConstantBinary's values) in layout and type
     * {@code md}, whose dimensions hold the values row-major; reordered once per JVM and layout.
     */
    NativeBuffer constant(String node, String what, float[] values, dnnl_memory_desc_t md) {
        return reordered.computeIfAbsent(new WeightsKey(node + "\u0000" + what, Dnnl.key(md)),
                k -> reorderFrom(node, values, Dnnl.plain(dnnl_f32, Dnnl.dims(md)), md));
    }

    /** The node's biases, f32 (oneDNN takes f32 biases in bf16 primitives too). */
    NativeBuffer biasBuffer(String node) {
        return biasBuffers.computeIfAbsent(node, n -> {
            float[] b = convs.containsKey(n) ? convs.get(n).bias() : denses.get(n).bias();
            NativeBuffer buffer = new NativeBuffer((long) b.length * Float.BYTES);
            buffer.floats().put(b);
            return buffer;
        });
    }

    private NativeBuffer reorderWeights(String node, dnnl_memory_desc_t to) {
        float[] values = convs.containsKey(node) ? convs.get(node).weights() : denses.get(node).weights();
        // Our arrays are row-major in the primitive's own dimensions (OIHW, GOIHW, OI), so the plain layout of
        // those dimensions is theirs.
        return reorderFrom(node, values, Dnnl.plain(dnnl_f32, Dnnl.dims(to)), to);
    }

    /** {@code values}, laid out as {@code from} says (f32), reordered into new memory of layout {@code to}. */
    private NativeBuffer reorderFrom(String node, float[] values, dnnl_memory_desc_t from, dnnl_memory_desc_t to) {
        if (Dnnl.bytes(from) != (long) values.length * Float.BYTES) {
            throw new IllegalStateException(node + ": " + values.length + " weights for a layout of " + Dnnl.bytes(from) + " bytes");
        }
        NativeBuffer result = new NativeBuffer(Dnnl.bytes(to));
        try (NativeBuffer plain = new NativeBuffer(Dnnl.bytes(from))) {
            plain.floats().put(values);
            reorder(from, plain, to, result);
        } catch (RuntimeException e) {
            result.close();
            throw e;
        }
        return result;
    }

    /** A one-off reorder (weights at build time), on its own stream. */
    void reorder(dnnl_memory_desc_t fromMd, NativeBuffer from, dnnl_memory_desc_t toMd, NativeBuffer to) {
        dnnl_primitive_desc pd = Dnnl.reorderDesc(fromMd, toMd, engine, null);
        dnnl_primitive p = null;
        dnnl_memory src = null, dst = null;
        dnnl_stream stream = null;
        try {
            p = Dnnl.primitive(pd);
            src = Dnnl.memory(fromMd, engine);
            dst = Dnnl.memory(toMd, engine);
            stream = Dnnl.stream(engine);
            Dnnl.bind(src, from.pointer());
            Dnnl.bind(dst, to.pointer());
            Dnnl.execute(p, stream, 2, Dnnl.args(new int[]{DNNL_ARG_FROM, DNNL_ARG_TO}, new dnnl_memory[]{src, dst}));
            Dnnl.check(dnnl_stream_wait(stream), "stream_wait");
        } finally {
            if (stream != null) dnnl_stream_destroy(stream);
            if (src != null) dnnl_memory_destroy(src);
            if (dst != null) dnnl_memory_destroy(dst);
            if (p != null) dnnl_primitive_destroy(p);
            dnnl_primitive_desc_destroy(pd);
        }
    }

    /** Native buffers this model caches (reordered weights, biases): bounded by layers × layouts, not by filters. */
    int cachedBuffers() { return reordered.size() + biasBuffers.size(); }

    /**
     * {@code y[c] = x[source[c]]·scale[c] + shift[c]} as a 1×1 convolution: depthwise (one weight per channel)
     * when no channel moves, else a C×C matrix with one weight per row (a preprocessing's RGB → BGR).
     */
    static Conv asConvolution(ChannelAffine a) {
        int c = a.channels();
        int[] noPads = new int[4];
        boolean identity = true;
        for (int i = 0; i < c; i++) identity &= a.source()[i] == i;
        if (identity) return new Conv(c, c, 1, 1, 1, 1, noPads, null, 1, 1, c, a.scale().clone(), a.shift().clone());
        float[] matrix = new float[c * c];
        for (int i = 0; i < c; i++) matrix[i * c + a.source()[i]] = a.scale()[i];
        return new Conv(c, c, 1, 1, 1, 1, noPads, null, 1, 1, 1, matrix, a.shift().clone());
    }

    private record WeightsKey(String node, ByteBuffer layout) {}
}
