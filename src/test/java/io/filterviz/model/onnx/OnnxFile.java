package io.filterviz.model.onnx;

import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;
import org.nd4j.shade.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/** Small ONNX models written in the tests with ONNX's own protobuf classes, as exporters write them. */
final class OnnxFile {
    private final int opset;
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("test");

    /** A float input N×C×H×W: a dimension is a number (Integer) or a symbol (String). */
    OnnxFile(int opset, String input, Object... dims) {
        this.opset = opset;
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            shape.addDim(d instanceof Integer n ? TensorShapeProto.Dimension.newBuilder().setDimValue(n)
                    : TensorShapeProto.Dimension.newBuilder().setDimParam((String) d));
        }
        graph.addInput(ValueInfoProto.newBuilder().setName(input).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))));
    }

    /** A float initializer stored as raw little-endian bytes (torch's way). */
    OnnxFile floats(String name, long[] dims, float... values) {
        graph.addInitializer(floatTensor(name, dims, values));
        return this;
    }

    OnnxFile longs(String name, long[] dims, long... values) {
        graph.addInitializer(longTensor(name, dims, values));
        return this;
    }

    OnnxFile node(String op, String name, List<String> inputs, String output, AttributeProto... attributes) {
        graph.addNode(NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output)
                .addAllAttribute(Arrays.asList(attributes)));
        return this;
    }

    OnnxFile node(String op, String name, String input, String output, AttributeProto... attributes) {
        return node(op, name, List.of(input), output, attributes);
    }

    OnnxFile output(String name) {
        graph.addOutput(ValueInfoProto.newBuilder().setName(name));
        return this;
    }

    byte[] bytes() {
        return ModelProto.newBuilder().setIrVersion(7).setProducerName("test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset)).setGraph(graph).build().toByteArray();
    }

    static TensorProto floatTensor(String name, long[] dims, float... values) {
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) raw.putFloat(v);
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addAllDims(Arrays.stream(dims).boxed().toList()).setRawData(ByteString.copyFrom(raw.array())).build();
    }

    static TensorProto longTensor(String name, long[] dims, long... values) {
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .addAllDims(Arrays.stream(dims).boxed().toList()).addAllInt64Data(Arrays.stream(values).boxed().toList()).build();
    }

    static AttributeProto ints(String name, long... values) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS)
                .addAllInts(Arrays.stream(values).boxed().toList()).build();
    }

    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto string(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    static AttributeProto tensor(String name, TensorProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(value).build();
    }

    static long[] dims(long... d) { return d; }
}
