package io.filterviz.model.onnx;

import java.util.List;

/**
 * Turns the ONNX nodes of one family of operators into graph nodes, constants or aliases of a {@link Translation}.
 * Refusals are one line naming the node ({@link OnnxNode#fail}).
 */
interface OnnxTranslator {
    /** The ONNX operator types it translates. */
    List<String> opTypes();

    /** How the list of supported operators names {@code opType}: the type, with the part supported when not all is. */
    default String describe(String opType) { return opType; }

    void translate(OnnxNode node, Translation translation);
}
