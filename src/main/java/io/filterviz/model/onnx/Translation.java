package io.filterviz.model.onnx;

import io.filterviz.model.graph.GraphBuilder;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.ModelException;
import io.filterviz.model.graph.Op;
import io.filterviz.model.graph.Shape;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.ValueInfoProto;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX graph's translation so far, what the translators read and write: the constants (initializers, Constant
 * nodes, shape computations), the aliases (a pass-through's output names its input), what is known of each computed
 * tensor, and the graph being built.
 */
final class Translation {
    private final int opset;
    private final GraphProto proto;
    private final ExternalData external;
    private final boolean weights;
    private final OnnxLoader.Input input;
    private final Map<String, Constant> constants;
    private final Map<String, String> aliases = new HashMap<>();
    private final Map<String, TensorInfo> infos = new HashMap<>();
    /** How many nodes of the whole file (read or skipped) and graph outputs read each tensor. */
    private final Map<String, Integer> readers = new HashMap<>();
    private final Set<String> nodeNames = new HashSet<>();
    private final GraphBuilder graph;

    /**
     * @param constants the initializers; the translation adds the constants it computes
     * @param external  where external data lies (null: the model came as bytes, without a folder)
     * @param weights   false: convolutions and dense layers get no weights (the structure, for listings and checks)
     */
    Translation(int opset, GraphProto proto, ExternalData external, boolean weights, OnnxLoader.Input input,
                Map<String, Constant> constants) {
        this.opset = opset;
        this.proto = proto;
        this.external = external;
        this.weights = weights;
        this.input = input;
        this.constants = constants;
        this.graph = new GraphBuilder(input.name(), input.channels(), input.height(), input.width());
        infos.put(input.name(), new TensorInfo(4, input.channels(), false));
        for (NodeProto n : proto.getNodeList()) {
            for (String in : n.getInputList()) readers.merge(in, 1, Integer::sum);
        }
        for (ValueInfoProto out : proto.getOutputList()) readers.merge(out.getName(), 1, Integer::sum);
    }

    int opset() { return opset; }

    boolean weights() { return weights; }

    ExternalData external() { return external; }

    OnnxLoader.Input input() { return input; }

    GraphBuilder graph() { return graph; }

    /** The node's name, made unique: its own, or {@code <OpType>_<index>} where it has none. */
    String uniqueName(NodeProto n, int index) {
        String base = n.getName().isEmpty() ? n.getOpType() + "_" + index : n.getName();
        String name = base;
        for (int k = 2; !nodeNames.add(name); k++) name = base + "_" + k;
        return name;
    }

    // ---- constants ----

    boolean isConstant(String tensor) { return constants.containsKey(tensor); }

    Constant constant(String tensor) { return constants.get(tensor); }

    void putConstant(String tensor, Constant value) { constants.put(tensor, value); }

    Constant constantInput(OnnxNode n, int i, String role) {
        if (n.inputCount() <= i || n.input(i).isEmpty()) throw n.fail("has no " + role + " input");
        Constant c = constants.get(n.input(i));
        if (c == null) throw n.fail("computes its " + role + " (" + n.input(i) + "); only an initializer or a Constant is supported");
        return c;
    }

    float scalar(OnnxNode n, Constant c) {
        if (c.size() != 1) throw n.fail("has a non-scalar bound " + Arrays.toString(c.dims()));
        return c.floats()[0];
    }

    /** The refusal of an operator, or form of one, evaluated only on constants ({@link ConstantEvaluator}). */
    ModelException computedInput(OnnxNode n) {
        String in = n.inputs().stream().filter(i -> !i.isEmpty() && !constants.containsKey(i)).findFirst().orElse("?");
        return n.fail("on the computed tensor " + in + " is not supported; it is evaluated only on constants (shape computations)");
    }

    // ---- computed tensors ----

    /** Input {@code i}: a tensor computed at run time, followed through Identity and Dropout. */
    String runtime(OnnxNode n, int i) {
        String name = n.input(i);
        if (constants.containsKey(name)) throw n.fail("takes the constant " + name + " as input " + i + "; a computed tensor is supported there");
        String resolved = aliases.getOrDefault(name, name);
        if (!infos.containsKey(resolved)) {
            throw n.fail("reads " + name + ", which no supported node computes before it");
        }
        return resolved;
    }

    /** {@code tensor} is {@code target} under another name: nothing computes it. */
    void alias(String tensor, String target) { aliases.put(tensor, target); }

    TensorInfo info(String tensor) { return infos.get(tensor); }

    /** What is known of {@code tensor}, which a rewrite made some node write. */
    void setInfo(String tensor, TensorInfo info) { infos.put(tensor, info); }

    /** Adds a node named as {@code n}, writing its first output. */
    void emit(OnnxNode n, Op op, List<String> inputs, TensorInfo info) {
        add(n.name(), op, inputs, n.output(0), info);
    }

    /** Adds a node of a name and output of the reader's own (a second node for one ONNX node). */
    void add(String name, Op op, List<String> inputs, String output, TensorInfo info) {
        graph.add(new Node(name, op, inputs, output));
        infos.put(output, info);
        nodeNames.add(name);
    }

    /** Whether exactly one node (or graph output) reads {@code tensor}, through Identity and Dropout: it may fold. */
    boolean readOnce(String tensor) {
        int count = readers.getOrDefault(tensor, 0);
        for (Map.Entry<String, String> alias : aliases.entrySet()) {
            if (alias.getValue().equals(tensor)) count += readers.getOrDefault(alias.getKey(), 0) - 1;
        }
        return count == 1;
    }

    /** Channel count of {@code x}, from the fixed input size when the reader could not follow it by itself. */
    int channelsOf(OnnxNode n, String x, TensorInfo in) {
        if (in.channels() >= 0) return in.channels();
        if (input.height() > 0) return graph.shape(x).channels();
        throw n.fail("needs the unit count of " + x + ", which depends on the input size");
    }

    /** Refuses a node whose second or later output some node reads. */
    void unusedExtraOutputs(OnnxNode n) {
        for (int i = 1; i < n.outputCount(); i++) {
            String out = n.output(i);
            if (!out.isEmpty() && proto.getNodeList().stream().anyMatch(other -> other.getInputList().contains(out))) {
                throw n.fail("output " + i + " (" + out + ") is used; only the first output is supported");
            }
        }
    }

    /** The shape of {@code x} at the network's fixed input size. */
    Shape fixedShape(String x) { return graph.shape(x); }

    /** Probe sizes of a free-size network: two, so that what depends on the size differs between them. */
    static final int[][] PROBES = {{224, 256}, {288, 320}};

    /** The graph's shape of {@code x}: at the fixed input size, else at the first probe size. */
    Shape probeShape(OnnxNode n, String x) { return probeShapes(n, x)[0]; }

    /** The graph's shape of {@code x} at the fixed size (one), or at both probe sizes. */
    Shape[] probeShapes(OnnxNode n, String x) {
        try {
            if (graph.fixedSize()) return new Shape[]{graph.shape(x)};
            return new Shape[]{graph.shapeAt(x, PROBES[0][0], PROBES[0][1]), graph.shapeAt(x, PROBES[1][0], PROBES[1][1])};
        } catch (io.filterviz.model.graph.ShapeException e) {
            throw n.fail("cannot be placed: " + e.getMessage());
        }
    }

    /** ONNX's dimensions of {@code x} (its batch of one included where it is left out), at the fixed or first probe size. */
    long[] onnxDims(OnnxNode n, String x) {
        Shape s = probeShape(n, x);
        boolean batched = infos.get(x).batched();
        long[] dims = new long[s.rank() + (batched ? 1 : 0)];
        if (batched) dims[0] = 1;
        for (int a = 0; a < s.rank(); a++) dims[a + (batched ? 1 : 0)] = s.dim(a);
        return dims;
    }

    /** Adds a node whose output is a tensor of any rank; what is known of it follows from its shape. */
    void emitTensor(String name, Op op, List<String> inputs, String output, boolean batched, OnnxNode n) {
        graph.add(new Node(name, op, inputs, output));
        nodeNames.add(name);
        Shape s = probeShape(n, output);
        boolean planar = batched && s.planar();
        int rank = s.rank() + (batched ? 1 : 0);
        infos.put(output, new TensorInfo(rank, planar ? s.channels() : -1, false, planar, batched));
    }

    /** A node name of the reader's own, derived from {@code n}'s and unique. */
    String derivedName(OnnxNode n, String suffix) {
        String name = n.name() + "/" + suffix;
        for (int k = 2; nodeNames.contains(name); k++) name = n.name() + "/" + suffix + "_" + k;
        return name;
    }
}
