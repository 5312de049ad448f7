package io.filterviz.model.keras;

import io.filterviz.model.graph.ModelException;
import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Add;
import io.filterviz.model.graph.Concat;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.Flatten;
import io.filterviz.model.graph.GlobalAveragePool;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.GraphBuilder;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Op;
import io.filterviz.model.graph.Pad;
import io.filterviz.model.graph.Pool;
import io.filterviz.model.graph.Shape;
import io.filterviz.model.graph.ShapeException;
import io.filterviz.model.rewrite.BatchNormStatistics;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.layers.KerasInput;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.filterviz.model.keras.KerasLayers.config;
import static io.filterviz.model.keras.KerasLayers.flag;
import static io.filterviz.model.keras.KerasLayers.number;
import static io.filterviz.model.keras.KerasLayers.pair;
import static io.filterviz.model.keras.KerasLayers.string;

/**
 * DL4J's Keras layers (configuration as Keras wrote it, weights as DL4J read them) → our graph, NCHW. Each layer
 * writes a tensor of its own name; a layer with an activation inside (Conv2D(activation='relu')) becomes two nodes,
 * the first writing {@code <layer>/preactivation}. BatchNormalization stays a per-channel affine (not folded), so every
 * layer Keras lists can be a target. InputLayer and Dropout write nothing: their name stands for their input. A
 * softmax at the model's output is left out, as one visualises a class by its logit.
 */
final class KerasGraphBuilder {
    private static final int[] ONE = {1, 1};

    private final String file;
    private final List<String> outputLayers;
    /** A layer that writes nothing (InputLayer, Dropout, a final softmax) → the tensor its name stands for. */
    private final Map<String, String> aliases = new HashMap<>();
    private final Map<String, Integer> readers = new HashMap<>();
    /** Null until the InputLayer. */
    private GraphBuilder graph;

    KerasGraphBuilder(String file, List<String> outputLayers) {
        this.file = file;
        this.outputLayers = List.copyOf(outputLayers);
    }

    Graph build(String name, List<KerasLayer> layers) {
        for (KerasLayer layer : layers) {
            for (String in : layer.getInboundLayerNames()) readers.merge(in, 1, Integer::sum);
        }
        for (KerasLayer layer : layers) {
            if (layer instanceof KerasInput) {
                input(layer, layers);
            } else {
                if (graph == null) throw fail(layer, "comes before the model's InputLayer");
                add(layer);
            }
        }
        if (graph == null) throw new ModelException("model file " + file + " has no InputLayer");
        return graph.build(name);
    }

    private void input(KerasLayer layer, List<KerasLayer> layers) {
        if (graph != null) throw fail(layer, "is a second input; filterviz takes networks with one image input");
        List<?> shape = batchShape(layer.getOriginalLayerConfig());
        for (KerasLayer other : layers) { // a Sequential model without an InputLayer: its first layer has the shape
            if (shape == null && !(other instanceof KerasInput)) shape = batchShape(other.getOriginalLayerConfig());
        }
        if (shape == null || shape.size() != 4 || !(shape.get(3) instanceof Number c)) {
            throw fail(layer, "has input shape " + shape + "; filterviz takes an image (batch, height, width, channels) "
                    + "with a fixed channel count");
        }
        boolean fixed = shape.get(1) instanceof Number && shape.get(2) instanceof Number;
        graph = new GraphBuilder(layer.getLayerName(), c.intValue(), fixed ? ((Number) shape.get(1)).intValue() : 0,
                fixed ? ((Number) shape.get(2)).intValue() : 0);
    }

    private static List<?> batchShape(Map<String, Object> original) {
        Map<String, Object> config = config(original);
        Object shape = config.containsKey("batch_input_shape") ? config.get("batch_input_shape") : config.get("batch_shape");
        return shape instanceof List<?> list ? list : null;
    }

    private void add(KerasLayer layer) {
        String name = layer.getLayerName();
        Map<String, Object> c = config(layer.getOriginalLayerConfig());
        List<String> in = layer.getInboundLayerNames().stream().map(t -> aliases.getOrDefault(t, t)).toList();
        switch (layer.getClassName()) {
            case "Conv2D", "Convolution2D" -> withActivation(layer, c, conv(layer, c), in.get(0));
            case "DepthwiseConv2D" -> withActivation(layer, c, depthwise(layer, c), in.get(0));
            case "Dense" -> withActivation(layer, c, dense(layer, in.get(0)), in.get(0));
            case "Activation" -> {
                Optional<Activation> activation = activation(layer, string(c, "activation", "linear"));
                if (activation.isPresent()) node(name, activation.get(), in);
                else aliases.put(name, in.get(0));
            }
            case "ReLU" -> node(name, relu(layer, c), in);
            case "LeakyReLU" -> node(name, new Activation(Activation.Kind.LEAKY_RELU, (float) number(c, "alpha", 0.3), 0f), in);
            case "Softmax" -> {
                finalSoftmax(layer);
                aliases.put(name, in.get(0));
            }
            case "MaxPooling2D", "MaxPool2D" -> node(name, pool(layer, c, Pool.Kind.MAX, in.get(0)), in);
            case "AveragePooling2D", "AvgPool2D" -> node(name, pool(layer, c, Pool.Kind.AVERAGE, in.get(0)), in);
            case "GlobalAveragePooling2D", "GlobalAvgPool2D" -> node(name, new GlobalAveragePool(), in);
            case "BatchNormalization" -> node(name, batchNorm(layer, c).affine(), in);
            case "Flatten" -> node(name, new Flatten(), in);
            case "Add" -> add(name, in);
            case "Concatenate" -> {
                int axis = (int) number(c, "axis", -1);
                if (axis != -1 && axis != 3) throw fail(layer, "concatenates along axis " + axis + "; only channels (-1) are supported");
                node(name, new Concat(in.size()), in);
            }
            case "ZeroPadding2D" -> node(name, new Pad(zeroPadding(c.get("padding")), 0f), in);
            case "Dropout", "SpatialDropout2D" -> aliases.put(name, in.get(0));
            default -> throw fail(layer, "is not supported; supported Keras layers: " + String.join(", ", KerasLayers.SUPPORTED));
        }
    }

    private void node(String name, Op op, List<String> inputs) {
        graph.add(new Node(name, op, inputs, name));
    }

    /** The layer's own operator, then its activation (when not linear) under the layer's name. */
    private void withActivation(KerasLayer layer, Map<String, Object> c, Op op, String in) {
        String name = layer.getLayerName();
        Optional<Activation> activation = activation(layer, string(c, "activation", "linear"));
        if (activation.isEmpty()) {
            node(name, op, List.of(in));
        } else {
            String linear = name + "/preactivation";
            graph.add(new Node(linear, op, List.of(in), linear));
            node(name, activation.get(), List.of(linear));
        }
    }

    /** Empty for linear (and for a softmax that ends the model: its logits are the target). */
    private Optional<Activation> activation(KerasLayer layer, String kind) {
        return switch (kind) {
            case "linear" -> Optional.empty();
            case "relu" -> Optional.of(Activation.relu());
            case "relu6" -> Optional.of(new Activation(Activation.Kind.CLIP, 0f, 6f));
            case "sigmoid" -> Optional.of(new Activation(Activation.Kind.SIGMOID, 0f, 0f));
            case "hard_sigmoid" -> Optional.of(new Activation(Activation.Kind.HARD_SIGMOID, 0.2f, 0.5f)); // Keras 2's
            case "softmax" -> {
                finalSoftmax(layer);
                yield Optional.empty();
            }
            default -> throw fail(layer, "has activation " + kind + "; supported activations: " + KerasLayers.ACTIVATIONS);
        };
    }

    private void finalSoftmax(KerasLayer layer) {
        String name = layer.getLayerName();
        if (!outputLayers.contains(name) || readers.getOrDefault(name, 0) > 0) {
            throw fail(layer, "applies a softmax inside the network; a softmax is supported only at the model's output");
        }
    }

    private Activation relu(KerasLayer layer, Map<String, Object> c) {
        double max = number(c, "max_value", Double.NaN), slope = number(c, "negative_slope", 0), threshold = number(c, "threshold", 0);
        if (threshold != 0) throw fail(layer, "has threshold " + threshold + "; only 0 is supported");
        if (slope != 0 && !Double.isNaN(max)) throw fail(layer, "has both max_value and negative_slope; one of them is supported");
        if (slope != 0) return new Activation(Activation.Kind.LEAKY_RELU, (float) slope, 0f);
        if (!Double.isNaN(max)) return new Activation(Activation.Kind.CLIP, 0f, (float) max);
        return Activation.relu();
    }

    private Conv conv(KerasLayer layer, Map<String, Object> c) {
        if ((int) number(c, "groups", 1) != 1) throw fail(layer, "has groups " + c.get("groups") + "; only 1 is supported");
        int[] kernel = pair(c, "kernel_size", null), strides = pair(c, "strides", ONE), dilation = pair(c, "dilation_rate", ONE);
        INDArray w = weight(layer, "W");
        long[] s = w.shape(); // DL4J holds Conv2D kernels as out, in, height, width (PyTorch's order)
        if (s.length != 4 || s[2] != kernel[0] || s[3] != kernel[1]) {
            throw fail(layer, "has a kernel of shape " + Arrays.toString(s) + " for kernel_size " + Arrays.toString(kernel));
        }
        int out = (int) s[0];
        float[] bias = flag(c, "use_bias", true) ? floats(weight(layer, "b")) : new float[out];
        String padding = padding(layer, c);
        return new Conv(out, (int) s[1], kernel[0], kernel[1], strides[0], strides[1], new int[4], padding, dilation[0],
                dilation[1], 1, floats(w), bias);
    }

    private Conv depthwise(KerasLayer layer, Map<String, Object> c) {
        int[] kernel = pair(c, "kernel_size", null), strides = pair(c, "strides", ONE), dilation = pair(c, "dilation_rate", ONE);
        INDArray w = weight(layer, "W");
        long[] s = w.shape(); // Keras' depthwise_kernel as DL4J keeps it: height, width, in, multiplier
        if (s.length != 4 || s[0] != kernel[0] || s[1] != kernel[1]) {
            throw fail(layer, "has a depthwise kernel of shape " + Arrays.toString(s) + " for kernel_size " + Arrays.toString(kernel));
        }
        int kh = (int) s[0], kw = (int) s[1], in = (int) s[2], multiplier = (int) s[3], out = in * multiplier;
        float[] keras = floats(w);
        float[] oihw = new float[keras.length]; // output channel c·multiplier + m reads input channel c (TensorFlow's order)
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                for (int ch = 0; ch < in; ch++) {
                    for (int m = 0; m < multiplier; m++) {
                        oihw[((ch * multiplier + m) * kh + y) * kw + x] = keras[((y * kw + x) * in + ch) * multiplier + m];
                    }
                }
            }
        }
        float[] bias = flag(c, "use_bias", true) ? floats(weight(layer, "b")) : new float[out];
        return new Conv(out, in, kh, kw, strides[0], strides[1], new int[4], padding(layer, c), dilation[0], dilation[1],
                in, oihw, bias);
    }

    /** Keras' 'same' is TensorFlow's: the odd pixel of padding goes to the bottom and right (ONNX's SAME_UPPER). */
    private String padding(KerasLayer layer, Map<String, Object> c) {
        return switch (string(c, "padding", "valid")) {
            case "valid" -> null;
            case "same" -> "SAME_UPPER";
            default -> throw fail(layer, "has padding " + c.get("padding") + "; supported: valid, same");
        };
    }

    private Dense dense(KerasLayer layer, String in) {
        INDArray w = weight(layer, "W");
        long[] s = w.shape(); // Keras' kernel: in × out
        if (s.length != 2) throw fail(layer, "has a kernel of shape " + Arrays.toString(s) + "; a Dense kernel is 2-D");
        int units = (int) s[1], inputs = (int) s[0];
        float[] keras = floats(w);
        int[] row = flattenOrder(in, inputs);
        float[] weights = new float[keras.length];
        for (int o = 0; o < units; o++) {
            for (int i = 0; i < inputs; i++) weights[o * inputs + i] = keras[row[i] * units + o];
        }
        float[] bias = flag(config(layer.getOriginalLayerConfig()), "use_bias", true) ? floats(weight(layer, "b")) : new float[units];
        return new Dense(units, inputs, weights, bias);
    }

    /**
     * For each of our input units (C, H, W order after our Flatten), the Keras kernel's row (Keras flattens H, W, C).
     * The identity unless the input is a Flatten of an image larger than 1×1, whose size the fixed input gives.
     */
    private int[] flattenOrder(String in, int inputs) {
        int[] row = new int[inputs];
        for (int i = 0; i < inputs; i++) row[i] = i;
        Optional<Node> producer = graph.producer(in);
        if (producer.isEmpty() || !(producer.get().op() instanceof Flatten)) return row;
        String image = producer.get().inputs().get(0);
        Shape shape = fixedShape(image, "a Dense layer after Flatten");
        int c = shape.channels(), h = shape.height(), w = shape.width();
        if (shape.vector() || h * w == 1) return row;
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) row[(ch * h + y) * w + x] = (y * w + x) * c + ch;
            }
        }
        return row;
    }

    private Shape fixedShape(String tensor, String what) {
        if (!graph.fixedSize()) {
            throw new ModelException("model file " + file + ": " + what + " needs a fixed input height and width in the "
                    + "InputLayer; this model's are free");
        }
        try {
            return graph.shape(tensor);
        } catch (ShapeException e) {
            throw new ModelException("model file " + file + ": " + e.getMessage());
        }
    }

    private Pool pool(KerasLayer layer, Map<String, Object> c, Pool.Kind kind, String in) {
        int[] size = pair(c, "pool_size", new int[]{2, 2}), strides = pair(c, "strides", size);
        int[] pads = new int[4];
        if (string(c, "padding", "valid").equals("same")) {
            int inHeight, inWidth;
            if (strides[0] == 1 && strides[1] == 1) {
                inHeight = inWidth = 0; // stride 1: the padding does not depend on the size
            } else {
                Shape shape = fixedShape(in, "layer '" + layer.getLayerName() + "' (padding same, strides " + Arrays.toString(strides) + ")");
                inHeight = shape.height();
                inWidth = shape.width();
            }
            int[] h = same(inHeight, size[0], strides[0]), w = same(inWidth, size[1], strides[1]);
            pads = new int[]{h[0], w[0], h[1], w[1]};
        } else if (!string(c, "padding", "valid").equals("valid")) {
            throw fail(layer, "has padding " + c.get("padding") + "; supported: valid, same");
        }
        // TensorFlow's average pooling divides by the window's elements inside the input: padding is not counted
        return new Pool(kind, size[0], size[1], strides[0], strides[1], pads, false, false);
    }

    /** TensorFlow's 'same' padding (before, after) for an input of this size (any size when the stride is 1). */
    private static int[] same(int size, int kernel, int stride) {
        int total = stride == 1 ? kernel - 1 : Math.max(0, ((size + stride - 1) / stride - 1) * stride + kernel - size);
        return new int[]{total / 2, total - total / 2};
    }

    private BatchNormStatistics batchNorm(KerasLayer layer, Map<String, Object> c) {
        Object axis = c.get("axis");
        int a = axis instanceof List<?> list && list.size() == 1 ? ((Number) list.get(0)).intValue()
                : axis instanceof Number n ? n.intValue() : 0;
        if (a != -1 && a != 3) throw fail(layer, "normalises axis " + axis + "; only the channels (-1 or 3) are supported");
        float[] mean = floats(weight(layer, "mean")), variance = floats(weight(layer, "var"));
        Map<String, INDArray> w = layer.getWeights();
        float[] gamma = flag(c, "scale", true) && w.containsKey("gamma") ? floats(w.get("gamma")) : filled(mean.length, 1f);
        float[] beta = flag(c, "center", true) && w.containsKey("beta") ? floats(w.get("beta")) : new float[mean.length];
        return new BatchNormStatistics(gamma, beta, mean, variance, number(c, "epsilon", 1e-3));
    }

    /** Keras' Add takes any number of inputs; ours two: a chain whose last node has the layer's name. */
    private void add(String name, List<String> in) {
        String sum = in.get(0);
        for (int i = 1; i < in.size(); i++) {
            String out = i == in.size() - 1 ? name : name + "/" + i;
            graph.add(new Node(out, new Add(), List.of(sum, in.get(i)), out));
            sum = out;
        }
    }

    /** ZeroPadding2D's padding: n, (h, w) or ((top, bottom), (left, right)) → top, left, bottom, right. */
    private static int[] zeroPadding(Object padding) {
        if (padding instanceof Number n) return new int[]{n.intValue(), n.intValue(), n.intValue(), n.intValue()};
        List<?> dims = (List<?>) padding;
        int[][] pairs = new int[2][];
        for (int d = 0; d < 2; d++) {
            Object p = dims.get(d);
            pairs[d] = p instanceof Number n ? new int[]{n.intValue(), n.intValue()}
                    : new int[]{((Number) ((List<?>) p).get(0)).intValue(), ((Number) ((List<?>) p).get(1)).intValue()};
        }
        return new int[]{pairs[0][0], pairs[1][0], pairs[0][1], pairs[1][1]};
    }

    private INDArray weight(KerasLayer layer, String key) {
        Map<String, INDArray> weights = layer.getWeights();
        INDArray w = weights == null ? null : weights.get(key);
        if (w == null) throw fail(layer, "has no weight '" + key + "' in the file");
        return w;
    }

    /** The values in C order (DL4J's arrays may be views or another order). */
    private static float[] floats(INDArray array) {
        return array.castTo(DataType.FLOAT).dup('c').data().asFloat(); // dup: a fresh buffer of exactly its values
    }

    private static float[] filled(int n, float value) {
        float[] a = new float[n];
        Arrays.fill(a, value);
        return a;
    }

    private ModelException fail(KerasLayer layer, String what) {
        return new ModelException("model file " + file + ": layer '" + layer.getLayerName() + "' (" + layer.getClassName()
                + ") " + what);
    }
}
