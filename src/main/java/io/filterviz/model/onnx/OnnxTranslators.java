package io.filterviz.model.onnx;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The translators by ONNX operator type: an operator is supported when one of them lists it. */
final class OnnxTranslators {
    private static final List<OnnxTranslator> ALL = List.of(new ConstantTranslator(), new PassThroughTranslator(),
            new ConvolutionTranslator(), new ActivationTranslator(), new ArithmeticTranslator(), new PoolingTranslator(),
            new ReshapeTranslator(), new DenseTranslator(), new ShapeComputationTranslator(), new TensorTranslator(),
            new EinsumTranslator());
    private static final Map<String, OnnxTranslator> BY_TYPE = new HashMap<>();

    static {
        for (OnnxTranslator translator : ALL) {
            for (String type : translator.opTypes()) {
                if (BY_TYPE.put(type, translator) != null) throw new IllegalStateException(type + " has two translators");
            }
        }
    }

    /** The supported operators, for messages: alphabetically, then those evaluated only on constants. */
    static final String SUPPORTED = supported();

    private OnnxTranslators() {}

    /** The translator of {@code opType}; null when the operator is not supported. */
    static OnnxTranslator forOpType(String opType) { return BY_TYPE.get(opType); }

    private static String supported() {
        Map<String, String> operators = new TreeMap<>();
        for (OnnxTranslator translator : ALL) {
            for (String type : translator.opTypes()) operators.put(type, translator.describe(type));
        }
        List<String> onConstants = ConstantEvaluator.OPS.stream().filter(op -> !operators.containsKey(op)).sorted().toList();
        return String.join(", ", operators.values()) + "; on constants also " + String.join(", ", onConstants);
    }
}
