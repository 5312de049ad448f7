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

import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.ModelMemoryException;
import org.nd4j.shade.protobuf.ByteString;
import org.nd4j.shade.protobuf.CodedInputStream;
import org.nd4j.shade.protobuf.UnsafeByteOperations;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an ONNX file (as {@code torch.onnx.export} and tf2onnx write them) into a {@link Graph}, with ONNX's own
 * protobuf classes as ND4J ships them. Batch 1, NCHW, one image input. Tensors keep their ONNX names; nodes keep
 * theirs (made unique, and named {@code <OpType>_<index>} where the file has none). What cannot be read becomes a
 * {@link ModelException} with one line naming the node, its operator and what is supported.
 *
 * <p>Memory: the file is memory-mapped and parsed once with protobuf's aliasing, so each initializer stays a view
 * of the mapped file (off the heap) until a node decodes it into floats. {@link #structure} decodes no weights at
 * all; {@link #load(Path, Collection)} decodes only those of the nodes its targets need. Before decoding, the heap
 * the weights will take is checked against what this JVM has free ({@link ModelMemoryException}).
 */
public final class OnnxLoader {
    /** Protobuf cannot address more: a larger model keeps its weights as external data. */
    private static final long PROTOBUF_LIMIT = Integer.MAX_VALUE;

    private OnnxLoader() {}

    /** The whole network with its weights. */
    public static Graph load(Path file) {
        return read(file, null, true);
    }

    /**
     * The nodes the target tensors need, with their weights; nothing past them is read (a VGG's classifier when the
     * target is a convolution). Null or empty targets: the whole network. Which nodes fold into which (a
     * BatchNormalization into its convolution) is decided on the whole graph, so the nodes are the whole graph's.
     */
    public static Graph load(Path file, Collection<String> targets) {
        return read(file, targets == null || targets.isEmpty() ? null : targets, true);
    }

    /**
     * The whole network, every operator checked, but no weights: convolutions and dense layers hold none
     * ({@link Conv#hasWeights()}). What the driver needs to list layers and check a job, at a fraction of the heap.
     * Not for an engine.
     */
    public static Graph structure(Path file) {
        return read(file, null, false);
    }

    /**
     * The external data files the model names, resolved beside it (to ship with it), in the order the model names
     * them. {@link ModelException} when one is missing.
     */
    public static List<Path> externalDataFiles(Path file) {
        Mapped mapped = map(file);
        ModelProto model = parse(mapped.name(), mapped.bytes(), mapped.size());
        ExternalData external = new ExternalData(mapped.name(), folder(file));
        Set<Path> files = new LinkedHashSet<>();
        for (TensorProto t : model.getGraph().getInitializerList()) {
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) files.add(external.region(t, "initializer " + t.getName()).file());
        }
        return List.copyOf(files);
    }

    /**
     * The heap that loading the targets' part of the model takes, without loading it: the decoded weights plus the
     * largest once more (what {@link #load(Path, Collection)} checks against the free heap). For the driver to refuse
     * a job its executors cannot load.
     */
    public static long heapToLoad(Path file, Collection<String> targets) {
        Mapped mapped = map(file);
        ModelProto model = parse(mapped.name(), mapped.bytes(), mapped.size());
        Set<Integer> needed = targets == null || targets.isEmpty() ? null : needed(model.getGraph(), targets);
        long[] bytes = new OnnxGraphReader(mapped.name(), opset(model), model.getGraph(),
                new ExternalData(mapped.name(), folder(file)), true, needed).weightBytes();
        return bytes[0] + bytes[1];
    }

    /** @param name the file's name, for messages and as the graph's name (without {@code .onnx}) */
    public static Graph load(String name, byte[] bytes) {
        ModelProto model = parse(name, UnsafeByteOperations.unsafeWrap(bytes), bytes.length);
        return build(name, bytes.length, model, null, null, true);
    }

    private record Mapped(String name, ByteString bytes, long size) {}

    private static Mapped map(Path file) {
        String name = file.getFileName().toString();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > PROTOBUF_LIMIT) {
                throw new ModelException("model file " + name + " is " + ModelMemoryException.megabytes(size) + "; an ONNX file "
                        + "holds at most 2 GB (protobuf's limit): save larger models with external data (torch.onnx.export "
                        + "does so by itself, onnx.save(model, path, save_as_external_data=True))");
            }
            // A view of the file, not a copy: protobuf's aliasing below keeps the initializers' bytes in it
            return new Mapped(name, UnsafeByteOperations.unsafeWrap(channel.map(FileChannel.MapMode.READ_ONLY, 0, size)), size);
        } catch (IOException e) {
            throw new ModelException("model file " + file + " cannot be read: " + OneLine.of(e), e);
        }
    }

    private static Path folder(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return parent != null ? parent : Path.of(".");
    }

    private static Graph read(Path file, Collection<String> targets, boolean weights) {
        Mapped mapped = map(file);
        try {
            ModelProto model = parse(mapped.name(), mapped.bytes(), mapped.size());
            return build(mapped.name(), mapped.size(), model, new ExternalData(mapped.name(), folder(file)), targets, weights);
        } catch (OutOfMemoryError e) { // the estimate's backstop: what is left to the caller is one line
            throw ModelMemoryException.outOfMemory(mapped.name(), mapped.size());
        }
    }

    /** Parses once, aliasing bytes fields (raw_data) into {@code bytes} instead of copying them. */
    private static ModelProto parse(String name, ByteString bytes, long size) {
        ModelProto model;
        try {
            CodedInputStream in = bytes.newCodedInput();
            in.enableAliasing(true);
            in.setSizeLimit(Integer.MAX_VALUE);
            model = ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            String why = e.getMessage() != null && e.getMessage().contains("ended unexpectedly")
                    ? " is truncated (the file ends in the middle of a record)"
                    : " is not an ONNX model (" + OneLine.of(e) + ")";
            throw new ModelException("model file " + name + why, e);
        } catch (IOException e) {
            throw new ModelException("model file " + name + " cannot be read: " + OneLine.of(e), e);
        }
        if (size == 0 || !model.hasGraph() || model.getGraph().getNodeCount() == 0 || model.getIrVersion() <= 0) {
            throw new ModelException("model file " + name + " is not an ONNX model (no graph of operators in it)");
        }
        return model;
    }

    private static Graph build(String name, long size, ModelProto model, ExternalData external, Collection<String> targets,
                               boolean weights) {
        String graphName = name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
        GraphProto proto = model.getGraph();
        Set<Integer> needed = targets == null ? null : needed(proto, targets);
        OnnxGraphReader reader = new OnnxGraphReader(name, opset(model), proto, external, weights, needed);
        if (weights) checkHeap(name, size, reader.weightBytes(), targets);
        Graph graph = reader.read(graphName, input(name, proto));
        if (graph.fixedSize()) {
            try {
                graph.shapes(graph.fixedHeight(), graph.fixedWidth());
            } catch (ShapeException e) {
                throw new ModelException("model file " + name + ": " + OneLine.of(e));
            }
        }
        return graph;
    }

    /**
     * The nodes (indices) that compute the targets: their producers and those nodes' ancestors. Null (all nodes)
     * when a target is no node's output (a tensor the reader names itself), so nothing needed is ever left out.
     */
    static Set<Integer> needed(GraphProto graph, Collection<String> targets) {
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            for (String out : graph.getNode(i).getOutputList()) producer.put(out, i);
        }
        if (!producer.keySet().containsAll(targets)) return null;
        Set<Integer> needed = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(targets);
        while (!todo.isEmpty()) {
            Integer at = producer.get(todo.pop());
            if (at != null && needed.add(at)) todo.addAll(graph.getNode(at).getInputList());
        }
        return needed;
    }

    /**
     * Refuses, before decoding anything, weights the heap cannot hold: the decoded floats plus the largest once more
     * (a BatchNormalization folds into a copy of its convolution's weights; MatMul's transposes). Garbage counts as
     * free after one collection.
     */
    private static void checkHeap(String name, long size, long[] weightBytes, Collection<String> targets) {
        long needed = weightBytes[0] + weightBytes[1];
        Runtime runtime = Runtime.getRuntime();
        long free = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
        if (needed <= free) return;
        System.gc();
        free = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
        if (needed <= free) return;
        throw new ModelMemoryException(name, size, "needs about " + ModelMemoryException.megabytes(needed)
                + " of heap for its weights" + (targets == null ? "" : " up to " + String.join(", ", targets))
                + ", more than the " + ModelMemoryException.megabytes(free) + " free of this JVM's "
                + ModelMemoryException.megabytes(runtime.maxMemory()));
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
