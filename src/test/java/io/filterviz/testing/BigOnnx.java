package io.filterviz.testing;

import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;
import org.nd4j.shade.protobuf.UnsafeByteOperations;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A model written in the test whose size is in one dense layer, the way a VGG's classifier dwarfs its convolutions:
 * an RGB 16×16 input, Conv 3×3 (8 channels, pad 1) {@code conv_out} → Relu {@code relu_out} → Flatten (2048) → Gemm
 * ({@code units} outputs, transB, tensor {@code logits}). Weights are raw little-endian floats: value i of a tensor
 * is {@link #value}(seed, i), so a test can check any of them without holding the file. Written as one file, or
 * with the weights as ONNX external data in {@code weights/<name>.data} beside it (a folder, as the location is
 * relative to the model's).
 */
public final class BigOnnx {
    public static final int FLAT = 8 * 16 * 16;
    public static final String CONV = "conv_out", RELU = "relu_out", LOGITS = "logits";

    private BigOnnx() {}

    /** A dense layer of about {@code megabytes} MB (its units rounded up). */
    public static int unitsFor(int megabytes) {
        return (int) ((megabytes * 1_000_000L + 4L * FLAT - 1) / (4L * FLAT));
    }

    public static float value(int seed, long i) {
        return (float) (((i * 2654435761L + seed) & 0xffff) / 65536.0 - 0.5) * 0.1f;
    }

    /** @param external the weights in a data file beside the model (ONNX external data) rather than in it */
    public static Path write(Path file, int units, boolean external) {
        ByteBuffer convW = floats(1, 8 * 3 * 3 * 3), convB = floats(2, 8), fcW = floats(3, (long) units * FLAT),
                fcB = floats(4, units);
        Path data = file.resolveSibling("weights").resolve(file.getFileName() + ".data");
        String location = "weights/" + data.getFileName();
        GraphProto.Builder graph = GraphProto.newBuilder().setName("big").addInput(image("input", 3, 16, 16));
        try {
            if (external) {
                Files.createDirectories(data.getParent());
                try (FileChannel channel = FileChannel.open(data, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    graph.addInitializer(externalTensor("w", convW, channel, location, 8, 3, 3, 3))
                            .addInitializer(externalTensor("b", convB, channel, location, 8))
                            .addInitializer(externalTensor("fc_w", fcW, channel, location, units, FLAT))
                            .addInitializer(externalTensor("fc_b", fcB, channel, location, units));
                }
            } else {
                graph.addInitializer(tensor("w", convW, 8, 3, 3, 3)).addInitializer(tensor("b", convB, 8))
                        .addInitializer(tensor("fc_w", fcW, units, FLAT)).addInitializer(tensor("fc_b", fcB, units));
            }
            graph.addNode(NodeProto.newBuilder().setName("conv").setOpType("Conv").addInput("input").addInput("w")
                            .addInput("b").addOutput(CONV)
                            .addAttribute(ints("kernel_shape", 3, 3)).addAttribute(ints("pads", 1, 1, 1, 1)))
                    .addNode(NodeProto.newBuilder().setName("relu").setOpType("Relu").addInput(CONV).addOutput(RELU))
                    .addNode(NodeProto.newBuilder().setName("flatten").setOpType("Flatten").addInput(RELU).addOutput("flat")
                            .addAttribute(integer("axis", 1)))
                    .addNode(NodeProto.newBuilder().setName("fc").setOpType("Gemm").addInput("flat").addInput("fc_w")
                            .addInput("fc_b").addOutput(LOGITS).addAttribute(integer("transB", 1)))
                    .addOutput(ValueInfoProto.newBuilder().setName(LOGITS));
            ModelProto model = ModelProto.newBuilder().setIrVersion(7).setProducerName("filterviz-test")
                    .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(graph).build();
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
                model.writeTo(out); // streams the raw bytes: no second copy of the file in the test's heap
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ByteBuffer floats(int seed, long count) {
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(4 * count)).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer floats = bytes.asFloatBuffer();
        for (long i = 0; i < count; i++) floats.put(value(seed, i));
        return bytes;
    }

    private static TensorProto.Builder header(String name, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) t.addDims(d);
        return t;
    }

    private static TensorProto tensor(String name, ByteBuffer bytes, long... dims) {
        return header(name, dims).setRawData(UnsafeByteOperations.unsafeWrap(bytes.array())).build();
    }

    private static TensorProto externalTensor(String name, ByteBuffer bytes, FileChannel channel, String location,
                                              long... dims) throws IOException {
        long offset = channel.position();
        ByteBuffer view = bytes.duplicate();
        while (view.hasRemaining()) channel.write(view);
        // the alignment torch's exporter keeps between tensors: offsets need not follow one another
        channel.position(channel.position() + 64 - channel.position() % 64);
        return header(name, dims).setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location)).addExternalData(entry("offset", Long.toString(offset)))
                .addExternalData(entry("length", Integer.toString(bytes.capacity()))).build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static ValueInfoProto image(String name, int channels, int height, int width) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : new long[]{1, channels, height, width}) shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) a.addInts(v);
        return a.build();
    }

    private static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }
}
