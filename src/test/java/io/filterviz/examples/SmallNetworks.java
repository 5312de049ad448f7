package io.filterviz.examples;

import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.Flatten;
import io.filterviz.model.graph.GlobalAveragePool;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Pad;
import io.filterviz.model.graph.Pool;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small graphs with random weights for the scan's tests. */
final class SmallNetworks {
    private SmallNetworks() {}

    static Conv conv(Random random, int in, int out, int k, int stride, int[] pads, String same, int dilation) {
        float[] w = new float[out * in * k * k];
        for (int i = 0; i < w.length; i++) w[i] = (float) random.nextGaussian() / (k * (float) Math.sqrt(in));
        float[] b = new float[out];
        for (int i = 0; i < out; i++) b[i] = (float) random.nextGaussian() * 0.1f;
        return new Conv(out, in, k, k, stride, stride, pads, same, dilation, dilation, 1, w, b);
    }

    /**
     * RGB in: conv 3×3 pad 1 → relu ("relu1") → max pool 2×2 → conv 3×3 stride 2 pad 1 → relu ("relu2") → global average
     * pool → dense ("logits", 5 units).
     */
    static Graph cnn(long seed) {
        Random random = new Random(seed);
        List<Node> nodes = new ArrayList<>();
        nodes.add(new Node("conv1", conv(random, 3, 4, 3, 1, new int[]{1, 1, 1, 1}, null, 1), "input", "c1"));
        nodes.add(new Node("relu1", Activation.relu(), "c1", "relu1"));
        nodes.add(new Node("pool1", Pool.max2x2(), "relu1", "p1"));
        nodes.add(new Node("conv2", conv(random, 4, 6, 3, 2, new int[]{1, 1, 1, 1}, null, 1), "p1", "c2"));
        nodes.add(new Node("relu2", Activation.relu(), "c2", "relu2"));
        nodes.add(new Node("gap", new GlobalAveragePool(), "relu2", "g"));
        float[] w = new float[5 * 6];
        for (int i = 0; i < w.length; i++) w[i] = (float) random.nextGaussian();
        nodes.add(new Node("fc", new Dense(5, 6, w, new float[5]), "g", "logits"));
        return new Graph("small", "input", 3, 0, 0, nodes);
    }

    /**
     * Linear windows only (no ReLU, no max), so every pixel inside a receptive field changes the output: Pad, a dilated
     * conv, an average pool with pads and ceil mode, a strided SAME_UPPER conv, and a branch joined by Add.
     */
    static Graph windows(long seed) {
        Random random = new Random(seed);
        List<Node> nodes = new ArrayList<>();
        nodes.add(new Node("pad", new Pad(new int[]{2, 1, 0, 3}, 0f), "input", "padded"));
        nodes.add(new Node("dil", conv(random, 1, 2, 3, 1, new int[]{1, 0, 2, 1}, null, 2), "padded", "d"));
        nodes.add(new Node("avg", new Pool(Pool.Kind.AVERAGE, 3, 2, 2, 2, new int[]{1, 1, 0, 0}, true, true), "d", "a"));
        nodes.add(new Node("same", conv(random, 2, 3, 3, 2, new int[4], "SAME_UPPER", 1), "a", "s"));
        nodes.add(new Node("branch", conv(random, 2, 3, 1, 2, new int[4], null, 1), "a", "b"));
        nodes.add(new Node("add", new io.filterviz.model.graph.Add(), List.of("s", "b"), "sum"));
        return new Graph("windows", "input", 1, 0, 0, nodes);
    }
}
