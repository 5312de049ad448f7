package io.filterviz.engine.reference;

import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Add;
import io.filterviz.model.graph.Binary;
import io.filterviz.model.graph.Concat;
import io.filterviz.model.graph.ConstantBinary;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.Gather;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.LayerNorm;
import io.filterviz.model.graph.MatMul;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.ReduceMean;
import io.filterviz.model.graph.Reshape;
import io.filterviz.model.graph.Shape;
import io.filterviz.model.graph.Slice;
import io.filterviz.model.graph.Softmax;
import io.filterviz.model.graph.Transpose;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The reference's tensor operators (a vision transformer's, Swin's): values computed by hand on small inputs, units
 * carried to the right axis, and every input gradient against central finite differences of the forward pass.
 */
class ReferenceTensorOpsTest {
    private static final double H = 1e-6;

    @Test
    void transposeMovesValuesAndUnits() {
        // 2×2×3 image, values = flat index; to channels-last 2×3×2: out[y][x][c] = in[c][y][x]
        Graph g = graph(2, node("t", new Transpose(new int[]{1, 2, 0}), "x", "y"));
        double[] x = iota(12);
        double[] y = new ReferenceGraph(g).forward(x, 2, 3).get("y");
        assertArrayEquals(new double[]{0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11}, y, 0);
        Shape out = g.shapes(2, 3).get("y");
        assertEquals(2, out.unitAxis());
        assertEquals(2, out.channels());
        assertEquals(6, out.positions());
        // channel 1 of the channels-last tensor is channel 1 of the image: mean of 6..11
        assertEquals(8.5, new ReferenceGraph(g).lossAndGradient("y", 1, x, 2, 3).loss(), 1e-12);
    }

    @Test
    void reshapeKeepsUnitsWhereTheirAxisSurvives() {
        Shape image = Shape.image(768, 14, 14);
        Shape tokens = new Reshape(new int[]{0, -1}).outputShape(List.of(image));
        assertEquals(Shape.tensor(new int[]{768, 196}, 0), tokens);
        assertEquals(Shape.channelsLast(196, 768), new Transpose(new int[]{1, 0}).outputShape(List.of(tokens)));
        Shape swin = Shape.channelsLast(56, 56, 96);
        Shape windows = new Reshape(new int[]{8, 7, 8, 7, 96}).outputShape(List.of(swin));
        assertEquals(4, windows.unitAxis());
        assertEquals(Shape.vector(12), new Reshape(new int[]{-1}).outputShape(List.of(Shape.image(3, 2, 2))));
    }

    @Test
    void sliceGatherSoftmaxLayerNormAndMeanCompute() {
        double[] x = iota(12); // 3×2×2
        // Slice channels 2:: -1 (reversed), Gather the second row (a scalar index removes the axis)
        Graph g = graph(3,
                node("rev", new Slice(0, -1, Long.MIN_VALUE, -1), "x", "rev"),
                node("row", new Gather(1, new int[]{-1}, true), "rev", "row"),
                node("sm", new Softmax(1), "row", "sm"),
                node("mean", new ReduceMean(0), "x", "mean"),
                node("ln", new LayerNorm(0f, new float[]{2, 2}, new float[]{1, 1}), "x", "ln"));
        var values = new ReferenceGraph(g).forward(x, 2, 2);
        assertArrayEquals(new double[]{8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3}, values.get("rev"), 0);
        assertArrayEquals(new double[]{10, 11, 6, 7, 2, 3}, values.get("row"), 0);
        assertEquals(Shape.tensor(new int[]{3, 2}, 0), g.shapes(2, 2).get("row"));
        double e = Math.exp(1);
        assertArrayEquals(new double[]{1 / (1 + e), e / (1 + e), 1 / (1 + e), e / (1 + e), 1 / (1 + e), e / (1 + e)},
                values.get("sm"), 1e-15);
        assertArrayEquals(new double[]{4, 5, 6, 7}, values.get("mean"), 0);
        // each row of two values normalises to −1, +1; then · 2 + 1
        assertArrayEquals(new double[]{-1, 3, -1, 3, -1, 3, -1, 3, -1, 3, -1, 3}, values.get("ln"), 1e-12);
    }

    @Test
    void broadcastArithmeticComputes() {
        Graph g = graph(2,
                node("m", new ReduceMean(2), "x", "m"),                       // 2×2×1
                node("sub", new Binary(Binary.Kind.SUB), List.of("x", "m"), "d"),
                node("div", new Binary(Binary.Kind.DIV), List.of("d", "m"), "q"),
                node("c", new ConstantBinary(Binary.Kind.SUB, new float[]{10, 20, 30}, new int[]{3}, true), "x", "c"));
        var v = new ReferenceGraph(g).forward(new double[]{1, 3, 5, 4, 6, 8, 0, 2, 4, 6, 8, 10}, 2, 3);
        assertArrayEquals(new double[]{-2, 0, 2, -2, 0, 2, -2, 0, 2, -2, 0, 2}, v.get("d"), 0);
        assertArrayEquals(new double[]{-2 / 3.0, 0, 2 / 3.0, -2 / 6.0, 0, 2 / 6.0, -1, 0, 1, -2 / 8.0, 0, 2 / 8.0}, v.get("q"), 1e-15);
        assertArrayEquals(new double[]{9, 17, 25, 6, 14, 22, 10, 18, 26, 4, 12, 20}, v.get("c"), 0);
    }

    @Test
    void batchedMatMulBroadcastsAndComputes() {
        // a: 2×2×3 (two 2×3 matrices), b: its transpose 2×3×2 → a·aᵀ per matrix
        Graph g = graph(2,
                node("bt", new Transpose(new int[]{0, 2, 1}), "x", "b"),
                node("mm", new MatMul(), List.of("x", "b"), "y"));
        double[] y = new ReferenceGraph(g).forward(iota(12), 2, 3).get("y");
        assertArrayEquals(new double[]{5, 14, 14, 50, 149, 212, 212, 302}, y, 0);
    }

    @Test
    void aVisionTransformerBlockAgreesWithFiniteDifferences() {
        Graph g = miniVit(new SplittableRandom(7));
        for (String target : List.of("tokens", "ln1", "scores", "attn", "mixed", "hidden", "block", "cls", "logits")) {
            FiniteDifferences.checkAll(g, target, 2, 4, 4, H);
        }
    }

    @Test
    void swinPiecesAgreeWithFiniteDifferences() {
        SplittableRandom random = new SplittableRandom(8);
        // channels-last plane, a roll by one row (Slice + Concat), window partition, a relative-bias Add, a mask
        List<Node> nodes = new ArrayList<>(List.of(
                node("conv", conv(random, 2, 3), "x", "c"),                                // 3×4×4
                node("nhwc", new Transpose(new int[]{1, 2, 0}), "c", "p"),                  // 4×4×3
                node("top", new Slice(0, 1, Long.MAX_VALUE, 1), "p", "top"),
                node("bottom", new Slice(0, 0, 1, 1), "p", "bottom"),
                new Node("roll", new Concat(2, 0), List.of("top", "bottom"), "rolled"),
                node("win", new Reshape(new int[]{2, 2, 2, 2, 3}), "rolled", "w5"),
                node("winT", new Transpose(new int[]{0, 2, 1, 3, 4}), "w5", "w5t"),
                node("flat", new Reshape(new int[]{4, 4, 3}), "w5t", "windows"),          // 4 windows × 4 tokens × 3
                node("wT", new Transpose(new int[]{0, 2, 1}), "windows", "windowsT"),
                new Node("scores", new MatMul(), List.of("windows", "windowsT"), "scores"),
                node("bias", new ConstantBinary(Binary.Kind.ADD, floats(random, 16, 1), new int[]{4, 4}, false), "scores", "biased"),
                node("mask", new ConstantBinary(Binary.Kind.ADD, new float[]{0, -100, 0, 0}, new int[]{4, 1, 1}, false), "biased", "masked"),
                node("sm", new Softmax(2), "masked", "attn"),
                new Node("out", new MatMul(), List.of("attn", "windows"), "out"),
                node("erf", Activation.of(Activation.Kind.ERF), "out", "erf"),
                node("tanh", Activation.of(Activation.Kind.TANH), "erf", "tanh"),
                node("pos", new ConstantBinary(Binary.Kind.ADD, new float[]{2}, new int[]{1}, false), "attn", "pos"),
                node("sqrt", Activation.of(Activation.Kind.SQRT), "pos", "sqrt")));
        Graph g = new Graph("swin", "x", 2, 0, 0, nodes);
        assertEquals(Shape.channelsLast(4, 4, 3), g.shapes(4, 4).get("windows"));
        for (String target : List.of("rolled", "windows", "masked", "attn", "out", "tanh", "sqrt")) {
            FiniteDifferences.checkAll(g, target, 2, 4, 4, H);
        }
    }

    /** Patch embedding, class token by Concat of a computed token, position embedding, attention, MLP, head. */
    static Graph miniVit(SplittableRandom random) {
        int c = 4, t = 5;
        List<Node> nodes = List.of(
                node("patch", new Conv(c, 2, 2, 2, 2, 2, new int[]{0, 0, 0, 0}, null, 1, 1, 1,
                        floats(random, c * 2 * 4, 0.5), floats(random, c, 0.1)), "x", "patches"),                                   // 4×2×2
                node("seq", new Reshape(new int[]{0, -1}), "patches", "seq"),                       // 4×4
                node("tok", new Transpose(new int[]{1, 0}), "seq", "tok4"),                          // 4 tokens × 4
                node("first", new Slice(0, 0, 1, 1), "tok4", "first"),                               // a class-token stand-in
                new Node("cat", new Concat(2, 0), List.of("first", "tok4"), "tok5"),
                node("posemb", new ConstantBinary(Binary.Kind.ADD, floats(random, t * c, 0.1), new int[]{t, c}, false), "tok5", "tokens"),
                node("ln1", new LayerNorm(1e-6f, floats(random, c, 1), floats(random, c, 0.1)), "tokens", "ln1"),
                node("qkv", dense(random, 3 * c, c), "ln1", "qkv"),                                  // 5×12
                node("split", new Reshape(new int[]{t, 3, 2, 2}), "qkv", "qkv4"),
                node("heads", new Transpose(new int[]{1, 2, 0, 3}), "qkv4", "qkvh"),                 // 3×2×5×2
                node("q", new Gather(0, new int[]{0}, true), "qkvh", "q"),
                node("k", new Gather(0, new int[]{1}, true), "qkvh", "k"),
                node("v", new Gather(0, new int[]{2}, true), "qkvh", "v"),
                node("kT", new Transpose(new int[]{0, 2, 1}), "k", "kT"),
                new Node("qk", new MatMul(), List.of("q", "kT"), "qk"),
                node("scale", new ConstantBinary(Binary.Kind.MUL, new float[]{(float) Math.sqrt(0.5)}, new int[]{1}, false), "qk", "scores"),
                node("softmax", new Softmax(2), "scores", "attn"),
                new Node("av", new MatMul(), List.of("attn", "v"), "av"),                          // 2×5×2
                node("merge", new Transpose(new int[]{1, 0, 2}), "av", "av2"),
                node("merge2", new Reshape(new int[]{t, c}), "av2", "av3"),
                node("proj", dense(random, c, c), "av3", "mixed"),
                new Node("res1", new Add(), List.of("mixed", "tokens"), "res1"),
                node("ln2", new LayerNorm(1e-6f, floats(random, c, 1), floats(random, c, 0.1)), "res1", "ln2"),
                node("fc1", dense(random, 2 * c, c), "ln2", "fc1"),
                node("gelu", Activation.gelu(), "fc1", "hidden"),
                node("fc2", dense(random, c, 2 * c), "hidden", "fc2"),
                new Node("res2", new Add(), List.of("fc2", "res1"), "block"),
                node("cls", new Gather(0, new int[]{0}, true), "block", "cls"),
                node("head", dense(random, 3, c), "cls", "logits"));
        return new Graph("vit", "x", 2, 0, 0, nodes);
    }

    private static Dense dense(SplittableRandom random, int out, int in) {
        return new Dense(out, in, floats(random, out * in, 1 / Math.sqrt(in)), floats(random, out, 0.1));
    }

    private static Conv conv(SplittableRandom random, int in, int out) {
        return new Conv(out, in, 3, 3, 1, 1, new int[]{1, 1, 1, 1}, null, 1, 1, 1, floats(random, out * in * 9, 0.3),
                floats(random, out, 0.1));
    }

    static float[] floats(SplittableRandom random, int n, double scale) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) (scale * (random.nextDouble() * 2 - 1));
        return f;
    }

    private static double[] iota(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = i;
        return x;
    }

    private static Node node(String name, io.filterviz.model.graph.Op op, String in, String out) { return new Node(name, op, in, out); }

    private static Node node(String name, io.filterviz.model.graph.Op op, List<String> in, String out) { return new Node(name, op, in, out); }

    private static Graph graph(int channels, Node... nodes) { return new Graph("t", "x", channels, 0, 0, List.of(nodes)); }
}
