package io.filterviz.engine.reference;

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
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Each operator of the reference engine twice: its forward values and input gradient on a small case worked out by
 * hand (or, for pooling's edge rules, printed by PyTorch 1.13's functional ops), and its input gradient against
 * central finite differences of its own forward pass on random inputs, for every channel of the target.
 */
class ReferenceOpsTest {
    private static final double H = 1e-6;

    // ---- hand-computed cases ----

    @Test
    void convolutionByHand() {
        // x = 1..9 in a 3×3, kernel [[1, 0], [0, −1]], bias 0.5: every output is x[i][j] − x[i+1][j+1] + 0.5 = −3.5
        Conv conv = new Conv(1, 1, 2, 2, 1, 1, new int[4], null, 1, 1, 1, new float[]{1, 0, 0, -1}, new float[]{0.5f});
        ReferenceGraph.Result r = single(conv, 1).lossAndGradient("y", 0, seq(9, 1), 3, 3);
        assertEquals(-3.5, r.loss(), 1e-12);
        // mean over 4 outputs: +1/4 where a window's top-left reads, −1/4 where its bottom-right reads
        assertArrayEquals(new double[]{.25, .25, 0, .25, 0, -.25, 0, -.25, -.25}, r.gradient(), 1e-12);
    }

    @Test
    void samePaddingByHand() {
        // 4×4 ones, 3×3 ones kernel, stride 2: SAME_UPPER pads (0, 1) per axis, SAME_LOWER (1, 0)
        float[] ones = new float[9];
        Arrays.fill(ones, 1);
        Conv upper = new Conv(1, 1, 3, 3, 2, 2, new int[4], "SAME_UPPER", 1, 1, 1, ones, new float[1]);
        Conv lower = new Conv(1, 1, 3, 3, 2, 2, new int[4], "SAME_LOWER", 1, 1, 1, ones, new float[1]);
        assertArrayEquals(new double[]{9, 6, 6, 4}, single(upper, 1).forward(constant(16, 1), 4, 4).get("y"), 0);
        assertArrayEquals(new double[]{4, 6, 6, 9}, single(lower, 1).forward(constant(16, 1), 4, 4).get("y"), 0);
    }

    @Test
    void dilationByHand() {
        // x[i] = i on a 5×5; a 2×2 kernel of ones with dilation 2 reads x[0][0] + x[0][2] + x[2][0] + x[2][2]
        float[] ones = {1, 1, 1, 1};
        Conv conv = new Conv(1, 1, 2, 2, 1, 1, new int[4], null, 2, 2, 1, ones, new float[1]);
        double[] y = single(conv, 1).forward(seq(25, 0), 5, 5).get("y");
        assertEquals(9, y.length);
        assertEquals(0 + 2 + 10 + 12, y[0], 0);
        assertEquals(6 + 8 + 16 + 18, y[4], 0);
    }

    @Test
    void groupAndDepthwiseByHand() {
        // 2 channels, group 2, two 1×1 kernels per group (a depthwise multiplier of 2): out = [2a, −a, 3b, 10b]
        Conv conv = new Conv(4, 2, 1, 1, 1, 1, new int[4], null, 1, 1, 2, new float[]{2, -1, 3, 10}, new float[4]);
        double[] y = single(conv, 2).forward(new double[]{1, 5}, 1, 1).get("y");
        assertArrayEquals(new double[]{2, -1, 15, 50}, y, 0);
        ReferenceGraph.Result r = single(conv, 2).lossAndGradient("y", 3, new double[]{1, 5}, 1, 1);
        assertArrayEquals(new double[]{0, 10}, r.gradient(), 0); // channel 3 reads only the second input channel
    }

    @Test
    void activationsByHand() {
        assertEquals(0, Activation.relu().apply(-1));
        assertEquals(-0.2, new Activation(Activation.Kind.LEAKY_RELU, 0.1f, 0).apply(-2), 1e-7);
        assertEquals(6, new Activation(Activation.Kind.CLIP, 0, 6).apply(7));
        assertEquals(0.5, new Activation(Activation.Kind.SIGMOID, 0, 0).apply(0));
        assertEquals(0.7, new Activation(Activation.Kind.HARD_SIGMOID, 0.2f, 0.5f).apply(1), 1e-7);
        assertEquals(2.0 / 3, new Activation(Activation.Kind.HARD_SWISH, 0, 0).apply(1), 1e-12);
        assertEquals(0.25, new Activation(Activation.Kind.SIGMOID, 0, 0).derivative(0), 1e-12);
        assertEquals(0, new Activation(Activation.Kind.CLIP, 0, 6).derivative(6)); // ReLU6's at its bound, as PyTorch
        assertEquals(1.0 / 3 + 0.5, new Activation(Activation.Kind.HARD_SWISH, 0, 0).derivative(1), 1e-12);
    }

    @Test
    void maxPoolCeilModeByHand() {
        // PyTorch: max_pool2d(arange(36).view(1,1,6,6), 3, 2, 0, ceil_mode=True) = [[14,16,17],[26,28,29],[32,34,35]]
        Pool pool = new Pool(Pool.Kind.MAX, 3, 3, 2, 2, new int[4], true, false);
        assertArrayEquals(new double[]{14, 16, 17, 26, 28, 29, 32, 34, 35}, single(pool, 1).forward(seq(36, 0), 6, 6).get("y"), 0);
        // the gradient of the mean of all 9 goes to the maxima, 1/9 each
        double[] g = single(pool, 1).lossAndGradient("y", 0, seq(36, 0), 6, 6).gradient();
        assertEquals(1.0 / 9, g[14], 1e-15);
        assertEquals(1.0 / 9, g[35], 1e-15);
        assertEquals(0, g[0]);
    }

    @Test
    void averagePoolPaddingRulesMatchPyTorch() {
        // PyTorch: avg_pool2d(ones(1,1,6,6), 3, 2, 1, ceil_mode=True, count_include_pad=True): the last window runs
        // past the padding, and its divisor stops at the padding (2×2 = 4, one pixel inside: 0.25)
        Pool include = new Pool(Pool.Kind.AVERAGE, 3, 3, 2, 2, new int[]{1, 1, 1, 1}, true, true);
        assertArrayEquals(new double[]{4. / 9, 6. / 9, 6. / 9, 2. / 6, 6. / 9, 1, 1, .5, 6. / 9, 1, 1, .5, 2. / 6, .5, .5, .25},
                single(include, 1).forward(constant(36, 1), 6, 6).get("y"), 1e-15);
        Pool exclude = new Pool(Pool.Kind.AVERAGE, 3, 3, 2, 2, new int[]{1, 1, 1, 1}, true, false);
        for (double v : single(exclude, 1).forward(constant(36, 1), 6, 6).get("y")) assertEquals(1, v, 1e-15);
    }

    @Test
    void gateMulConcatPadDenseByHand() {
        // x (2 channels × 1×2) times a per-channel gate: the gate is the GAP of x, so y[c] = x[c] · mean(x[c])
        List<Node> nodes = List.of(new Node("gap", new GlobalAveragePool(), "x", "g"),
                new Node("mul", new Mul(), List.of("x", "g"), "y"));
        Graph graph = new Graph("t", "x", 2, 0, 0, nodes);
        double[] x = {1, 3, 2, 4};
        assertArrayEquals(new double[]{2, 6, 6, 12}, new ReferenceGraph(graph).forward(x, 1, 2).get("y"), 0);
        // loss = mean over channel 0 of x0j · m with m = (x00 + x01)/2, i.e. m²: d/dx0j = m = 2, channel 1 untouched
        assertArrayEquals(new double[]{2, 2, 0, 0}, new ReferenceGraph(graph).lossAndGradient("y", 0, x, 1, 2).gradient(), 1e-15);

        Graph cat = new Graph("t", "x", 2, 0, 0, List.of(new Node("c", new Concat(2), List.of("x", "x"), "y")));
        assertArrayEquals(new double[]{1, 3, 2, 4, 1, 3, 2, 4}, new ReferenceGraph(cat).forward(x, 1, 2).get("y"), 0);
        assertArrayEquals(new double[]{0, 0, 0.5, 0.5}, new ReferenceGraph(cat).lossAndGradient("y", 1, x, 1, 2).gradient(), 0);

        Pad pad = new Pad(new int[]{1, 0, 0, 1}, 7); // top, left, bottom, right
        assertArrayEquals(new double[]{7, 7, 7, 1, 2, 7}, single(pad, 1).forward(new double[]{1, 2}, 1, 2).get("y"), 0);

        // Dense on a C×1×1 tensor: W = [[1, 2], [3, 4]], b = [0.5, −1] on GAP(x) = [2, 3]
        Graph dense = new Graph("t", "x", 2, 0, 0, List.of(new Node("gap", new GlobalAveragePool(), "x", "g"),
                new Node("fc", new Dense(2, 2, new float[]{1, 2, 3, 4}, new float[]{0.5f, -1}), "g", "y")));
        assertArrayEquals(new double[]{8.5, 17}, new ReferenceGraph(dense).forward(x, 1, 2).get("y"), 0);
        assertArrayEquals(new double[]{1.5, 1.5, 2, 2}, new ReferenceGraph(dense).lossAndGradient("y", 1, x, 1, 2).gradient(), 0);
    }

    @Test
    void channelAffineReordersChannels() {
        // caffe's BGR: y[c] = x[2 − c] · 1 − mean[c]
        ChannelAffine bgr = new ChannelAffine(new int[]{2, 1, 0}, new float[]{1, 1, 2}, new float[]{-1, 0, 0});
        assertArrayEquals(new double[]{29, 20, 20}, single(bgr, 3).forward(new double[]{10, 20, 30}, 1, 1).get("y"), 0);
        assertArrayEquals(new double[]{2, 0, 0}, single(bgr, 3).lossAndGradient("y", 2, new double[]{10, 20, 30}, 1, 1).gradient(), 0);
    }

    // ---- finite differences ----

    @Test
    void convolutionsAgreeWithFiniteDifferences() {
        SplittableRandom random = new SplittableRandom(1);
        checkAll(conv(random, 3, 4, 3, 3, 1, 1, new int[]{1, 1, 1, 1}, null, 1, 1), 3, 7, 6);
        checkAll(conv(random, 3, 4, 3, 3, 2, 2, new int[]{0, 1, 2, 0}, null, 1, 1), 3, 8, 7); // asymmetric pads
        checkAll(conv(random, 3, 4, 1, 3, 1, 2, new int[]{0, 1, 0, 1}, null, 1, 1), 3, 5, 8); // 1×3, strides 1, 2
        checkAll(conv(random, 2, 3, 3, 3, 2, 2, new int[4], "SAME_UPPER", 1, 1), 2, 7, 8);
        checkAll(conv(random, 2, 3, 3, 3, 2, 2, new int[4], "SAME_LOWER", 1, 1), 2, 7, 8);
        checkAll(conv(random, 2, 3, 3, 3, 1, 1, new int[]{2, 2, 2, 2}, null, 2, 2), 2, 7, 7); // dilation 2
        checkAll(conv(random, 4, 6, 3, 3, 1, 1, new int[]{1, 1, 1, 1}, null, 1, 1, 2), 4, 5, 5); // group 2
        checkAll(conv(random, 3, 6, 3, 3, 2, 2, new int[]{1, 1, 1, 1}, null, 1, 1, 3), 3, 7, 6); // depthwise ×2
    }

    @Test
    void activationsAgreeWithFiniteDifferences() {
        for (Activation a : List.of(Activation.relu(), new Activation(Activation.Kind.LEAKY_RELU, 0.1f, 0),
                new Activation(Activation.Kind.CLIP, 0, 6), new Activation(Activation.Kind.CLIP, -1, 2),
                new Activation(Activation.Kind.SIGMOID, 0, 0), new Activation(Activation.Kind.HARD_SIGMOID, 0.2f, 0.5f),
                new Activation(Activation.Kind.HARD_SWISH, 0, 0))) {
            // a convolution first so that each channel mixes the inputs and the values span the kinks
            Conv conv = conv(new SplittableRandom(2), 2, 3, 3, 3, 1, 1, new int[]{1, 1, 1, 1}, null, 1, 1);
            checkAll(chain(2, conv, a), 2, 6, 5, 8);
        }
    }

    @Test
    void poolsAgreeWithFiniteDifferences() {
        for (boolean ceil : new boolean[]{false, true}) {
            checkAll(single(new Pool(Pool.Kind.MAX, 3, 3, 2, 2, new int[]{1, 1, 1, 1}, ceil, false), 2), 2, 8, 7, 1);
            checkAll(single(new Pool(Pool.Kind.MAX, 2, 3, 2, 1, new int[]{0, 1, 1, 0}, ceil, false), 2), 2, 7, 6, 1);
            for (boolean countPad : new boolean[]{false, true}) {
                checkAll(single(new Pool(Pool.Kind.AVERAGE, 3, 3, 2, 2, new int[]{1, 1, 1, 1}, ceil, countPad), 2), 2, 8, 7, 1);
                checkAll(single(new Pool(Pool.Kind.AVERAGE, 3, 2, 2, 2, new int[]{0, 1, 2, 0}, ceil, countPad), 2), 2, 7, 6, 1);
            }
        }
        checkAll(single(new GlobalAveragePool(), 3), 3, 4, 5, 1);
    }

    @Test
    void twoInputOperatorsAgreeWithFiniteDifferences() {
        SplittableRandom random = new SplittableRandom(3);
        Conv a = conv(random, 2, 3, 3, 3, 1, 1, new int[]{1, 1, 1, 1}, null, 1, 1);
        Conv b = conv(random, 2, 3, 1, 1, 1, 1, new int[4], null, 1, 1);
        Conv gate = conv(random, 3, 3, 1, 1, 1, 1, new int[4], null, 1, 1);
        List<Node> nodes = List.of(
                new Node("a", a, "x", "a"), new Node("b", b, "x", "b"),
                new Node("add", new Add(), List.of("a", "b"), "sum"),
                new Node("twice", new Add(), List.of("sum", "sum"), "twice"), // one tensor read twice by one node
                new Node("mul", new Mul(), List.of("a", "b"), "prod"),
                new Node("gap", new GlobalAveragePool(), "prod", "pooled"),
                new Node("gate", gate, "pooled", "gate/conv"),
                new Node("sigmoid", new Activation(Activation.Kind.SIGMOID, 0, 0), "gate/conv", "g"),
                new Node("se", new Mul(), List.of("twice", "g"), "excited"),
                new Node("cat", new Concat(3), List.of("excited", "a", "prod"), "cat"),
                new Node("pad", new Pad(new int[]{1, 0, 2, 1}, 0.5f), "cat", "padded"),
                new Node("flat", new Flatten(), "padded", "flat"));
        Graph graph = new Graph("t", "x", 2, 0, 0, nodes);
        for (String target : List.of("sum", "twice", "prod", "excited", "cat", "padded")) checkAll(graph, target, 2, 5, 4, 1);
        Graph withHead = new Graph("t", "x", 2, 0, 0, new ArrayList<>(nodes) {{
            add(new Node("fc", new Dense(3, 9 * 6 * 4, randomFloats(random, 3 * 9 * 6 * 4, 0.1), new float[]{0.1f, 0, -0.1f}), "flat", "logits"));
        }});
        checkAll(withHead, "logits", 2, 3, 3, 1); // 9 channels padded to 6×4 at 3×3 px
    }

    @Test
    void denseOnChannelVectorAgreesWithFiniteDifferences() {
        SplittableRandom random = new SplittableRandom(4);
        Graph graph = new Graph("t", "x", 3, 0, 0, List.of(
                new Node("conv", conv(random, 3, 5, 3, 3, 2, 2, new int[]{1, 1, 1, 1}, null, 1, 1), "x", "c"),
                new Node("gap", new GlobalAveragePool(), "c", "g"),
                new Node("fc", new Dense(4, 5, randomFloats(random, 20, 1), randomFloats(random, 4, 1)), "g", "y"),
                new Node("act", new Activation(Activation.Kind.HARD_SWISH, 0, 0), "y", "z")));
        assertEquals(Shape.vector(4), graph.shapes(6, 6).get("y"));
        checkAll(graph, "z", 3, 6, 6, 1);
        checkAll(graph, "y", 3, 7, 5, 1);
    }

    @Test
    void gradientsSumOverBranchesOfAResidualBlock() {
        SplittableRandom random = new SplittableRandom(5);
        Graph graph = new Graph("t", "x", 3, 0, 0, List.of(
                new Node("c1", conv(random, 3, 3, 3, 3, 1, 1, new int[]{1, 1, 1, 1}, null, 1, 1), "x", "h"),
                new Node("r1", Activation.relu(), "h", "r"),
                new Node("c2", conv(random, 3, 3, 3, 3, 1, 1, new int[]{1, 1, 1, 1}, null, 1, 1), "r", "h2"),
                new Node("skip", new Add(), List.of("h2", "x"), "s"), // the input itself feeds two nodes
                new Node("r2", Activation.relu(), "s", "out")));
        checkAll(graph, "out", 3, 6, 5, 1);
    }

    // ---- helpers ----

    /** Central differences of the reference's own forward loss against its backward, for every target channel. */
    private static void checkAll(Graph graph, String target, int channels, int height, int width, double scale) {
        SplittableRandom random = new SplittableRandom(42);
        double[] image = new double[channels * height * width];
        for (int i = 0; i < image.length; i++) image[i] = scale * (random.nextDouble() * 2 - 1);
        ReferenceGraph reference = new ReferenceGraph(graph);
        Shape out = graph.shapes(height, width).get(target);
        for (int c = 0; c < out.channels(); c++) {
            ReferenceGraph.Result r = reference.lossAndGradient(target, c, image, height, width);
            String where = graph.producer(target).orElseThrow().op().type() + " " + target + "[" + c + "]";
            for (int i = 0; i < image.length; i++) {
                double keep = image[i];
                image[i] = keep + H;
                double plus = reference.lossAndGradient(target, c, image, height, width).loss();
                image[i] = keep - H;
                double minus = reference.lossAndGradient(target, c, image, height, width).loss();
                image[i] = keep;
                double numeric = (plus - minus) / (2 * H);
                assertEquals(numeric, r.gradient()[i], 1e-8 + 1e-6 * Math.abs(numeric),
                        where + ": d loss / d x[" + i + "]");
            }
        }
    }

    private static void checkAll(Graph graph, int channels, int height, int width, double scale) {
        checkAll(graph, graph.nodes().get(graph.nodes().size() - 1).output(), channels, height, width, scale);
    }

    private static void checkAll(Conv conv, int channels, int height, int width) {
        checkAll(single(conv, channels).graph(), channels, height, width, 1);
    }

    private static Graph chain(int channels, Op... ops) {
        List<Node> nodes = new ArrayList<>();
        String in = "x";
        for (int i = 0; i < ops.length; i++) {
            String out = i == ops.length - 1 ? "y" : "t" + i;
            nodes.add(new Node("n" + i, ops[i], in, out));
            in = out;
        }
        return new Graph("t", "x", channels, 0, 0, nodes);
    }

    /** A graph of one node reading the input x and writing y. */
    private static Single single(Op op, int channels) {
        return new Single(chain(channels, op));
    }

    private record Single(Graph graph) {
        Map<String, double[]> forward(double[] image, int height, int width) {
            return new ReferenceGraph(graph).forward(image, height, width);
        }

        ReferenceGraph.Result lossAndGradient(String target, int channel, double[] image, int height, int width) {
            return new ReferenceGraph(graph).lossAndGradient(target, channel, image, height, width);
        }
    }

    private static void checkAll(Single single, int channels, int height, int width, double scale) {
        checkAll(single.graph(), channels, height, width, scale);
    }

    private static Conv conv(SplittableRandom random, int in, int out, int kh, int kw, int sh, int sw, int[] pads,
                             String same, int dh, int dw) {
        return conv(random, in, out, kh, kw, sh, sw, pads, same, dh, dw, 1);
    }

    private static Conv conv(SplittableRandom random, int in, int out, int kh, int kw, int sh, int sw, int[] pads,
                             String same, int dh, int dw, int group) {
        return new Conv(out, in, kh, kw, sh, sw, pads, same, dh, dw, group,
                randomFloats(random, out * (in / group) * kh * kw, 0.5), randomFloats(random, out, 0.2));
    }

    private static float[] randomFloats(SplittableRandom random, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (scale * (random.nextDouble() * 2 - 1));
        return v;
    }

    private static double[] seq(int n, double first) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = first + i;
        return v;
    }

    private static double[] constant(int n, double value) {
        double[] v = new double[n];
        Arrays.fill(v, value);
        return v;
    }
}
