package io.filterviz.model;

import io.filterviz.model.graph.ModelException;
import io.filterviz.model.graph.ChannelAffine;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What the network expects instead of pixels (0–255, RGB or grey): the ascent works on pixels and this mapping,
 * prepended to the graph as one per-channel affine node, turns them into the network's input; the gradient flows back
 * through it. {@code caffe} and {@code torch} are ImageNet's RGB statistics and need 3 channels: on a grey network
 * they are refused (a grey network was not trained on ImageNet's colour means; its own normalisation belongs in the
 * exported model, or use {@code unit} or {@code tf}).
 */
public enum Preprocessing {
    /** As is (the Keras example feeds VGG16 raw pixels). */
    NONE,
    /** x / 255. */
    UNIT,
    /** RGB → BGR, minus ImageNet's mean in BGR order (Keras' "caffe" mode, VGG's original training). */
    CAFFE,
    /** (x / 255 − mean) / std with ImageNet's RGB mean and std (torchvision). */
    TORCH,
    /** x / 127.5 − 1 (Keras' "tf" mode: MobileNet, Inception). */
    TF;

    /** ImageNet's mean pixel in BGR order, as Keras' caffe mode subtracts it. */
    public static final double[] CAFFE_MEAN_BGR = {103.939, 116.779, 123.68};
    public static final double[] TORCH_MEAN = {0.485, 0.456, 0.406};
    public static final double[] TORCH_STD = {0.229, 0.224, 0.225};
    /** The name of the node this mapping adds; the input it reads is {@link #PIXELS} (made unique if taken). */
    public static final String NODE_NAME = "preprocess";
    public static final String PIXELS = "pixels";

    public String label() { return name().toLowerCase(Locale.ROOT); }

    /** {@code none|unit|caffe|torch|tf}; a {@link ModelException} with the choices otherwise. */
    public static Preprocessing parse(String name) {
        for (Preprocessing p : values()) if (p.label().equals(name)) return p;
        throw new ModelException("--preprocess " + name + " is not one of "
                + String.join(", ", Arrays.stream(values()).map(Preprocessing::label).toList()));
    }

    /** The per-channel affine map for a network of this many input channels; null for {@link #NONE}. */
    public ChannelAffine affine(int channels) {
        if (this == NONE) return null;
        if ((this == CAFFE || this == TORCH) && channels != 3) {
            throw new ModelException("--preprocess " + label() + " uses ImageNet's RGB statistics and needs 3 input "
                    + "channels, the network takes " + channels + "; use unit, tf or none (and put the network's own "
                    + "normalisation in the model)");
        }
        float[] scale = new float[channels], shift = new float[channels];
        int[] source = new int[channels];
        for (int c = 0; c < channels; c++) {
            source[c] = c;
            switch (this) {
                case NONE -> throw new IllegalStateException();
                case UNIT -> scale[c] = (float) (1 / 255.0);
                case TF -> { scale[c] = (float) (1 / 127.5); shift[c] = -1; }
                case CAFFE -> { source[c] = 2 - c; scale[c] = 1; shift[c] = (float) -CAFFE_MEAN_BGR[c]; }
                case TORCH -> { scale[c] = (float) (1 / (255 * TORCH_STD[c])); shift[c] = (float) (-TORCH_MEAN[c] / TORCH_STD[c]); }
            }
        }
        return new ChannelAffine(source, scale, shift);
    }

    /**
     * The graph with this mapping in front: a node {@value #NODE_NAME} reads the pixel image (the new input) and writes
     * the tensor the network's first nodes read, so every name of the network stays. {@link #NONE} returns the graph.
     */
    public Graph prepend(Graph graph) {
        ChannelAffine affine = affine(graph.inputChannels());
        if (affine == null) return graph;
        String pixels = PIXELS;
        while (graph.hasTensor(pixels)) pixels = "_" + pixels;
        String name = NODE_NAME;
        while (hasNode(graph, name)) name = "_" + name;
        List<Node> nodes = new ArrayList<>();
        nodes.add(new Node(name, affine, pixels, graph.input()));
        nodes.addAll(graph.nodes());
        return new Graph(graph.name(), pixels, graph.inputChannels(), graph.fixedHeight(), graph.fixedWidth(), nodes);
    }

    /** Whether {@code node} is the mapping {@link #prepend} added (layer listings leave it out). */
    public static boolean isPreprocessing(Graph graph, Node node) {
        return node.op() instanceof ChannelAffine && node.inputs().get(0).equals(graph.input())
                && node.name().endsWith(NODE_NAME) && node.name().replace("_", "").equals(NODE_NAME);
    }

    private static boolean hasNode(Graph graph, String name) {
        return graph.nodes().stream().anyMatch(n -> n.name().equals(name));
    }
}
