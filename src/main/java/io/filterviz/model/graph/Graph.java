package io.filterviz.model.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A network as the engines see it: one image input ({@code inputChannels} × height × width, pixel values already
 * mapped by the model's preprocessing nodes) and nodes in topological order, each producing one named tensor.
 * Both loaders (ONNX, Keras) produce it and every engine consumes it; the built-in VGGs are graphs built in code.
 *
 * @param fixedHeight 0 when the network takes any size, else the only input height it takes (likewise width)
 */
public record Graph(String name, String input, int inputChannels, int fixedHeight, int fixedWidth, List<Node> nodes) {
    public Graph {
        nodes = List.copyOf(nodes);
        Set<String> known = new HashSet<>(Set.of(input));
        Set<String> names = new HashSet<>();
        for (Node node : nodes) {
            if (!names.add(node.name())) throw new IllegalArgumentException("two nodes named " + node.name());
            for (String in : node.inputs()) {
                if (!known.contains(in)) {
                    throw new IllegalArgumentException("node " + node.name() + " reads " + in + " before anything writes it");
                }
            }
            if (!known.add(node.output())) throw new IllegalArgumentException("tensor " + node.output() + " is written twice");
        }
    }

    public boolean fixedSize() { return fixedHeight > 0; }

    /**
     * Whether a convolution or dense layer holds no weights: a structure read for the driver's checks
     * ({@code OnnxLoader.structure}), which no engine can run.
     */
    public boolean structureOnly() {
        return nodes.stream().anyMatch(n -> n.op() instanceof Conv c && !c.hasWeights()
                || n.op() instanceof Dense d && !d.hasWeights());
    }

    /** Throws unless the graph holds its weights (what an engine compiles). */
    public Graph withWeights() {
        if (structureOnly()) throw new IllegalArgumentException(name + " was read without its weights: no engine runs it");
        return this;
    }

    /** The node that writes {@code tensor}; empty for the input. */
    public Optional<Node> producer(String tensor) {
        return nodes.stream().filter(n -> n.output().equals(tensor)).findFirst();
    }

    /** The nodes that read {@code tensor}, in order. */
    public List<Node> consumers(String tensor) {
        return nodes.stream().filter(n -> n.inputs().contains(tensor)).toList();
    }

    public boolean hasTensor(String tensor) {
        return tensor.equals(input) || producer(tensor).isPresent();
    }

    /** A tensor named by itself or by the node that writes it; empty when neither exists. */
    public Optional<String> resolve(String nodeOrTensor) {
        if (hasTensor(nodeOrTensor)) return Optional.of(nodeOrTensor);
        return nodes.stream().filter(n -> n.name().equals(nodeOrTensor)).map(Node::output).findFirst();
    }

    /** Every tensor a node writes, in topological order. */
    public List<String> tensors() { return nodes.stream().map(Node::output).toList(); }

    /** The shape of every tensor for an input of this size (the input included); {@link ShapeException} if it does not fit. */
    public Map<String, Shape> shapes(int height, int width) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        shapes.put(input, Shape.image(inputChannels, height, width));
        for (Node node : nodes) {
            List<Shape> in = node.inputs().stream().map(shapes::get).toList();
            try {
                shapes.put(node.output(), node.op().outputShape(in));
            } catch (ShapeException e) {
                throw new ShapeException("at " + height + "×" + width + " px, node " + node.name() + " (" + node.op().type()
                        + "): " + e.getMessage());
            }
        }
        return shapes;
    }

    /** The part of the graph that computes {@code tensor}: its ancestors, in order. Nothing after the target runs. */
    public Graph upTo(String tensor) {
        return upTo(List.of(tensor));
    }

    /** The part of the graph that computes any of {@code tensors} (an atlas' targets): their ancestors, in order. */
    public Graph upTo(java.util.Collection<String> tensors) {
        for (String tensor : tensors) {
            if (!hasTensor(tensor)) throw new IllegalArgumentException("no tensor " + tensor + " in " + name);
        }
        Set<String> needed = new HashSet<>(tensors);
        List<Node> kept = new ArrayList<>();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node node = nodes.get(i);
            if (needed.contains(node.output())) {
                kept.add(node);
                needed.addAll(node.inputs());
            }
        }
        Collections.reverse(kept);
        return new Graph(name, input, inputChannels, fixedHeight, fixedWidth, kept);
    }

    /**
     * Whether {@code tensor} cannot be negative by construction: a ReLU, a sigmoid or a Clip at 0 or above, or a
     * pooling, concatenation, padding, sum or product of such tensors. Only there may a mean ≤ 1e−7 mean a dead filter.
     */
    public boolean nonNegative(String tensor) {
        Map<String, Boolean> memo = new HashMap<>();
        return nonNegative(tensor, memo);
    }

    private boolean nonNegative(String tensor, Map<String, Boolean> memo) {
        Boolean known = memo.get(tensor);
        if (known != null) return known;
        Optional<Node> producer = producer(tensor);
        boolean result;
        if (producer.isEmpty()) {
            result = false;
        } else {
            Op op = producer.get().op();
            if (op instanceof Activation a && a.nonNegativeOutput()) {
                result = true;
            } else if (op.keepsNonNegative()) {
                result = producer.get().inputs().stream().allMatch(in -> nonNegative(in, memo));
            } else {
                result = false;
            }
        }
        memo.put(tensor, result);
        return result;
    }

    /**
     * What {@code --layer all} takes, in network order: every convolution's output ({@link #convolutionOutputs}),
     * every MLP hidden activation of a vision transformer (a GELU between two dense layers on tokens × channels,
     * where Ghiasi et al. 2022 found a ViT's interpretable features), and every stage's output of a network with
     * layer normalisation and stages of falling resolution (ConvNeXt, Swin): the last residual sum before the
     * resolution changes, and the last one of all.
     */
    public List<String> atlasTargets() {
        Set<String> chosen = new HashSet<>(convolutionOutputs());
        Map<String, Shape> shapes = null;
        boolean normalised = nodes.stream().anyMatch(n -> n.op() instanceof LayerNorm);
        if (normalised) {
            try {
                shapes = fixedSize() ? shapes(fixedHeight, fixedWidth) : shapes(224, 224);
            } catch (ShapeException e) {
                shapes = null;
            }
        }
        if (shapes != null) {
            Node previousSum = null;
            boolean staged = false;
            for (Node node : nodes) {
                Shape out = shapes.get(node.output());
                if (node.op() instanceof Activation a && a.kind() == Activation.Kind.GELU && out.rank() == 2
                        && producer(node.inputs().get(0)).map(p -> p.op() instanceof Dense).orElse(false)) {
                    chosen.add(node.output());
                }
                boolean residual = node.inputs().size() == 2 && !node.inputs().get(0).equals(node.inputs().get(1))
                        && (node.op() instanceof Add || node.op() instanceof Binary b && b.kind() == Binary.Kind.ADD)
                        && shapes.get(node.inputs().get(0)).sameDims(shapes.get(node.inputs().get(1)));
                if (!residual) continue;
                if (previousSum != null && shapes.get(previousSum.output()).positions() != out.positions()) {
                    chosen.add(previousSum.output());
                    staged = true;
                }
                previousSum = node;
            }
            if (staged) chosen.add(previousSum.output());
        }
        return nodes.stream().map(Node::output).filter(chosen::contains).toList();
    }

    /**
     * Every convolution's output, taken after what follows it channel by channel (an unfolded BatchNormalization,
     * then an activation) when that is its only reader.
     */
    public List<String> convolutionOutputs() {
        List<String> targets = new ArrayList<>();
        for (Node node : nodes) {
            if (!(node.op() instanceof Conv)) continue;
            String tensor = node.output();
            while (true) {
                List<Node> readers = consumers(tensor);
                if (readers.size() != 1) break;
                Op next = readers.get(0).op();
                if (!(next instanceof Activation || next instanceof ChannelAffine)) break;
                tensor = readers.get(0).output();
                if (next instanceof Activation) break;
            }
            targets.add(tensor);
        }
        return targets;
    }

    /** The product of the strides of the convolutions and pools on the longest-stride path from the input. */
    public int stride(String tensor) {
        return strides().getOrDefault(tensor, 1);
    }

    private Map<String, Integer> strides() {
        Map<String, Integer> strides = new HashMap<>();
        strides.put(input, 1);
        for (Node node : nodes) {
            int in = node.inputs().stream().mapToInt(t -> strides.getOrDefault(t, 1)).max().orElse(1);
            int own = 1;
            if (node.op() instanceof Conv c) own = Math.max(c.strideHeight(), c.strideWidth());
            if (node.op() instanceof Pool p) own = Math.max(p.strideHeight(), p.strideWidth());
            strides.put(node.output(), in * own);
        }
        return strides;
    }

    /**
     * The smallest square input (side in pixels) for which every node up to {@code tensor} has an output, or −1 when
     * none up to 4096 does. For a fixed-size network, its size when that fits.
     */
    public int smallestInput(String tensor) {
        Graph cut = upTo(tensor);
        if (fixedSize()) return cut.fits(fixedHeight, fixedWidth) ? Math.max(fixedHeight, fixedWidth) : -1;
        int low = 1, high = 4096;
        if (!cut.fits(high, high)) return -1;
        while (low < high) { // outputs only grow with the input, so the sizes that fit are an interval from some side up
            int mid = (low + high) / 2;
            if (cut.fits(mid, mid)) high = mid; else low = mid + 1;
        }
        return low;
    }

    /** The shape of {@code tensor} at the fixed input size, else at the smallest square input; null when none fits. */
    public Shape smallestShape(String tensor) {
        int side = smallestInput(tensor);
        if (side < 0) return null;
        return upTo(tensor).shapes(fixedSize() ? fixedHeight : side, fixedSize() ? fixedWidth : side).get(tensor);
    }

    public boolean fits(int height, int width) {
        try {
            shapes(height, width);
            return true;
        } catch (ShapeException e) {
            return false;
        }
    }

    /**
     * A tensor as {@code --list-layers} shows it: its name, the node that writes it, that node's operator, its channel
     * count (units for a vector), whether it is a vector, and its stride from the input.
     */
    public record Layer(String tensor, String node, String operator, int channels, boolean vector, int stride) {}

    /**
     * Every tensor a node writes (each can be a target: a 4-D tensor by the mean of a channel, a vector by one unit),
     * in topological order. Channels are taken at the fixed input size, else at the smallest square input the whole
     * graph fits (a vector that flattens an image grows with the input); −1 when no size up to 4096 fits.
     */
    public List<Layer> layers() {
        Map<String, Shape> shapes = listingShapes();
        Map<String, Integer> strides = strides();
        List<Layer> layers = new ArrayList<>();
        for (Node node : nodes) {
            Shape shape = shapes.get(node.output());
            layers.add(new Layer(node.output(), node.name(), node.op().type(), shape == null ? -1 : shape.channels(),
                    shape != null && shape.vector(), strides.get(node.output())));
        }
        return layers;
    }

    /**
     * Every tensor's shape at the size the listing shows: the fixed input size, else the smallest square input the
     * whole graph fits; empty when no size up to 4096 fits.
     */
    public Map<String, Shape> listingShapes() {
        if (fixedSize()) return fits(fixedHeight, fixedWidth) ? shapes(fixedHeight, fixedWidth) : Map.of();
        int low = 1, high = 4096;
        if (!fits(high, high)) return Map.of();
        while (low < high) {
            int mid = (low + high) / 2;
            if (fits(mid, mid)) high = mid; else low = mid + 1;
        }
        return shapes(low, low);
    }
}
