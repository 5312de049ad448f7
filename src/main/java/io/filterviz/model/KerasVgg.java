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
