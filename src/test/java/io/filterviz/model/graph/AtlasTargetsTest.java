package io.filterviz.model.graph;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What --layer all takes beyond convolutions: a ViT's MLP hidden units, a staged network's stage outputs. */
class AtlasTargetsTest {

    @Test
    void aVisionTransformerGivesItsPatchConvolutionAndEveryMlpHidden() {
        List<Node> nodes = new java.util.ArrayList<>(List.of(
                new Node("patch", conv(3, 4, 2), "x", "p"),
                new Node("seq", new Reshape(new int[]{0, -1}), "p", "s"),
                new Node("tok", new Transpose(new int[]{1, 0}), "s", "t0")));
        String x = "t0";
        for (int b = 1; b <= 2; b++) {
            nodes.add(new Node("ln" + b, new LayerNorm(1e-6f, new float[4], new float[4]), x, "n" + b));
            nodes.add(new Node("fc1_" + b, dense(8, 4), "n" + b, "f" + b));
            nodes.add(new Node("gelu" + b, Activation.gelu(), "f" + b, "hidden" + b));
            nodes.add(new Node("fc2_" + b, dense(4, 8), "hidden" + b, "g" + b));
            nodes.add(new Node("res" + b, new Add(), List.of("g" + b, x), "block" + b));
            x = "block" + b;
        }
        Graph vit = new Graph("vit", "x", 3, 8, 8, nodes);
        assertEquals(List.of("p", "hidden1", "hidden2"), vit.atlasTargets());
        assertEquals(Shape.channelsLast(16, 8), vit.shapes(8, 8).get("hidden1"));
    }

    @Test
    void aStagedNetworkWithLayerNormsGivesEachStagesLastResidualSum() {
        List<Node> nodes = List.of(
                new Node("stem", conv(3, 4, 2), "x", "s0"),
                new Node("nhwc", new Transpose(new int[]{1, 2, 0}), "s0", "h0"),
                new Node("ln", new LayerNorm(1e-6f, new float[4], new float[4]), "h0", "n0"),
                new Node("res1", new Binary(Binary.Kind.ADD), List.of("n0", "h0"), "stage1a"),
                new Node("res2", new Add(), List.of("stage1a", "n0"), "stage1"),
                new Node("nchw", new Transpose(new int[]{2, 0, 1}), "stage1", "c1"),
                new Node("down", conv(4, 8, 2), "c1", "d1"),
                new Node("res3", new Add(), List.of("d1", "d1x"), "stage2"),
                new Node("gap", new GlobalAveragePool(), "stage2", "pooled"));
        // d1x: a second branch so that res3 is a residual sum of two different tensors
        List<Node> withBranch = new java.util.ArrayList<>(nodes);
        withBranch.add(7, new Node("branch", Activation.relu(), "d1", "d1x"));
        Graph g = new Graph("convnext", "x", 3, 0, 0, withBranch);
        assertEquals(List.of("s0", "stage1", "d1", "stage2"), g.atlasTargets());
    }

    @Test
    void aConvolutionalNetworkKeepsTodaysTargets() {
        Graph g = new Graph("cnn", "x", 3, 0, 0, List.of(
                new Node("c1", conv(3, 4, 1), "x", "a"),
                new Node("r1", Activation.relu(), "a", "b"),
                new Node("c2", conv(4, 4, 1), "b", "c"),
                new Node("sum", new Add(), List.of("c", "b"), "d")));
        assertEquals(g.convolutionOutputs(), g.atlasTargets());
    }

    private static Conv conv(int in, int out, int stride) {
        return new Conv(out, in, stride, stride, stride, stride, new int[4], null, 1, 1, 1, new float[out * in * stride * stride], new float[out]);
    }

    private static Dense dense(int out, int in) { return new Dense(out, in, new float[out * in], new float[out]); }
}
