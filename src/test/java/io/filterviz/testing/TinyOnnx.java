package io.filterviz.testing;

import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A small ONNX file written in the test with ONNX's own protobuf classes (as ND4J ships them): a grey 8×8 input,
 * Conv 3×3 (4 channels, pad 1) → Relu → an optional extra operator → Flatten → Gemm (3 units, named {@code logits}).
 */
public final class TinyOnnx {
    private TinyOnnx() {}

    /** @param extraOperator an operator between Relu and Flatten (one input, no attributes), or null */
    public static Path write(Path file, String extraOperator) {
        SplittableRandom random = new SplittableRandom(5);
        GraphProto.Builder graph = GraphProto.newBuilder().setName("tiny")
                .addInput(image("input", 1, 8, 8))
                .addInitializer(floats("w", random, 4, 1, 3, 3)).addInitializer(floats("b", random, 4))
                .addInitializer(floats("fc_w", random, 3, 4 * 8 * 8)).addInitializer(floats("fc_b", random, 3))
                .addNode(NodeProto.newBuilder().setName("conv").setOpType("Conv").addInput("input").addInput("w")
                        .addInput("b").addOutput("conv_out")
                        .addAttribute(ints("kernel_shape", 3, 3)).addAttribute(ints("pads", 1, 1, 1, 1)))
                .addNode(NodeProto.newBuilder().setName("relu").setOpType("Relu").addInput("conv_out").addOutput("relu_out"));
        String last = "relu_out";
        if (extraOperator != null) {
            graph.addNode(NodeProto.newBuilder().setName("odd").setOpType(extraOperator).addInput(last).addOutput("odd_out"));
            last = "odd_out";
        }
        graph.addNode(NodeProto.newBuilder().setName("flatten").setOpType("Flatten").addInput(last).addOutput("flat")
                        .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(1)))
                .addNode(NodeProto.newBuilder().setName("fc").setOpType("Gemm").addInput("flat").addInput("fc_w")
                        .addInput("fc_b").addOutput("logits")
                        .addAttribute(AttributeProto.newBuilder().setName("transB").setType(AttributeProto.AttributeType.INT).setI(1)))
                .addOutput(ValueInfoProto.newBuilder().setName("logits"));
        ModelProto model = ModelProto.newBuilder().setIrVersion(7).setProducerName("filterviz-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(graph).build();
        try {
            return Files.write(file, model.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ValueInfoProto image(String name, int channels, int height, int width) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : new long[]{1, channels, height, width}) shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    private static TensorProto floats(String name, SplittableRandom random, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        long size = 1;
        for (long d : dims) {
            t.addDims(d);
            size *= d;
        }
        for (long i = 0; i < size; i++) t.addFloatData((float) (random.nextGaussian() * 0.3));
        return t.build();
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) a.addInts(v);
        return a.build();
    }
}
