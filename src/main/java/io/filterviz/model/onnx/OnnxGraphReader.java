package io.filterviz.model.onnx;

import io.filterviz.text.OneLine;
import io.filterviz.model.graph.ModelException;
import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Add;
import io.filterviz.model.graph.ChannelAffine;
import io.filterviz.model.graph.Concat;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.Flatten;
import io.filterviz.model.graph.GlobalAveragePool;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Mul;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Op;
import io.filterviz.model.graph.Pad;
import io.filterviz.model.graph.Pool;
import io.filterviz.model.graph.Shape;
import io.filterviz.model.graph.ShapeException;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.ValueInfoProto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One pass over an ONNX graph's nodes (ONNX requires topological order), turning each into graph nodes, constants
 * or aliases. BatchNormalization folds into the convolution before it when nothing else reads that convolution's
 * output; a constant added after a MatMul folds into its bias. Constant shape computations (Shape, Gather,
 * Unsqueeze, Concat of constants, as {@code x.view(x.size(0), -1)} exports) are evaluated here.
 */
final class OnnxGraphReader {
    /** The operators this reader turns into graph nodes or evaluates, for messages. */
    static final String SUPPORTED = "Add, AveragePool, BatchNormalization, Clip, Concat, Constant, Conv, Div, Dropout, "
            + "Flatten, Gemm, GlobalAveragePool, HardSigmoid, HardSwish, Identity, LeakyRelu, MatMul, MaxPool, Mul, Pad, "
            + "ReduceMean (over H and W), Relu, Reshape (to a vector), Sigmoid, Squeeze (of a C×1×1 tensor), Sub, and "
            + "Shape, Gather, Unsqueeze, Cast on constants";
    /** An entry of a computed shape that depends on the input size. */
    static final long UNKNOWN = Long.MIN_VALUE;

    /** What the reader knows of a tensor computed at run time, whatever the input size. */
    private record Info(int rank, int channels, boolean global) {}

    private final String file;
    private final int opset;
    private final GraphProto proto;
    private final ExternalData external;
    private final boolean weights;
    private final Set<Integer> needed;
    private final Map<String, Constant> constants = new HashMap<>();
    private final Map<String, String> aliases = new HashMap<>();
    private final Map<String, Info> infos = new HashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Integer> producers = new HashMap<>();
    private final Map<String, Integer> readers = new HashMap<>();
    private final Set<String> nodeNames = new HashSet<>();
    private OnnxLoader.Input input;

    private OnnxNode current;

    /**
     * @param external where external data lies (null: the model came as bytes, without a folder)
     * @param weights  false: convolutions and dense layers get no weights (the structure, for listings and checks)
     * @param needed   the nodes to read (the others are skipped), null for all
     */
    OnnxGraphReader(String file, int opset, GraphProto proto, ExternalData external, boolean weights, Set<Integer> needed) {
        this.file = file;
        this.opset = opset;
        this.proto = proto;
        this.external = external;
        this.weights = weights;
        this.needed = needed;
        for (TensorProto t : proto.getInitializerList()) {
            try {
                constants.put(t.getName(), Constant.of(t, "initializer " + t.getName(), external));
            } catch (IllegalArgumentException e) {
                throw new ModelException("model file " + file + ": " + e.getMessage());
            }
        }
    }

    /** The heap the initializers read by the nodes to read take once decoded: the total, and the largest one. */
    long[] weightBytes() {
        Set<String> seen = new HashSet<>();
        long total = 0, largest = 0;
        for (int i = 0; i < proto.getNodeCount(); i++) {
            if (needed != null && !needed.contains(i)) continue;
            for (String in : proto.getNode(i).getInputList()) {
                Constant c = constants.get(in);
                if (c == null || !seen.add(in)) continue;
                total += c.heapBytes();
                largest = Math.max(largest, c.heapBytes());
            }
        }
        return new long[]{total, largest};
    }

    Graph read(String graphName, OnnxLoader.Input input) {
        this.input = input;
        infos.put(input.name(), new Info(4, input.channels(), false));
        for (NodeProto n : proto.getNodeList()) {
            for (String in : n.getInputList()) readers.merge(in, 1, Integer::sum);
        }
        for (ValueInfoProto out : proto.getOutputList()) readers.merge(out.getName(), 1, Integer::sum);
        for (int i = 0; i < proto.getNodeCount(); i++) {
            // Skipped nodes still take their names, so the nodes read are named as in the whole graph
            String name = uniqueName(proto.getNode(i), i);
            if (needed != null && !needed.contains(i)) continue;
            current = new OnnxNode(file, proto.getNode(i), name);
            try {
                read(current);
            } catch (IllegalArgumentException | IndexOutOfBoundsException | ShapeException e) {
                throw fail("cannot be read: " + OneLine.of(e));
            }
        }
        if (nodes.isEmpty()) {
            throw new ModelException("model file " + file + " has no operator filterviz can run on its input " + input.name());
        }
        try {
            return new Graph(graphName, input.name(), input.channels(), input.height(), input.width(), nodes);
        } catch (IllegalArgumentException e) {
            throw new ModelException("model file " + file + ": " + OneLine.of(e));
        }
    }

    private String uniqueName(NodeProto n, int index) {
        String base = n.getName().isEmpty() ? n.getOpType() + "_" + index : n.getName();
        String name = base;
        for (int k = 2; !nodeNames.add(name); k++) name = base + "_" + k;
        return name;
    }

    private void read(OnnxNode n) {
        String domain = n.domain();
        if (!domain.isEmpty() && !domain.equals("ai.onnx")) {
            throw fail("from operator domain '" + domain + "' is not supported; supported: ONNX's default domain with " + SUPPORTED);
        }
        switch (n.opType()) {
            case "Constant" -> constantNode(n);
            case "Identity" -> passThrough(n);
            case "Dropout" -> dropout(n);
            case "Conv" -> conv(n);
            case "BatchNormalization" -> batchNormalization(n);
            case "Relu" -> activation(n, Activation.relu(), Set.of());
            case "LeakyRelu" -> activation(n, new Activation(Activation.Kind.LEAKY_RELU, n.real("alpha", 0.01f), 0f), Set.of("alpha"));
            case "Sigmoid" -> activation(n, new Activation(Activation.Kind.SIGMOID, 0f, 0f), Set.of());
            case "HardSigmoid" -> activation(n, new Activation(Activation.Kind.HARD_SIGMOID, n.real("alpha", 0.2f),
                    n.real("beta", 0.5f)), Set.of("alpha", "beta"));
            case "HardSwish" -> activation(n, new Activation(Activation.Kind.HARD_SWISH, 0f, 0f), Set.of());
            case "Clip" -> clip(n);
            case "Add", "Sub", "Mul", "Div" -> binary(n);
            case "Concat" -> concat(n);
            case "MaxPool", "AveragePool" -> pool(n);
            case "GlobalAveragePool" -> globalAveragePool(n);
            case "ReduceMean" -> reduceMean(n);
            case "Pad" -> pad(n);
            case "Flatten" -> flatten(n);
            case "Reshape" -> reshape(n);
            case "Gemm" -> gemm(n);
            case "MatMul" -> matMul(n);
            case "Shape" -> shape(n);
            case "Squeeze" -> squeeze(n);
            case "Gather", "Unsqueeze", "Cast" -> constantOnly(n);
            default -> throw fail("is not supported; supported operators: " + SUPPORTED
                    + (n.opType().equals("Transpose") ? " (a Transpose at the input: export NCHW, tf2onnx --inputs-as-nchw)" : ""));
        }
    }

    // ---- constants and pass-through ----

    private void constantNode(OnnxNode n) {
        n.allowOnly("value", "value_float", "value_floats", "value_int", "value_ints");
        AttributeProto a = n.attributes().get(0);
        Constant c = switch (a.getName()) {
            case "value" -> Constant.of(a.getT(), "its value", external);
            case "value_float" -> Constant.ofFloats(new long[0], a.getF());
            case "value_floats" -> Constant.ofFloats(new long[]{a.getFloatsCount()}, toFloats(a.getFloatsList()));
            case "value_int" -> Constant.ofLongs(new long[0], a.getI());
            default -> Constant.ofLongs(new long[]{a.getIntsCount()}, a.getIntsList().stream().mapToLong(Long::longValue).toArray());
        };
        constants.put(n.output(0), c);
    }

    private void passThrough(OnnxNode n) {
        String in = n.input(0);
        if (constants.containsKey(in)) constants.put(n.output(0), constants.get(in));
        else aliases.put(n.output(0), runtime(n, 0));
    }

    private void dropout(OnnxNode n) {
        n.allowOnly("ratio", "seed", "is_test");
        if (n.inputCount() > 2 && !n.input(2).isEmpty()) {
            Constant training = constantInput(n, 2, "training_mode");
            if (training.longs()[0] != 0) throw fail("runs in training mode; only inference (training_mode false) is supported");
        }
        unusedExtraOutputs(n);
        aliases.put(n.output(0), runtime(n, 0));
    }

    // ---- convolution and batch normalisation ----

    private void conv(OnnxNode n) {
        n.allowOnly("kernel_shape", "strides", "pads", "dilations", "group", "auto_pad");
        String x = runtime(n, 0);
        Info in = info(x);
        if (in.rank() != 4) throw fail("takes a vector; a convolution needs an image");
        Constant w = constantInput(n, 1, "weights");
        if (w.rank() != 4) throw fail("has " + w.rank() + "-D weights; only 2-D convolutions (4-D weights) are supported");
        int group = (int) n.integer("group", 1);
        int out = (int) w.dims()[0], inPerGroup = (int) w.dims()[1], kh = (int) w.dims()[2], kw = (int) w.dims()[3];
        long[] kernel = n.ints("kernel_shape", new long[]{kh, kw});
        if (kernel.length != 2 || kernel[0] != kh || kernel[1] != kw) {
            throw fail("has kernel_shape " + Arrays.toString(kernel) + " but weights " + Arrays.toString(w.dims()));
        }
        long[] strides = n.pair("strides");
        long[] dilations = n.pair("dilations");
        int[] pads = n.pads();
        String same = n.autoPad();
        if (same != null && same.equals("VALID")) {
            pads = new int[4];
            same = null;
        }
        if (in.channels() >= 0 && in.channels() != inPerGroup * group) {
            throw fail("expects " + inPerGroup * group + " input channels (weights " + Arrays.toString(w.dims()) + ", group "
                    + group + "), its input " + x + " has " + in.channels());
        }
        if (group < 1 || out % group != 0) throw fail("has group " + group + ", which does not divide its " + out + " outputs");
        float[] bias = n.inputCount() > 2 && !n.input(2).isEmpty() ? constantInput(n, 2, "bias").floats().clone() : new float[out];
        if (bias.length != out) throw fail("has " + bias.length + " biases for " + out + " output channels");
        Conv conv = new Conv(out, inPerGroup * group, kh, kw, (int) strides[0], (int) strides[1], pads, same,
                (int) dilations[0], (int) dilations[1], group, weights ? w.floats() : Conv.NO_WEIGHTS, bias);
        boolean pointwise = kh == 1 && kw == 1 && Arrays.equals(pads, new int[4]);
        emit(n, conv, List.of(x), new Info(4, out, in.global() && pointwise));
    }

    private void batchNormalization(OnnxNode n) {
        n.allowOnly("epsilon", "momentum", "spatial", "training_mode", "is_test", "consumed_inputs");
        if (n.integer("spatial", 1) != 1) throw fail("has spatial=0; only spatial batch normalisation is supported");
        if (n.integer("training_mode", 0) != 0) throw fail("runs in training mode; only inference is supported");
        unusedExtraOutputs(n);
        String x = runtime(n, 0);
        float[] gamma = constantInput(n, 1, "scale").floats(), beta = constantInput(n, 2, "bias").floats();
        float[] mean = constantInput(n, 3, "mean").floats(), variance = constantInput(n, 4, "variance").floats();
        int channels = gamma.length;
        if (beta.length != channels || mean.length != channels || variance.length != channels) {
            throw fail("has scale, bias, mean and variance of different lengths");
        }
        Info in = info(x);
        if (in.channels() >= 0 && in.channels() != channels) {
            throw fail("normalises " + channels + " channels, its input " + x + " has " + in.channels());
        }
        double epsilon = n.real("epsilon", 1e-5f);
        double[] scale = new double[channels];
        for (int c = 0; c < channels; c++) scale[c] = gamma[c] / Math.sqrt(variance[c] + epsilon);
        Integer at = producers.get(x);
        if (at != null && nodes.get(at).op() instanceof Conv conv && readerCount(x) == 1) {
            // y = s·(conv(x) − mean) + beta: scale each output channel's kernel and fold the rest into its bias (a
            // convolution read without weights stays without: its loop below has nothing to scale)
            float[] weights = conv.weights().clone();
            int perOutput = weights.length / conv.outChannels();
            float[] bias = new float[channels];
            for (int o = 0; o < channels; o++) {
                for (int i = o * perOutput; i < (o + 1) * perOutput; i++) weights[i] = (float) (weights[i] * scale[o]);
                bias[o] = (float) ((conv.bias()[o] - mean[o]) * scale[o] + beta[o]);
            }
            Conv folded = new Conv(conv.outChannels(), conv.inChannels(), conv.kernelHeight(), conv.kernelWidth(),
                    conv.strideHeight(), conv.strideWidth(), conv.pads(), conv.samePadding(), conv.dilationHeight(),
                    conv.dilationWidth(), conv.group(), weights, bias);
            Node old = nodes.get(at);
            nodes.set(at, new Node(old.name(), folded, old.inputs(), n.output(0)));
            producers.remove(x);
            producers.put(n.output(0), at);
            infos.put(n.output(0), in);
            return;
        }
        float[] s = new float[channels], shift = new float[channels];
        for (int c = 0; c < channels; c++) {
            s[c] = (float) scale[c];
            shift[c] = (float) (beta[c] - mean[c] * scale[c]);
        }
        emit(n, ChannelAffine.of(s, shift), List.of(x), in);
    }

    // ---- element-wise ----

    private void activation(OnnxNode n, Activation activation, Set<String> attributes) {
        n.allowOnly(attributes.toArray(String[]::new));
        String x = runtime(n, 0);
        emit(n, activation, List.of(x), info(x));
    }

    private void clip(OnnxNode n) {
        float min = Float.NEGATIVE_INFINITY, max = Float.POSITIVE_INFINITY;
        if (opset < 11) {
            n.allowOnly("min", "max");
            min = n.real("min", min);
            max = n.real("max", max);
        } else {
            n.allowOnly();
            if (n.inputCount() > 1 && !n.input(1).isEmpty()) min = scalar(constantInput(n, 1, "min"));
            if (n.inputCount() > 2 && !n.input(2).isEmpty()) max = scalar(constantInput(n, 2, "max"));
        }
        String x = runtime(n, 0);
        emit(n, new Activation(Activation.Kind.CLIP, min, max), List.of(x), info(x));
    }

    private void binary(OnnxNode n) {
        n.allowOnly();
        String op = n.opType();
        boolean firstConstant = constants.containsKey(n.input(0)), secondConstant = constants.containsKey(n.input(1));
        if (firstConstant && secondConstant) throw fail("combines two constants; only shape computations are evaluated on constants");
        if (!firstConstant && !secondConstant) {
            String a = runtime(n, 0), b = runtime(n, 1);
            Info ia = info(a), ib = info(b);
            if (ia.rank() != ib.rank()) throw fail("combines a " + ia.rank() + "-D and a " + ib.rank() + "-D tensor");
            switch (op) {
                case "Add" -> emit(n, new Add(), List.of(a, b), new Info(ia.rank(), ia.channels(), ia.global() && ib.global()));
                case "Mul" -> {
                    if (ia.global() && !ib.global()) { // the gate (C×1×1) goes second
                        String t = a; a = b; b = t;
                        Info ti = ia; ia = ib; ib = ti;
                    }
                    emit(n, new Mul(), List.of(a, b), new Info(ia.rank(), ia.channels(), ia.global() && ib.global()));
                }
                default -> throw fail("of two computed tensors is not supported; " + op + " is supported by a constant");
            }
            return;
        }
        int xi = firstConstant ? 1 : 0;
        String x = runtime(n, xi);
        Constant c = constants.get(n.input(1 - xi));
        Info in = info(x);
        float[] values = perChannel(c, x, in);
        int channels = values.length;
        if (op.equals("Add") && foldBias(x, values, n.output(0))) return;
        float[] scale = new float[channels], shift = new float[channels];
        for (int k = 0; k < channels; k++) {
            float v = values[k];
            switch (op) {
                case "Add" -> { scale[k] = 1; shift[k] = v; }
                case "Mul" -> scale[k] = v;
                case "Sub" -> { scale[k] = xi == 0 ? 1 : -1; shift[k] = xi == 0 ? -v : v; }
                default -> {
                    if (xi == 1) throw fail("divides a constant by a computed tensor; only division by a constant is supported");
                    scale[k] = 1 / v;
                }
            }
        }
        emit(n, ChannelAffine.of(scale, shift), List.of(x), in);
    }

    /** A constant that broadcasts over positions only: a scalar or one value per channel (unit for a vector). */
    private float[] perChannel(Constant c, String x, Info in) {
        long[] core = c.core();
        boolean scalar = core.length == 0;
        boolean perChannel = in.rank() == 4 ? core.length == 3 && core[1] == 1 && core[2] == 1 : core.length == 1;
        if (c.rank() > in.rank() || !(scalar || perChannel)) {
            throw fail("broadcasts a constant of shape " + Arrays.toString(c.dims()) + " onto " + x
                    + "; supported: a scalar or one value per channel");
        }
        int channels = scalar ? channelsOf(x, in) : (int) core[0];
        if (in.channels() >= 0 && channels != in.channels()) {
            throw fail("has " + channels + " values for the " + in.channels() + " channels of " + x);
        }
        float[] values = c.floats();
        if (!scalar) return values.clone();
        float[] out = new float[channels];
        Arrays.fill(out, values[0]);
        return out;
    }

    /**
     * Adds a constant to the bias of the dense layer that writes {@code x} when nothing else reads x; the dense node
     * then writes {@code output} (often the model's "logits"), x's name goes.
     */
    private boolean foldBias(String x, float[] values, String output) {
        Integer at = producers.get(x);
        if (at == null || !(nodes.get(at).op() instanceof Dense dense) || readerCount(x) != 1) return false;
        float[] bias = dense.bias().clone();
        for (int k = 0; k < bias.length; k++) bias[k] += values[k];
        Node old = nodes.get(at);
        nodes.set(at, new Node(old.name(), new Dense(dense.outUnits(), dense.inUnits(), dense.weights(), bias), old.inputs(), output));
        producers.remove(x);
        producers.put(output, at);
        infos.put(output, infos.get(x));
        return true;
    }

    private void concat(OnnxNode n) {
        n.allowOnly("axis");
        if (n.inputs().stream().allMatch(constants::containsKey)) {
            constantOnly(n);
            return;
        }
        List<String> inputs = new ArrayList<>();
        int channels = 0;
        boolean global = true;
        int rank = -1;
        for (int i = 0; i < n.inputCount(); i++) {
            String x = runtime(n, i);
            Info in = info(x);
            if (rank >= 0 && in.rank() != rank) throw fail("concatenates tensors of different ranks");
            rank = in.rank();
            channels = channels < 0 || in.channels() < 0 ? -1 : channels + in.channels();
            global &= in.global();
            inputs.add(x);
        }
        long axis = n.integer("axis", Long.MIN_VALUE);
        if (axis < 0) axis += rank;
        if (axis != 1) throw fail("concatenates along axis " + n.integer("axis", 0) + "; only channels (axis 1) are supported");
        emit(n, new Concat(inputs.size()), inputs, new Info(rank, channels, global));
    }

    // ---- pooling ----

    private void pool(OnnxNode n) {
        boolean max = n.opType().equals("MaxPool");
        if (max) n.allowOnly("kernel_shape", "strides", "pads", "auto_pad", "ceil_mode", "dilations", "storage_order");
        else n.allowOnly("kernel_shape", "strides", "pads", "auto_pad", "ceil_mode", "count_include_pad", "dilations");
        unusedExtraOutputs(n);
        String x = runtime(n, 0);
        Info in = info(x);
        if (in.rank() != 4) throw fail("takes a vector; pooling needs an image");
        long[] kernel = n.ints("kernel_shape", null);
        if (kernel == null || kernel.length != 2) throw fail("needs a 2-D kernel_shape");
        long[] strides = n.pair("strides");
        long[] dilations = n.pair("dilations");
        if (dilations[0] != 1 || dilations[1] != 1) throw fail("has dilations " + Arrays.toString(dilations) + "; only 1 is supported");
        if (n.integer("storage_order", 0) != 0) throw fail("has storage_order 1; only 0 is supported");
        int[] pads = n.pads();
        String same = n.autoPad();
        if ("VALID".equals(same)) {
            pads = new int[4];
        } else if (same != null) {
            if (strides[0] != 1 || strides[1] != 1) {
                throw fail("has auto_pad " + same + " with stride " + Arrays.toString(strides)
                        + "; supported: explicit pads, or SAME_* with stride 1");
            }
            int th = (int) kernel[0] - 1, tw = (int) kernel[1] - 1;
            boolean upper = same.equals("SAME_UPPER");
            pads = new int[]{upper ? th / 2 : th - th / 2, upper ? tw / 2 : tw - tw / 2,
                    upper ? th - th / 2 : th / 2, upper ? tw - tw / 2 : tw / 2};
        }
        boolean ceil = n.integer("ceil_mode", 0) != 0;
        boolean countPad = n.integer("count_include_pad", 0) != 0;
        Pool pool = new Pool(max ? Pool.Kind.MAX : Pool.Kind.AVERAGE, (int) kernel[0], (int) kernel[1], (int) strides[0],
                (int) strides[1], pads, ceil, countPad);
        emit(n, pool, List.of(x), new Info(4, in.channels(), false));
    }

    private void globalAveragePool(OnnxNode n) {
        n.allowOnly();
        String x = runtime(n, 0);
        Info in = info(x);
        if (in.rank() != 4) throw fail("takes a vector; pooling needs an image");
        emit(n, new GlobalAveragePool(), List.of(x), new Info(4, in.channels(), true));
    }

    /** ReduceMean over H and W is a global average pool (tf2onnx writes Keras' GlobalAveragePooling2D so). */
    private void reduceMean(OnnxNode n) {
        n.allowOnly("axes", "keepdims", "noop_with_empty_axes");
        String x = runtime(n, 0);
        Info in = info(x);
        long[] axes = opset >= 18 && n.inputCount() > 1 ? constantInput(n, 1, "axes").longs() : n.ints("axes", new long[0]);
        Set<Long> normalised = Arrays.stream(axes).map(a -> a < 0 ? a + in.rank() : a).boxed().collect(Collectors.toSet());
        if (in.rank() != 4 || !normalised.equals(Set.of(2L, 3L))) {
            throw fail("averages over axes " + Arrays.toString(axes) + "; only over height and width (axes 2, 3) is supported");
        }
        if (n.integer("keepdims", 1) != 0) {
            emit(n, new GlobalAveragePool(), List.of(x), new Info(4, in.channels(), true));
            return;
        }
        String pooled = n.output(0) + ":keepdims";
        add(current.name() + ":pool", new GlobalAveragePool(), List.of(x), pooled, new Info(4, in.channels(), true));
        emit(n, new Flatten(), List.of(pooled), new Info(2, in.channels(), false));
    }

    // ---- shapes ----

    private void pad(OnnxNode n) {
        String mode;
        long[] p;
        float value = 0;
        if (opset < 11) {
            n.allowOnly("mode", "pads", "value", "paddings");
            mode = n.string("mode", "constant");
            p = n.ints("pads", n.ints("paddings", new long[0]));
            value = n.real("value", 0f);
        } else {
            n.allowOnly("mode");
            mode = n.string("mode", "constant");
            p = constantInput(n, 1, "pads").longs();
            if (n.inputCount() > 2 && !n.input(2).isEmpty()) value = scalar(constantInput(n, 2, "constant_value"));
            if (n.inputCount() > 3 && !n.input(3).isEmpty()) throw fail("has an axes input; pads over all 4 axes are supported");
        }
        if (!mode.equals("constant")) throw fail("has mode " + mode + "; only constant padding is supported");
        String x = runtime(n, 0);
        Info in = info(x);
        if (in.rank() != 4 || p.length != 8) throw fail("pads " + Arrays.toString(p) + "; supported: an image's height and width");
        if (p[0] != 0 || p[1] != 0 || p[4] != 0 || p[5] != 0) {
            throw fail("pads the batch or channels " + Arrays.toString(p) + "; only height and width are supported");
        }
        if (Arrays.stream(p).anyMatch(v -> v < 0)) throw fail("has negative pads " + Arrays.toString(p) + " (a crop); not supported");
        emit(n, new Pad(new int[]{(int) p[2], (int) p[3], (int) p[6], (int) p[7]}, value), List.of(x), new Info(4, in.channels(), false));
    }

    private void flatten(OnnxNode n) {
        n.allowOnly("axis");
        String x = runtime(n, 0);
        Info in = info(x);
        long axis = n.integer("axis", 1);
        if (axis < 0) axis += in.rank();
        if (axis != 1) throw fail("flattens from axis " + n.integer("axis", 1) + "; only axis 1 (keep the batch) is supported");
        if (in.rank() == 2) {
            aliases.put(n.output(0), x);
            return;
        }
        emit(n, new Flatten(), List.of(x), new Info(2, in.global() ? in.channels() : -1, false));
    }

    /** Squeezing H and W of a C×1×1 tensor (tf2onnx after a global pool) is a flatten. */
    private void squeeze(OnnxNode n) {
        n.allowOnly("axes");
        if (constants.containsKey(n.input(0))) {
            constantOnly(n);
            return;
        }
        String x = runtime(n, 0);
        Info in = info(x);
        long[] axes = opset >= 13 && n.inputCount() > 1 ? constantInput(n, 1, "axes").longs() : n.ints("axes", null);
        Set<Long> normalised = axes == null ? Set.of(2L, 3L)
                : Arrays.stream(axes).map(a -> a < 0 ? a + in.rank() : a).boxed().collect(Collectors.toSet());
        boolean oneByOne = in.global() || input.height() > 0 && fixedShape(x).height() == 1 && fixedShape(x).width() == 1;
        if (in.rank() != 4 || !normalised.equals(Set.of(2L, 3L)) || !oneByOne) {
            throw fail("squeezes axes " + (axes == null ? "(all of size 1)" : Arrays.toString(axes)) + " of " + x
                    + "; supported: height and width of a C×1×1 tensor (after a global pool)");
        }
        emit(n, new Flatten(), List.of(x), new Info(2, in.channels(), false));
    }

    private void reshape(OnnxNode n) {
        n.allowOnly("allowzero");
        if (constants.containsKey(n.input(0))) {
            constantOnly(n);
            return;
        }
        String x = runtime(n, 0);
        Info in = info(x);
        long[] target = constantInput(n, 1, "shape").longs();
        boolean batchKept = target.length == 2 && (target[0] == 1 || target[0] == 0 && n.integer("allowzero", 0) == 0
                || target[0] == -1 && target[1] > 0);
        if (!batchKept || target[1] == UNKNOWN || target[1] == 0 || target[1] < -1) {
            throw fail("reshapes to " + describe(target) + "; only a flatten to [1, -1] (or [1, K]) is supported");
        }
        if (target[1] > 0 && in.channels() >= 0 && (in.rank() == 2 || in.global()) && target[1] != in.channels()) {
            throw fail("reshapes " + in.channels() + " values to " + describe(target));
        }
        if (in.rank() == 2) {
            aliases.put(n.output(0), x);
            return;
        }
        emit(n, new Flatten(), List.of(x), new Info(2, target[1] > 0 ? (int) target[1] : in.global() ? in.channels() : -1, false));
    }

    // ---- dense ----

    private void gemm(OnnxNode n) {
        n.allowOnly("alpha", "beta", "transA", "transB", "broadcast");
        if (n.integer("transA", 0) != 0) throw fail("has transA=1; only transB is supported");
        String x = runtime(n, 0);
        Constant b = constantInput(n, 1, "B");
        if (b.rank() != 2) throw fail("has a " + b.rank() + "-D B; a 2-D constant matrix is supported");
        boolean transB = n.integer("transB", 0) != 0;
        int in = (int) b.dims()[transB ? 1 : 0], out = (int) b.dims()[transB ? 0 : 1];
        float alpha = n.real("alpha", 1f), beta = n.real("beta", 1f);
        float[] w = weights ? dense(b.floats(), in, out, transB, alpha) : Dense.NO_WEIGHTS;
        float[] bias = new float[out];
        if (n.inputCount() > 2 && !n.input(2).isEmpty()) {
            Constant c = constantInput(n, 2, "C");
            long[] core = c.core();
            if (!(core.length == 0 || core.length == 1 && core[0] == out) || c.rank() > 2) {
                throw fail("has C of shape " + Arrays.toString(c.dims()) + "; supported: a scalar or one value per output");
            }
            float[] v = c.floats();
            for (int k = 0; k < out; k++) bias[k] = beta * v[core.length == 0 ? 0 : k];
        }
        denseNode(n, x, new Dense(out, in, w, bias));
    }

    private void matMul(OnnxNode n) {
        n.allowOnly();
        if (constants.containsKey(n.input(0))) throw fail("multiplies a constant by a computed tensor; supported: a vector times a constant matrix");
        String x = runtime(n, 0);
        if (!constants.containsKey(n.input(1))) throw fail("multiplies two computed tensors; supported: a vector times a constant matrix");
        Constant b = constantInput(n, 1, "B");
        if (b.rank() != 2) throw fail("has a " + b.rank() + "-D B; a 2-D constant matrix is supported");
        int in = (int) b.dims()[0], out = (int) b.dims()[1];
        denseNode(n, x, new Dense(out, in, weights ? dense(b.floats(), in, out, false, 1f) : Dense.NO_WEIGHTS, new float[out]));
    }

    private void denseNode(OnnxNode n, String x, Dense dense) {
        Info info = info(x);
        if (info.rank() != 2 && !info.global()) {
            throw fail("takes the image " + x + "; supported: a vector (after Flatten) or a C×1×1 tensor");
        }
        if (info.channels() >= 0 && info.channels() != dense.inUnits()) {
            throw fail("takes " + dense.inUnits() + " inputs, " + x + " has " + info.channels());
        }
        emit(n, dense, List.of(x), new Info(2, dense.outUnits(), false));
    }

    /** ONNX's B (in × out, or out × in with transB) → our out × in, times alpha. */
    private static float[] dense(float[] b, int in, int out, boolean transB, float alpha) {
        // PyTorch's Linear (Gemm, transB=1) is already out × in: no second copy of what may be hundreds of MB
        if (transB && alpha == 1f) return b;
        float[] w = new float[in * out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                float v = transB ? b[o * in + i] : b[i * out + o];
                w[o * in + i] = alpha == 1f ? v : alpha * v;
            }
        }
        return w;
    }

    // ---- constant shape computations ----

    private void shape(OnnxNode n) {
        n.allowOnly("start", "end");
        long[] dims;
        if (constants.containsKey(n.input(0))) {
            dims = constants.get(n.input(0)).dims().clone();
        } else {
            String x = runtime(n, 0);
            Info in = info(x);
            dims = new long[in.rank()];
            Arrays.fill(dims, UNKNOWN);
            dims[0] = 1;
            if (in.channels() >= 0) dims[1] = in.channels();
            if (in.rank() == 4 && in.global()) dims[2] = dims[3] = 1;
            if (in.rank() == 4 && x.equals(input.name()) && input.height() > 0) {
                dims[2] = input.height();
                dims[3] = input.width();
            }
        }
        int start = (int) clampAxis(n.integer("start", 0), dims.length);
        int end = (int) clampAxis(n.integer("end", dims.length), dims.length);
        long[] slice = Arrays.copyOfRange(dims, start, Math.max(start, end));
        constants.put(n.output(0), Constant.ofLongs(new long[]{slice.length}, slice));
    }

    private static long clampAxis(long axis, int rank) {
        if (axis < 0) axis += rank;
        return Math.max(0, Math.min(rank, axis));
    }

    /** Gather, Unsqueeze, Squeeze, Cast, Concat and Reshape of constants, evaluated here. */
    private void constantOnly(OnnxNode n) {
        for (String in : n.inputs()) {
            if (!in.isEmpty() && !constants.containsKey(in)) {
                throw fail("on the computed tensor " + in + " is not supported; it is evaluated only on constants (shape computations)");
            }
        }
        constants.put(n.output(0), ConstantOps.evaluate(n, constants, opset));
    }

    // ---- helpers ----

    private void emit(OnnxNode n, Op op, List<String> inputs, Info info) {
        add(current.name(), op, inputs, n.output(0), info);
    }

    private void add(String name, Op op, List<String> inputs, String output, Info info) {
        nodes.add(new Node(name, op, inputs, output));
        producers.put(output, nodes.size() - 1);
        infos.put(output, info);
        nodeNames.add(name);
    }

    /** Input {@code i}: a tensor computed at run time, followed through Identity and Dropout. */
    private String runtime(OnnxNode n, int i) {
        String name = n.input(i);
        if (constants.containsKey(name)) throw fail("takes the constant " + name + " as input " + i + "; a computed tensor is supported there");
        String resolved = aliases.getOrDefault(name, name);
        if (!infos.containsKey(resolved)) {
            throw fail("reads " + name + ", which no supported node computes before it");
        }
        return resolved;
    }

    private Info info(String tensor) { return infos.get(tensor); }

    /** How many nodes (and graph outputs) read {@code tensor}, through Identity and Dropout. */
    private int readerCount(String tensor) {
        int count = readers.getOrDefault(tensor, 0);
        for (Map.Entry<String, String> alias : aliases.entrySet()) {
            if (alias.getValue().equals(tensor)) count += readers.getOrDefault(alias.getKey(), 0) - 1;
        }
        return count;
    }

    private Constant constantInput(OnnxNode n, int i, String role) {
        if (n.inputCount() <= i || n.input(i).isEmpty()) throw fail("has no " + role + " input");
        Constant c = constants.get(n.input(i));
        if (c == null) throw fail("computes its " + role + " (" + n.input(i) + "); only an initializer or a Constant is supported");
        return c;
    }

    private float scalar(Constant c) {
        if (c.size() != 1) throw fail("has a non-scalar bound " + Arrays.toString(c.dims()));
        return c.floats()[0];
    }

    /** Channel count of {@code x}, from the fixed input size when the reader could not follow it by itself. */
    private int channelsOf(String x, Info in) {
        if (in.channels() >= 0) return in.channels();
        if (input.height() > 0) return fixedShape(x).channels();
        throw fail("needs the unit count of " + x + ", which depends on the input size");
    }

    /** The shape of {@code x} at the network's fixed input size. */
    private Shape fixedShape(String x) {
        Graph sofar = new Graph("partial", input.name(), input.channels(), input.height(), input.width(), nodes);
        return sofar.shapes(input.height(), input.width()).get(x);
    }

    private void unusedExtraOutputs(OnnxNode n) {
        for (int i = 1; i < n.outputCount(); i++) {
            String out = n.output(i);
            if (!out.isEmpty() && proto.getNodeList().stream().anyMatch(other -> other.getInputList().contains(out))) {
                throw fail("output " + i + " (" + out + ") is used; only the first output is supported");
            }
        }
    }

    private static float[] toFloats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i);
        return out;
    }

    private static String describe(long[] shape) {
        return Arrays.stream(shape).mapToObj(v -> v == UNKNOWN ? "?" : Long.toString(v))
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private ModelException fail(String what) {
        return current.fail(what);
    }
}
