package io.filterviz.model.graph;

import java.util.List;

/**
 * What a node computes. Each operator is a small immutable value (weights included) that knows its output shape;
 * the engines interpret it. Operators with weights keep them as plain float arrays in PyTorch's layouts (OIHW for
 * convolutions, out × in for dense layers).
 */
public sealed interface Op permits Conv, Activation, ChannelAffine, Add, Mul, Concat, Pool, GlobalAveragePool, Pad,
        Flatten, Dense, MatMul, Transpose, Reshape, Slice, Gather, Binary, ConstantBinary, ConstantConcat, LayerNorm, Softmax,
        ReduceMean {

    /** The operator's name in messages, ONNX's spelling where there is one. */
    String type();

    /** How many inputs the node takes. */
    int arity();

    /** The output shape for these input shapes; {@link ShapeException} when they do not fit. */
    Shape outputShape(List<Shape> inputs);

    /** Whether the output is ≥ 0 whenever every input is (used for the Keras example's early exit). */
    default boolean keepsNonNegative() { return false; }
}
