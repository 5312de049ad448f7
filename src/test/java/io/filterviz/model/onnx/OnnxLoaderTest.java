package io.filterviz.model.onnx;

import io.filterviz.model.graph.ModelException;
import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.ChannelAffine;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.Flatten;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Mul;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Pad;
import io.filterviz.model.graph.Pool;
import io.filterviz.model.graph.Shape;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.filterviz.model.onnx.OnnxFile.dims;
import static io.filterviz.model.onnx.OnnxFile.floatTensor;
import static io.filterviz.model.onnx.OnnxFile.integer;
import static io.filterviz.model.onnx.OnnxFile.ints;
import static io.filterviz.model.onnx.OnnxFile.real;
import static io.filterviz.model.onnx.OnnxFile.string;
import static io.filterviz.model.onnx.OnnxFile.tensor;
import static org.junit.jupiter.api.Assertions.*;

class OnnxLoaderTest {
    private static final float[] W = {1, 2, 3, 4, 5, 6, 7, 8}; // 2 outputs × 1 input × 2×2

    private static OnnxFile convNet(int opset) {
        return new OnnxFile(opset, "input", 1, 1, "height", "width")
                .floats("w", dims(2, 1, 2, 2), W).floats("b", dims(2), 0.5f, -0.5f)
                .node("Conv", "/conv/Conv", List.of("input", "w", "b"), "c", ints("kernel_shape", 2, 2), ints("pads", 1, 0, 0, 1));
    }

    private static Graph load(OnnxFile file) { return OnnxLoader.load("test.onnx", file.bytes()); }

    private static Map<String, Node> byOutput(Graph g) {
        return g.nodes().stream().collect(Collectors.toMap(Node::output, Function.identity()));
    }

    @Test
    void convolutionKeepsWeightsPadsAndNames() {
        Graph g = load(convNet(13).node("Relu", "/relu/Relu", "c", "r").output("r"));
        assertEquals("test", g.name());
        assertEquals("input", g.input());
        assertEquals(1, g.inputChannels());
        assertFalse(g.fixedSize());
        Conv conv = (Conv) g.producer("c").orElseThrow().op();
        assertArrayEquals(W, conv.weights());
        assertArrayEquals(new float[]{0.5f, -0.5f}, conv.bias());
        assertArrayEquals(new int[]{1, 0, 0, 1}, conv.pads());
        assertEquals("/conv/Conv", g.producer("c").orElseThrow().name());
        assertEquals("r", g.resolve("/relu/Relu").orElseThrow());
        assertEquals(Shape.image(2, 5, 5), g.shapes(5, 5).get("c")); // (5 + 1 − 2) + 1
    }

    @Test
    void batchNormalizationFoldsIntoItsConvolution() {
        float[] gamma = {2, 0.5f}, beta = {1, -1}, mean = {0.25f, 3}, var = {4, 0.04f};
        Graph g = load(convNet(13).floats("gamma", dims(2), gamma).floats("beta", dims(2), beta)
                .floats("mean", dims(2), mean).floats("var", dims(2), var)
                .node("BatchNormalization", "/bn/BatchNormalization", List.of("c", "gamma", "beta", "mean", "var"), "n",
                        real("epsilon", 0f))
                .node("Relu", "/relu/Relu", "n", "r"));
        assertEquals(2, g.nodes().size(), "the BatchNormalization is gone: " + g.tensors());
        Node conv = g.nodes().get(0);
        assertEquals("/conv/Conv", conv.name());
        assertEquals("n", conv.output());
        Conv folded = (Conv) conv.op();
        double s0 = 2 / Math.sqrt(4), s1 = 0.5 / Math.sqrt(0.04); // gamma / sqrt(var)
        for (int i = 0; i < 4; i++) {
            assertEquals(W[i] * s0, folded.weights()[i], 1e-6);
            assertEquals(W[4 + i] * s1, folded.weights()[4 + i], 1e-5);
        }
        assertEquals((0.5 - 0.25) * s0 + 1, folded.bias()[0], 1e-6);
        assertEquals((-0.5 - 3) * s1 - 1, folded.bias()[1], 1e-5);
        assertEquals(List.of("r"), g.convolutionOutputs());
    }

    @Test
    void batchNormalizationStaysAnAffineWhereTheConvolutionHasAnotherReader() {
        Graph g = load(convNet(13).floats("gamma", dims(2), 2, 2).floats("beta", dims(2), 1, 1)
                .floats("mean", dims(2), 0, 1).floats("var", dims(2), 1, 1)
                .node("BatchNormalization", "bn", List.of("c", "gamma", "beta", "mean", "var"), "n")
                .node("Add", "skip", List.of("n", "c"), "sum"));
        ChannelAffine bn = (ChannelAffine) g.producer("n").orElseThrow().op();
        float s = (float) (2 / Math.sqrt(1 + 1e-5));
        assertArrayEquals(new float[]{s, s}, bn.scale(), 1e-6f);
        assertArrayEquals(new float[]{1, 1 - s}, bn.shift(), 1e-6f);
        assertTrue(g.producer("c").orElseThrow().op() instanceof Conv);
    }

    @Test
    void clipBoundsFromConstantsOrAttributes() {
        OnnxFile opset13 = convNet(13)
                .node("Constant", "", List.of(), "lo", tensor("value", floatTensor("", dims(), 0f)))
                .node("Constant", "", List.of(), "hi", tensor("value", floatTensor("", dims(), 6f)))
                .node("Clip", "/relu6/Clip", List.of("c", "lo", "hi"), "y");
        Activation relu6 = (Activation) load(opset13).producer("y").orElseThrow().op();
        assertEquals(new Activation(Activation.Kind.CLIP, 0, 6), relu6);
        assertTrue(load(opset13).nonNegative("y"));

        OnnxFile minOnly = convNet(13).floats("lo", dims(), -1f).node("Clip", "clip", List.of("c", "lo", ""), "y");
        assertEquals(new Activation(Activation.Kind.CLIP, -1, Float.POSITIVE_INFINITY), load(minOnly).producer("y").orElseThrow().op());

        OnnxFile opset9 = convNet(9).node("Clip", "clip", List.of("c"), "y", real("min", 0), real("max", 6));
        assertEquals(new Activation(Activation.Kind.CLIP, 0, 6), load(opset9).producer("y").orElseThrow().op());
    }

    @Test
    void activationsWithTheirDefaults() {
        Graph g = load(convNet(14).node("LeakyRelu", "l", "c", "a").node("HardSigmoid", "h", "a", "hs")
                .node("HardSwish", "s", "hs", "d").node("Sigmoid", "g", "d", "e").node("LeakyRelu", "l2", "e", "f", real("alpha", 0.2f)));
        Map<String, Node> nodes = byOutput(g);
        assertEquals(new Activation(Activation.Kind.LEAKY_RELU, 0.01f, 0), nodes.get("a").op());
        assertEquals(new Activation(Activation.Kind.HARD_SIGMOID, 0.2f, 0.5f), nodes.get("hs").op());
        assertEquals(Activation.Kind.HARD_SWISH, ((Activation) nodes.get("d").op()).kind());
        assertEquals(Activation.Kind.SIGMOID, ((Activation) nodes.get("e").op()).kind());
        assertEquals(0.2f, ((Activation) nodes.get("f").op()).alpha());
    }

    @Test
    void squeezeExcitationGateGoesSecond() {
        Graph g = load(convNet(13).node("GlobalAveragePool", "gap", "c", "p")
                .floats("w2", dims(2, 2, 1, 1), 1, 0, 0, 1)
                .node("Conv", "fc", List.of("p", "w2"), "q").node("HardSigmoid", "hs", "q", "gate")
                .node("Mul", "scale", List.of("gate", "c"), "y"));
        Node mul = g.producer("y").orElseThrow();
        assertInstanceOf(Mul.class, mul.op());
        assertEquals(List.of("c", "gate"), mul.inputs());
        assertEquals(Shape.image(2, 4, 4), g.shapes(4, 4).get("y"));
    }

    @Test
    void constantsOnTheChannelsBecomeAnAffine() {
        Graph g = load(convNet(13).floats("k", dims(1, 2, 1, 1), 2, 4).floats("one", dims(), 1)
                .node("Sub", "sub", List.of("c", "k"), "a").node("Div", "div", List.of("a", "k"), "q")
                .node("Mul", "mul", List.of("one", "q"), "m").node("Sub", "neg", List.of("k", "m"), "d"));
        Map<String, Node> nodes = byOutput(g);
        ChannelAffine sub = (ChannelAffine) nodes.get("a").op(), div = (ChannelAffine) nodes.get("q").op();
        ChannelAffine neg = (ChannelAffine) nodes.get("d").op();
        assertArrayEquals(new float[]{1, 1}, sub.scale());
        assertArrayEquals(new float[]{-2, -4}, sub.shift());
        assertArrayEquals(new float[]{0.5f, 0.25f}, div.scale());
        assertArrayEquals(new float[]{-1, -1}, neg.scale());
        assertArrayEquals(new float[]{2, 4}, neg.shift());
        ModelException wide = assertThrows(ModelException.class, () -> load(convNet(13).floats("k", dims(2), 1, 2)
                .node("Add", "bad", List.of("c", "k"), "y")));
        assertEquals("model file test.onnx: node 'bad' (Add) broadcasts a constant of shape [2] onto c; supported: a "
                + "scalar or one value per channel", wide.getMessage());
    }

    @Test
    void poolsAndPadKeepTheirAttributes() {
        Graph g = load(convNet(13)
                .node("MaxPool", "mp", "c", "m", ints("kernel_shape", 3, 3), ints("strides", 2, 2), integer("ceil_mode", 1))
                .longs("pads", dims(8), 0, 0, 1, 0, 0, 0, 2, 3).floats("v", dims(), 0.5f)
                .node("Pad", "pad", List.of("m", "pads", "v"), "p")
                .node("AveragePool", "ap", "p", "a", ints("kernel_shape", 2, 2), ints("pads", 1, 1, 0, 0),
                        integer("count_include_pad", 1)));
        Map<String, Node> nodes = byOutput(g);
        Pool max = (Pool) nodes.get("m").op();
        assertEquals(List.of(Pool.Kind.MAX, 3, 3, 2, 2, true), List.of(max.kind(), max.kernelHeight(), max.kernelWidth(),
                max.strideHeight(), max.strideWidth(), max.ceil()));
        assertArrayEquals(new int[4], max.pads());
        Pad pad = (Pad) nodes.get("p").op();
        assertArrayEquals(new int[]{1, 0, 2, 3}, pad.pads());
        assertEquals(0.5f, pad.value());
        Pool avg = (Pool) nodes.get("a").op();
        assertTrue(avg.countIncludePad());
        assertArrayEquals(new int[]{1, 1, 0, 0}, avg.pads());

        Graph old = load(convNet(2).node("Pad", "pad", "c", "p", ints("pads", 0, 0, 1, 1, 0, 0, 1, 1), string("mode", "constant")));
        assertArrayEquals(new int[]{1, 1, 1, 1}, ((Pad) old.producer("p").orElseThrow().op()).pads());
    }

    @Test
    void headsOfTorchExports() {
        // GAP, Flatten, Gemm(transB): torchvision's classifier
        Graph gemm = load(convNet(13).node("GlobalAveragePool", "gap", "c", "p").node("Flatten", "flat", "p", "f")
                .floats("fcw", dims(3, 2), 1, 2, 3, 4, 5, 6).floats("fcb", dims(3), 7, 8, 9)
                .node("Gemm", "fc", List.of("f", "fcw", "fcb"), "logits", real("alpha", 1), real("beta", 1), integer("transB", 1)));
        Dense dense = (Dense) gemm.producer("logits").orElseThrow().op();
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, dense.weights()); // out × in as stored with transB
        assertArrayEquals(new float[]{7, 8, 9}, dense.bias());
        assertEquals(Shape.vector(3), gemm.shapes(4, 4).get("logits"));

        // x.view(x.size(0), -1) @ W + b, as a Shape → Gather → Unsqueeze → Concat → Reshape, MatMul, Add
        Graph matmul = load(convNet(13).node("GlobalAveragePool", "gap", "c", "p")
                .node("Shape", "shape", "p", "s").longs("zero", dims(), 0).node("Gather", "g", List.of("s", "zero"), "n")
                .longs("axes", dims(1), 0).node("Unsqueeze", "u", List.of("n", "axes"), "n1")
                .longs("minus", dims(1), -1).node("Concat", "cat", List.of("n1", "minus"), "target", integer("axis", 0))
                .node("Reshape", "view", List.of("p", "target"), "flat")
                .floats("m", dims(2, 3), 1, 2, 3, 4, 5, 6).node("MatMul", "mm", List.of("flat", "m"), "z")
                .floats("bias", dims(3), 7, 8, 9).node("Add", "add", List.of("z", "bias"), "logits").output("logits"));
        assertInstanceOf(Flatten.class, matmul.producer("flat").orElseThrow().op());
        Node head = matmul.producer("logits").orElseThrow();
        assertEquals("mm", head.name());
        assertArrayEquals(new float[]{1, 4, 2, 5, 3, 6}, ((Dense) head.op()).weights()); // B is in × out
        assertArrayEquals(new float[]{7, 8, 9}, ((Dense) head.op()).bias());
        assertFalse(matmul.hasTensor("z"));
    }

    @Test
    void tf2onnxGlobalPoolHeads() {
        // ReduceMean over H, W without keepdims; GlobalAveragePool then Squeeze(axes 2, 3): both end in a vector of C
        Graph reduce = load(convNet(13).node("ReduceMean", "gap", "c", "p", ints("axes", 2, 3), integer("keepdims", 0)));
        assertEquals(Shape.vector(2), reduce.shapes(6, 6).get("p"));
        Graph squeeze = load(convNet(13).node("GlobalAveragePool", "gap", "c", "p").longs("axes", dims(2), 2, 3)
                .node("Squeeze", "sq", List.of("p", "axes"), "v"));
        assertEquals(Shape.vector(2), squeeze.shapes(6, 6).get("v"));
        assertMessage("model file test.onnx: node 'sq' (Squeeze) squeezes axes [2, 3] of c; supported: height and width of "
                        + "a C×1×1 tensor (after a global pool)",
                convNet(13).longs("axes", dims(2), 2, 3).node("Squeeze", "sq", List.of("c", "axes"), "v"));
    }

    @Test
    void identityDropoutAndUnnamedNodes() {
        Graph g = load(convNet(13).node("Identity", "", "c", "i").node("Dropout", "", "i", "d")
                .node("Relu", "", "d", "r1").node("Relu", "dup", "r1", "r2").node("Relu", "dup", "r2", "r3"));
        assertEquals(List.of("/conv/Conv", "Relu_3", "dup", "dup_2"), g.nodes().stream().map(Node::name).toList());
        assertEquals(List.of("c"), g.producer("r1").orElseThrow().inputs());
    }

    @Test
    void fixedInputSize() {
        Graph g = load(new OnnxFile(13, "x", 1, 1, 28, 28).floats("w", dims(4, 1, 3, 3), new float[36])
                .node("Conv", "conv", List.of("x", "w"), "c").node("Flatten", "flat", "c", "f")
                .floats("fw", dims(4 * 26 * 26, 10), new float[4 * 26 * 26 * 10]).node("MatMul", "fc", List.of("f", "fw"), "y"));
        assertEquals(28, g.fixedHeight());
        assertEquals(28, g.fixedWidth());
        assertTrue(g.fixedSize());
        ModelException mismatch = assertThrows(ModelException.class, () -> load(new OnnxFile(13, "x", 1, 1, 20, 20)
                .floats("w", dims(4, 1, 3, 3), new float[36]).node("Conv", "conv", List.of("x", "w"), "c")
                .node("Flatten", "flat", "c", "f")
                .floats("fw", dims(4 * 26 * 26, 10), new float[4 * 26 * 26 * 10]).node("MatMul", "fc", List.of("f", "fw"), "y")));
        assertTrue(mismatch.getMessage().contains("node fc (Gemm): Gemm expects 2704 inputs"), mismatch.getMessage());
    }

    @Test
    void samePaddingAndGroups() {
        Graph g = load(new OnnxFile(11, "x", "N", 4, "h", "w").floats("dw", dims(4, 1, 3, 3), new float[36])
                .node("Conv", "depthwise", List.of("x", "dw"), "y", integer("group", 4), string("auto_pad", "SAME_UPPER"),
                        ints("strides", 2, 2), ints("dilations", 1, 1)));
        Conv conv = (Conv) g.producer("y").orElseThrow().op();
        assertEquals(4, conv.group());
        assertEquals("SAME_UPPER", conv.samePadding());
        assertEquals(Shape.image(4, 4, 4), g.shapes(7, 8).get("y"));
    }

    // ---- what is refused, in one line ----

    @Test
    void unsupportedOperatorNamesNodeOperatorAndWhatIsSupported() {
        ModelException e = assertThrows(ModelException.class, () -> load(convNet(13).node("LRN", "/lrn/LRN", "c", "y")));
        assertTrue(e.getMessage().startsWith("model file test.onnx: node '/lrn/LRN' (LRN) is not supported; supported operators: Add, "),
                e.getMessage());
        assertTrue(e.getMessage().contains("Conv"));
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void unsupportedAttributeValuesAreNamed() {
        assertMessage("model file test.onnx: node 'pad' (Pad) has mode reflect; only constant padding is supported",
                convNet(13).longs("pads", dims(8), 0, 0, 1, 1, 0, 0, 1, 1)
                        .node("Pad", "pad", List.of("c", "pads"), "y", string("mode", "reflect")));
        assertMessage("model file test.onnx: node 'pad' (Pad) pads the batch or channels [0, 1, 0, 0, 0, 0, 0, 0]; only "
                        + "height and width are supported",
                convNet(13).longs("pads", dims(8), 0, 1, 0, 0, 0, 0, 0, 0).node("Pad", "pad", List.of("c", "pads"), "y"));
        assertMessage("model file test.onnx: node 'mp' (MaxPool) has auto_pad SAME_UPPER with stride [2, 2]; supported: "
                        + "explicit pads, or SAME_* with stride 1",
                convNet(13).node("MaxPool", "mp", "c", "y", ints("kernel_shape", 2, 2), ints("strides", 2, 2),
                        string("auto_pad", "SAME_UPPER")));
        assertMessage("model file test.onnx: node 'cat' (Concat) concatenates along the batch axis",
                convNet(13).node("Concat", "cat", List.of("c", "c"), "y", integer("axis", 0)));
        assertMessage("model file test.onnx: node 'c3' (Conv) has 3-D weights; only 2-D convolutions (4-D weights) are supported",
                convNet(13).floats("w3", dims(2, 2, 2), new float[8]).node("Conv", "c3", List.of("c", "w3"), "y"));
        assertMessage("model file test.onnx: node 'conv' (Conv) computes its weights (c); only an initializer or a Constant "
                        + "is supported",
                convNet(13).node("Conv", "conv", List.of("input", "c"), "y"));
    }

    @Test
    void inputsFilterVizCannotTake() {
        OnnxFile two = convNet(13);
        byte[] bytes = new OnnxFile(13, "a", 1, 3, 8, 8).node("Relu", "r", "a", "y").bytes();
        assertEquals("model file nhwc.onnx: input a looks channels-last (N×H×W×C = 1×224×224×3); filterviz takes NCHW: "
                        + "export with tf2onnx --inputs-as-nchw a",
                assertThrows(ModelException.class, () -> OnnxLoader.load("nhwc.onnx",
                        new OnnxFile(13, "a", 1, 224, 224, 3).node("Relu", "r", "a", "y").bytes())).getMessage());
        assertEquals("model file b.onnx: input a has a fixed batch of 4; export it with batch 1 or a free batch",
                assertThrows(ModelException.class, () -> OnnxLoader.load("b.onnx",
                        new OnnxFile(13, "a", 4, 3, 8, 8).node("Relu", "r", "a", "y").bytes())).getMessage());
        assertNotNull(OnnxLoader.load("ok.onnx", bytes));
        assertNotNull(load(two));
    }

    @Test
    void notOnnxAndTruncatedFiles() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        ModelException notOnnx = assertThrows(ModelException.class, () -> OnnxLoader.load("picture.onnx", png));
        assertTrue(notOnnx.getMessage().startsWith("model file picture.onnx is not an ONNX model"), notOnnx.getMessage());
        assertEquals(1, notOnnx.getMessage().lines().count());
        ModelException text = assertThrows(ModelException.class,
                () -> OnnxLoader.load("notes.onnx", "hello, this is text\n".getBytes()));
        assertTrue(text.getMessage().startsWith("model file notes.onnx is not an ONNX model"), text.getMessage());
        ModelException empty = assertThrows(ModelException.class, () -> OnnxLoader.load("empty.onnx", new byte[0]));
        assertTrue(empty.getMessage().startsWith("model file empty.onnx is not an ONNX model"), empty.getMessage());

        byte[] whole = convNet(13).node("Relu", "r", "c", "y").bytes();
        for (int cut : new int[]{whole.length / 2, whole.length - 3}) {
            ModelException truncated = assertThrows(ModelException.class,
                    () -> OnnxLoader.load("cut.onnx", Arrays.copyOf(whole, cut)));
            assertEquals("model file cut.onnx is truncated (the file ends in the middle of a record)", truncated.getMessage());
        }
    }

    private static void assertMessage(String expected, OnnxFile file) {
        ModelException e = assertThrows(ModelException.class, () -> load(file));
        assertEquals(expected, e.getMessage());
    }
}
