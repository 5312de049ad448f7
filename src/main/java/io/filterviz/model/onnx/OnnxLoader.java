package io.filterviz.model.onnx;

import io.filterviz.text.OneLine;
import io.filterviz.model.graph.ModelException;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.ShapeException;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.ValueInfoProto;
import org.nd4j.shade.protobuf.InvalidProtocolBufferException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads an ONNX file (as {@code torch.onnx.export} and tf2onnx write them) into a {@link Graph}, with ONNX's own
 * protobuf classes as ND4J ships them. Batch 1, NCHW, one image input. Tensors keep their ONNX names; nodes keep
 * theirs (made unique, and named {@code <OpType>_<index>} where the file has none). What cannot be read becomes a
 * {@link ModelException} with one line naming the node, its operator and what is supported.
 */
public final class OnnxLoader {
    private OnnxLoader() {}

    public static Graph load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelException("model file " + file + " cannot be read: " + OneLine.of(e), e);
        }
        return load(file.getFileName().toString(), bytes);
    }

    /** @param name the file's name, for messages and as the graph's name (without {@code .onnx}) */
    public static Graph load(String name, byte[] bytes) {
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            String why = e.getMessage() != null && e.getMessage().contains("ended unexpectedly")
                    ? " is truncated (the file ends in the middle of a record)"
                    : " is not an ONNX model (" + OneLine.of(e) + ")";
            throw new ModelException("model file " + name + why, e);
        }
        if (bytes.length == 0 || !model.hasGraph() || model.getGraph().getNodeCount() == 0 || model.getIrVersion() <= 0) {
            throw new ModelException("model file " + name + " is not an ONNX model (no graph of operators in it)");
        }
        String graphName = name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
        Graph graph = new OnnxGraphReader(name, opset(model), model.getGraph()).read(graphName, input(name, model.getGraph()));
        if (graph.fixedSize()) {
            try {
                graph.shapes(graph.fixedHeight(), graph.fixedWidth());
            } catch (ShapeException e) {
                throw new ModelException("model file " + name + ": " + OneLine.of(e));
            }
        }
        return graph;
    }

    /** The version of the default operator set (the one torch and tf2onnx use). */
    private static int opset(ModelProto model) {
        for (OperatorSetIdProto set : model.getOpsetImportList()) {
            if (set.getDomain().isEmpty() || set.getDomain().equals("ai.onnx")) return (int) set.getVersion();
        }
        return 1;
    }

    /** The image input: name, channels, fixed height and width (0 when symbolic). */
    record Input(String name, int channels, int height, int width) {}

    static Input input(String file, GraphProto graph) {
        Set<String> initializers = new HashSet<>();
        for (TensorProto t : graph.getInitializerList()) initializers.add(t.getName());
        List<ValueInfoProto> inputs = graph.getInputList().stream().filter(i -> !initializers.contains(i.getName())).toList();
        if (inputs.size() != 1) {
            throw new ModelException("model file " + file + " has " + inputs.size() + " inputs ("
                    + String.join(", ", inputs.stream().map(ValueInfoProto::getName).toList())
                    + "); filterviz takes networks with one image input");
        }
        ValueInfoProto input = inputs.get(0);
        String prefix = "model file " + file + ": input " + input.getName();
        if (!input.getType().hasTensorType() || input.getType().getTensorType().getElemType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new ModelException(prefix + " is not a float tensor; filterviz takes a float image N×C×H×W");
        }
        TensorShapeProto shape = input.getType().getTensorType().getShape();
        if (shape.getDimCount() != 4) {
            throw new ModelException(prefix + " has " + shape.getDimCount() + " dimensions; filterviz takes an image N×C×H×W");
        }
        TensorShapeProto.Dimension batch = shape.getDim(0), channels = shape.getDim(1);
        if (batch.hasDimValue() && batch.getDimValue() != 1) {
            throw new ModelException(prefix + " has a fixed batch of " + batch.getDimValue() + "; export it with batch 1 or a free batch");
        }
        if (!channels.hasDimValue() || channels.getDimValue() < 1) {
            throw new ModelException(prefix + " has no fixed channel count (dimension 1); export it with a fixed one");
        }
        int c = (int) channels.getDimValue();
        if (c > 4 && shape.getDim(3).hasDimValue() && shape.getDim(3).getDimValue() <= 4) {
            throw new ModelException(prefix + " looks channels-last (N×H×W×C = " + describe(shape) + "); filterviz "
                    + "takes NCHW: export with tf2onnx --inputs-as-nchw " + input.getName());
        }
        TensorShapeProto.Dimension h = shape.getDim(2), w = shape.getDim(3);
        boolean fixed = h.hasDimValue() && w.hasDimValue() && h.getDimValue() > 0 && w.getDimValue() > 0;
        return new Input(input.getName(), c, fixed ? (int) h.getDimValue() : 0, fixed ? (int) w.getDimValue() : 0);
    }

    private static String describe(TensorShapeProto shape) {
        return String.join("×", shape.getDimList().stream()
                .map(d -> d.hasDimValue() ? Long.toString(d.getDimValue()) : d.getDimParam().isEmpty() ? "?" : d.getDimParam())
                .toList());
    }

}
