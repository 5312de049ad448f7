package io.filterviz.engine.onednn;

import io.filterviz.engine.Precision;
import io.filterviz.engine.onednn.ChainParts.Step;
import io.filterviz.engine.onednn.ChainParts.Value;
import io.filterviz.model.graph.Add;
import io.filterviz.model.graph.Binary;
import io.filterviz.model.graph.ConstantBinary;
import io.filterviz.model.graph.MatMul;
import io.filterviz.model.graph.ChannelAffine;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Pad;
import io.filterviz.model.graph.Shape;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * What the lowering of one chain shares while it is built: the graph cut at the target and its shapes at this size,
 * the plan (fusions, folded Pads, the tensors that stay f32), each tensor's value, the steps of the three passes, and
 * the gradients: each tensor's contributions, summed once every reader's backward is built.
 */
final class ChainBuild {
    final OnednnModel model;
    final ChainParts parts;
    final Graph graph;
    final String target;
    /** Every tensor Java reads after the forward pass: the target, or a scan's targets. */
    final Set<String> targets;
    /** Forward only (a scan): inference primitives, no pooling workspace, no backward pass. */
    final boolean inference;
    final TargetHead head;
    final Map<String, Shape> shapes;
    final int batch;
    /** The chain's data type (f32 or bf16). */
    final int dt;
    /** Whether the backward gives every ReLU and Clip Lucid's redirected gradient (a chain of redirected steps). */
    final boolean redirectRelus;
    /** Whether convolutions keep tensors of fewer than 16 channels in plain layout ({@link ChainKind}). */
    final boolean plainFewChannels;
    /** Tensors made from the image by per-pixel operators only: what reads them stays f32 in a bf16 chain. */
    final Set<String> imageTensors = new HashSet<>();
    /** ReLUs fused into the operator before them (their node names). */
    final Set<String> fusedRelus = new HashSet<>();
    /** Scalar Mul nodes folded into the MatMul they are the only reader of (its output scale): MatMul node → scale node. */
    final Map<String, Node> scaledMatMuls = new HashMap<>();
    /** The names of those scale nodes. */
    final Set<String> foldedScales = new HashSet<>();
    /** Zero Pad nodes folded into the convolution that is their only reader: convolution node → pad node. */
    final Map<String, Node> foldedPads = new HashMap<>();
    final Map<String, Value> values = new HashMap<>();
    final List<Step> forward = new ArrayList<>();
    final List<Step> backward = new ArrayList<>();
    final List<Step> filterLoad = new ArrayList<>();
    final List<Runnable> backwardBuilders = new ArrayList<>();
    private final Map<String, List<Value>> gradients = new HashMap<>();
    private final Map<String, Value> converted = new HashMap<>();

    /** What Java reads and writes around the steps; the target's convolution sets the filter buffers. */
    Value targetOut;
    Value seed;
    Value filterWeights;
    Value filterBias;

    ChainBuild(OnednnModel model, ChainParts parts, Graph cut, String target, int height, int width, int batch,
               ChainKind kind) {
        this(model, parts, cut, target, Set.of(target), false, TargetHead.of(cut, target), height, width, batch,
                kind.redirectRelus, kind.plainFewChannels);
    }

    /** A forward-only build computing every tensor of {@code targets} whole (a scan). */
    static ChainBuild forwardOnly(OnednnModel model, ChainParts parts, Graph cut, List<String> targets, int height,
                                  int width, int batch) {
        return new ChainBuild(model, parts, cut, null, Set.copyOf(targets), true, TargetHead.whole(), height, width, batch,
                false, true);
    }

    private ChainBuild(OnednnModel model, ChainParts parts, Graph cut, String target, Set<String> targets,
                       boolean inference, TargetHead head, int height, int width, int batch, boolean redirectRelus,
                       boolean plainFewChannels) {
        this.model = model;
        this.parts = parts;
        this.graph = cut;
        this.target = target;
        this.targets = targets;
        this.inference = inference;
        this.head = head;
        this.shapes = cut.shapes(height, width);
        this.batch = batch;
        this.redirectRelus = redirectRelus;
        this.plainFewChannels = plainFewChannels;
        this.dt = model.precision() == Precision.BF16 ? dnnl_bf16 : dnnl_f32;
        plan();
    }

    /** Decides the fusions and the tensors that stay f32 in a bf16 chain, before any primitive is built. */
    private void plan() {
        imageTensors.add(graph.input());
        for (Node node : graph.nodes()) {
            boolean weighted = node.op() instanceof Conv || node.op() instanceof Dense;
            if (!weighted && imageTensors.containsAll(node.inputs())) imageTensors.add(node.output());
            List<Node> readers = graph.consumers(node.output());
            boolean notTarget = !targets.contains(node.output());
            boolean fuses = node.op() instanceof Conv || node.op() instanceof ChannelAffine || node.op() instanceof Add;
            if (fuses && notTarget && readers.size() == 1
                    && TargetHead.isPlainRelu(readers.get(0).op())) {
                if (!(head.oneChannel() && head.after().contains(readers.get(0)))) fusedRelus.add(readers.get(0).name());
            }
            if (node.op() instanceof MatMul && notTarget && readers.size() == 1 && isScale(readers.get(0))
                    && shapes.get(readers.get(0).output()).equals(shapes.get(node.output()))) {
                scaledMatMuls.put(node.name(), readers.get(0));
                foldedScales.add(readers.get(0).name());
            }
            if (node.op() instanceof Pad p && p.value() == 0f && notTarget && readers.size() == 1
                    && readers.get(0).op() instanceof Conv && p.pads()[0] >= 0 && p.pads()[1] >= 0 && p.pads()[2] >= 0
                    && p.pads()[3] >= 0) {
                foldedPads.put(readers.get(0).name(), node);
            }
        }
    }

    /** x · c by a scalar constant c. */
    private static boolean isScale(Node node) {
        return node.op() instanceof ConstantBinary c && c.values().length == 1 && c.kind() == Binary.Kind.MUL;
    }

    /** The factor of such a node. */
    static float scaleOf(Node node) { return ((ConstantBinary) node.op()).values()[0]; }

    /** oneDNN's propagation kind of the forward primitives. */
    int forwardKind() {
        return inference ? dnnl_forward_inference : dnnl_forward_training;
    }

    /** Whether the ReLU that is the node's only reader is fused into it (a post-op). */
    boolean fusesRelu(Node node) {
        List<Node> readers = graph.consumers(node.output());
        return readers.size() == 1 && fusedRelus.contains(readers.get(0).name());
    }

    /** f32 for what reads the image (or per-pixel maps of it), else the chain's type. */
    int computeType(String input) {
        return imageTensors.contains(input) ? dnnl_f32 : dt;
    }

    void contribute(String tensor, Value gradient) {
        gradients.computeIfAbsent(tensor, t -> new ArrayList<>()).add(gradient);
    }

    /**
     * Whether {@code gradient}, the complete gradient of {@code tensor}, is memory no other gradient shares (an Add
     * hands one buffer to both its inputs, a reshape a view) and not the seed Java writes: then a backward step may
     * overwrite it.
     */
    boolean ownsGradient(String tensor, Value gradient) {
        ChainParts.Buffer root = gradient.buffer().root;
        if (gradient == seed || root.fixed != null || root.scratch) return false;
        for (Map.Entry<String, List<Value>> e : gradients.entrySet()) {
            for (Value v : e.getValue()) {
                if (v.buffer().root == root && !(e.getKey().equals(tensor) && v == gradient)) return false;
            }
        }
        return true;
    }

    /** The gradient of a tensor, complete once every reader's backward is built: one part, or the sum of them. */
    Value gradientOf(String tensor) {
        List<Value> contributions = gradients.get(tensor);
        if (contributions == null || contributions.isEmpty()) return null;
        if (contributions.size() == 1) return contributions.get(0);
        dnnl_memory_desc_t md = contributions.get(0).md();
        if (md.offset0() != 0 || md.format_kind() != dnnl_blocked) md = Dnnl.plain(md.data_type(), Dnnl.dims(md));
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

    static Object[] multipleSources(List<Value> sources, Value dst) {
        Object[] args = new Object[2 * sources.size() + 2];
        for (int i = 0; i < sources.size(); i++) {
            args[2 * i] = DNNL_ARG_MULTIPLE_SRC + i;
            args[2 * i + 1] = sources.get(i);
        }
        args[args.length - 2] = DNNL_ARG_DST;
        args[args.length - 1] = dst;
        return args;
    }

    /** oneDNN's dimensions of a tensor: the batch, then the shape's (N × C × H × W for an image, N × C for a vector). */
    long[] dims(Shape s) {
        long[] dims = new long[s.rank() + 1];
        dims[0] = batch;
        for (int a = 0; a < s.rank(); a++) dims[a + 1] = s.dim(a);
        return dims;
    }

    /** Tensor {@code tensor} in plain (row-major) layout and type {@code type}: itself, a view, or one reorder in the forward pass. */
    Value plain(String tensor, int type) {
        return as(tensor, Dnnl.plain(type, dims(shapes.get(tensor))), forward);
    }

    /**
     * Tensor {@code tensor} in layout {@code md}: itself, or a reorder of it, made once however many readers want
     * that layout.
     */
    Value as(String tensor, dnnl_memory_desc_t md, List<Step> into) {
        Value v = values.get(tensor);
        if (Dnnl.same(v.md(), md)) return v;
        String key = tensor + "\u0000" + java.util.HexFormat.of().formatHex(Dnnl.key(md).array());
        Value done = converted.get(key);
        if (done == null) {
            done = parts.reorderInto(into, v, md);
            converted.put(key, done);
        }
        return done;
    }

    /** Builds the backward steps, readers before the nodes they read (the reverse of the forward order). */
    void buildBackward() {
        for (int i = backwardBuilders.size() - 1; i >= 0; i--) backwardBuilders.get(i).run();
    }
}
