package io.filterviz.model.onnx;

import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.ModelException;
import io.filterviz.model.graph.ShapeException;
import io.filterviz.text.OneLine;
import onnx.Onnx.GraphProto;
import onnx.Onnx.TensorProto;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One pass over an ONNX graph's nodes (ONNX requires topological order), each handed to the {@link OnnxTranslator}
 * of its operator ({@link OnnxTranslators}), which turns it into graph nodes, constants or aliases of the
 * {@link Translation}.
 */
final class OnnxGraphReader {
    private final String file;
    private final int opset;
    private final GraphProto proto;
    private final ExternalData external;
    private final boolean weights;
    private final Set<Integer> needed;
    private final Map<String, Constant> constants = new HashMap<>();

    /**
     * @param external where external data lies (null: the model came as bytes, without a folder)
     * @param weights  false: convolutions and dense layers get no weights (the structure, for listings and checks)
     * @param needed   the nodes to read (the others are skipped), null for all
     */
    OnnxGraphReader(String file, int opset, GraphProto proto, ExternalData external, boolean weights, Set<Integer> needed) {
        this.file = file;
        this.opset = opset;
        this.proto = proto;
        this.external = external;
        this.weights = weights;
        this.needed = needed;
        for (TensorProto t : proto.getInitializerList()) {
            try {
                constants.put(t.getName(), Constant.of(t, "initializer " + t.getName(), external));
            } catch (IllegalArgumentException e) {
                throw new ModelException("model file " + file + ": " + e.getMessage());
            }
        }
    }

    /** The heap the initializers read by the nodes to read take once decoded: the total, and the largest one. */
    long[] weightBytes() {
        Set<String> seen = new HashSet<>();
        long total = 0, largest = 0;
        for (int i = 0; i < proto.getNodeCount(); i++) {
            if (needed != null && !needed.contains(i)) continue;
            for (String in : proto.getNode(i).getInputList()) {
                Constant c = constants.get(in);
                if (c == null || !seen.add(in)) continue;
                total += c.heapBytes();
                largest = Math.max(largest, c.heapBytes());
            }
        }
        return new long[]{total, largest};
    }

    /**
     * The constants: the initializers, and after {@link #read} also every constant the translation computed (Constant
     * nodes, shapes, {@link ConstantEvaluator}'s outputs), by tensor name. A read-only view, for tests that hold the
     * evaluated constants to an independent evaluation (ConstantSubgraphsTest).
     */
    Map<String, Constant> constants() { return java.util.Collections.unmodifiableMap(constants); }

    Graph read(String graphName, OnnxLoader.Input input) {
        Translation translation = new Translation(opset, proto, external, weights, input, constants);
        for (int i = 0; i < proto.getNodeCount(); i++) {
            // Skipped nodes still take their names, so the nodes read are named as in the whole graph
            String name = translation.uniqueName(proto.getNode(i), i);
            if (needed != null && !needed.contains(i)) continue;
            OnnxNode node = new OnnxNode(file, proto.getNode(i), name);
            try {
                if (ConstantEvaluator.evaluates(node, translation)) ConstantEvaluator.evaluate(node, translation);
                else translator(node, translation).translate(node, translation);
            } catch (IllegalArgumentException | IndexOutOfBoundsException | ShapeException e) {
                throw node.fail("cannot be read: " + OneLine.of(e));
            }
        }
        if (translation.graph().isEmpty()) {
            throw new ModelException("model file " + file + " has no operator filterviz can run on its input " + input.name());
        }
        try {
            return io.filterviz.model.graph.WrittenOutFusions.apply(translation.graph().build(graphName), java.util.Set.of());
        } catch (IllegalArgumentException e) {
            throw new ModelException("model file " + file + ": " + OneLine.of(e));
        }
    }

    private static OnnxTranslator translator(OnnxNode n, Translation t) {
        String domain = n.domain();
        if (!domain.isEmpty() && !domain.equals("ai.onnx")) {
            throw n.fail("from operator domain '" + domain + "' is not supported; supported: ONNX's default domain with "
                    + OnnxTranslators.SUPPORTED);
        }
        OnnxTranslator translator = OnnxTranslators.forOpType(n.opType());
        if (translator == null && ConstantEvaluator.OPS.contains(n.opType())) throw t.computedInput(n);
        if (translator == null) {
            throw n.fail("is not supported; supported operators: " + OnnxTranslators.SUPPORTED
                    + (n.opType().equals("Transpose") ? " (a Transpose at the input: export NCHW, tf2onnx --inputs-as-nchw)" : ""));
        }
        return translator;
    }
}
