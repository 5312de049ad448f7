package io.filterviz.model.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Evaluates a node whose inputs are all constants when the file is read, whatever their rank: the shape
 * computations exporters write (torchvision's Swin builds its attention mask and padding this way, ShuffleNet its
 * channel-shuffle shapes) and any operator on weights alone.
 */
final class ConstantEvaluator {
    /** The operators it evaluates. */
    static final List<String> OPS = Stream.of(ConstantElementwise.UNARY, ConstantElementwise.BINARY, List.of("Where"),
            ConstantLayout.OPS, ConstantSources.OPS).flatMap(List::stream).toList();

    private ConstantEvaluator() {}

    /** Whether {@code n} is evaluated now: an operator listed here, with every input given a constant. */
    static boolean evaluates(OnnxNode n, Translation t) {
        if (!OPS.contains(n.opType()) || n.inputCount() == 0) return false;
        for (String in : n.inputs()) if (!in.isEmpty() && !t.isConstant(in)) return false;
        return true;
    }

    /** Puts the node's outputs among the translation's constants. */
    static void evaluate(OnnxNode n, Translation t) {
        List<NdValues> in = new ArrayList<>();
        for (String name : n.inputs()) in.add(name.isEmpty() ? null : NdValues.of(t.constant(name)));
        List<NdValues> out = outputs(n, in, t);
        if (out.size() < n.outputCount()) throw n.fail("has " + n.outputCount() + " outputs; " + out.size() + " are computed");
        for (int i = 0; i < n.outputCount(); i++) {
            if (!n.output(i).isEmpty()) t.putConstant(n.output(i), out.get(i).toConstant());
        }
    }

    private static List<NdValues> outputs(OnnxNode n, List<NdValues> in, Translation t) {
        String op = n.opType();
        if (ConstantElementwise.UNARY.contains(op)) return List.of(ConstantElementwise.unary(n, in.get(0)));
        if (ConstantElementwise.BINARY.contains(op)) return List.of(ConstantElementwise.binary(n, in));
        if (op.equals("Where")) return List.of(ConstantElementwise.where(n, in.get(0), in.get(1), in.get(2)));
        if (ConstantSources.OPS.contains(op)) return List.of(ConstantSources.evaluate(n, in, t.external()));
        return ConstantLayout.evaluate(n, in, t.opset());
    }
}
