package io.filterviz.model;

import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Pool;

import java.util.ArrayList;
import java.util.List;

/**
 * Keras' VGG16 or VGG19 as a graph, from its weights: each Keras convolution layer (a 3×3 'same' convolution with ReLU) is a
 * Conv node writing {@code <layer>/conv} and a Relu node writing {@code <layer>}, so a Keras layer name is the name
 * of the tensor after its activation; each pool is a MaxPool node writing {@code <layer>}.
 */
public final class KerasVgg {
    private KerasVgg() {}

    /** The built-in network from a Keras weights file, up to {@code deepest}. */
    public static Graph load(VggArchitecture architecture, java.nio.file.Path file, String deepest) {
        return graph(architecture.name(), KerasH5Weights.load(file, architecture, deepest));
    }

    /** The built-in network with He-normal random weights, up to {@code deepest}. */
    public static Graph random(VggArchitecture architecture, String deepest, long seed) {
        return graph(architecture.name(), RandomWeights.create(architecture, deepest, seed));
    }

    public static Graph graph(String name, NetworkWeights weights) {
        List<Node> nodes = new ArrayList<>();
        String tensor = "input";
        for (LayerSpec layer : weights.layers()) {
            if (layer.isConv()) {
                ConvWeights w = weights.conv(layer.name());
                Conv conv = Conv.simple(w.inChannels(), w.outChannels(), Vgg16.KERNEL, 1, oihw(w), w.bias().clone());
                nodes.add(new Node(layer.name() + "/conv", conv, tensor, layer.name() + "/conv"));
                nodes.add(new Node(layer.name(), Activation.relu(), layer.name() + "/conv", layer.name()));
            } else {
                nodes.add(new Node(layer.name(), Pool.max2x2(), tensor, layer.name()));
            }
            tensor = layer.name();
        }
        return new Graph(name, "input", 3, 0, 0, nodes);
    }

    /**
     * The whole network's structure with zero weights: what the driver checks layers, channels and sizes against
     * before it reads any weights (a weights file may hold only the layers up to the target).
     */
    public static Graph architecture(String name) {
        VggArchitecture architecture = VggArchitecture.named(name)
                .orElseThrow(() -> new IllegalArgumentException("no built-in " + name));
        List<ConvWeights> convs = new ArrayList<>();
        for (LayerSpec layer : architecture.layers()) {
            if (!layer.isConv()) continue;
            convs.add(new ConvWeights(layer.name(), layer.inChannels(), layer.outChannels(),
                    new float[Vgg16.KERNEL * Vgg16.KERNEL * layer.inChannels() * layer.outChannels()],
                    new float[layer.outChannels()]));
        }
        String last = architecture.layers().get(architecture.layers().size() - 1).name();
        return graph(name, NetworkWeights.of(architecture, last, convs));
    }

    /** Whether the graph is a VGG as {@link #graph} builds it (what the nd4j engine runs). */
    public static boolean isVgg(Graph graph) {
        try {
            read(graph, false);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The layers and Keras-layout weights of a graph that is a VGG (what {@link #graph} builds): the form the nd4j
     * engine runs. {@link IllegalArgumentException} for any other graph.
     */
    public static NetworkWeights weights(Graph graph) {
        return read(graph, true);
    }

    /** @param withWeights false: the layers only (a graph read for its structure has no weights to convert) */
    private static NetworkWeights read(Graph graph, boolean withWeights) {
        List<LayerSpec> layers = new ArrayList<>();
        List<ConvWeights> convs = new ArrayList<>();
        List<Node> nodes = graph.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            if (node.op() instanceof Conv c && i + 1 < nodes.size() && isVggConv(c)
                    && nodes.get(i + 1).op() instanceof Activation a && a.kind() == Activation.Kind.RELU) {
                String name = nodes.get(i + 1).output();
                layers.add(LayerSpec.conv(name, c.inChannels(), c.outChannels()));
                if (withWeights) convs.add(new ConvWeights(name, c.inChannels(), c.outChannels(), hwio(c), c.bias().clone()));
                i++;
            } else if (node.op() instanceof Pool p && isVggPool(p)) {
                layers.add(LayerSpec.pool(node.output(), layers.isEmpty() ? graph.inputChannels() : layers.get(layers.size() - 1).outChannels()));
            } else {
                throw new IllegalArgumentException(graph.name() + " is not a VGG: node " + node.name() + " (" + node.op().type() + ")");
            }
        }
        return new NetworkWeights(layers.get(layers.size() - 1).name(), List.copyOf(layers),
                convs.stream().collect(java.util.stream.Collectors.toUnmodifiableMap(ConvWeights::layer, w -> w)));
    }

    private static boolean isVggConv(Conv c) {
        return c.kernelHeight() == Vgg16.KERNEL && c.kernelWidth() == Vgg16.KERNEL && c.strideHeight() == 1
                && c.strideWidth() == 1 && java.util.Arrays.equals(c.pads(), new int[]{1, 1, 1, 1}) && c.samePadding() == null
                && c.dilationHeight() == 1 && c.dilationWidth() == 1 && c.group() == 1;
    }

    private static boolean isVggPool(Pool p) {
        return p.kind() == Pool.Kind.MAX && p.kernelHeight() == 2 && p.kernelWidth() == 2 && p.strideHeight() == 2
                && p.strideWidth() == 2 && java.util.Arrays.equals(p.pads(), new int[4]) && !p.ceil();
    }

    private static float[] hwio(Conv c) {
        int k = Vgg16.KERNEL, in = c.inChannels(), out = c.outChannels();
        float[] dst = new float[c.weights().length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        dst[((ky * k + kx) * in + i) * out + o] = c.weights()[((o * in + i) * k + ky) * k + kx];
                    }
                }
            }
        }
        return dst;
    }

    /** Keras' HWIO → OIHW (out, in, ky, kx). */
    static float[] oihw(ConvWeights w) {
        int k = Vgg16.KERNEL;
        float[] dst = new float[w.kernel().length];
        for (int o = 0; o < w.outChannels(); o++) {
            for (int i = 0; i < w.inChannels(); i++) {
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        dst[((o * w.inChannels() + i) * k + ky) * k + kx] = w.kernel()[w.index(ky, kx, i, o)];
                    }
                }
            }
        }
        return dst;
    }
}
