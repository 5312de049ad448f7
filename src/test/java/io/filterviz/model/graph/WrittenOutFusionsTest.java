package io.filterviz.model.graph;

import io.filterviz.engine.reference.ReferenceGraph;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** PyTorch's written-out GELU and pre-opset-17 LayerNorm become one node each, computing the same values. */
class WrittenOutFusionsTest {
    private static final float[] SCALE = {0.5f, 2f, -1f}, SHIFT = {0.1f, 0f, 0.3f};

    @Test
    void geluAndLayerNormFuseIntoOneNodeEachUnderTheLastNodesName() {
        Graph written = written();
        Graph fused = WrittenOutFusions.apply(written, Set.of());
        assertEquals(List.of("nhwc", "ln/Add_1", "mlp/Mul_1"), fused.nodes().stream().map(Node::name).toList());
        assertEquals(new LayerNorm(1e-5f, SCALE, SHIFT).epsilon(), ((LayerNorm) fused.nodes().get(1).op()).epsilon());
        assertArrayEquals(SCALE, ((LayerNorm) fused.nodes().get(1).op()).scale());
        assertEquals(Activation.gelu(), fused.nodes().get(2).op());
        double[] image = new double[3 * 2 * 2];
        for (int i = 0; i < image.length; i++) image[i] = Math.sin(i + 1) * 2;
        double[] before = new ReferenceGraph(written).forward(image, 2, 2).get("y");
        double[] after = new ReferenceGraph(fused).forward(image, 2, 2).get("y");
        assertArrayEquals(before, after, 1e-7); // the file divides by 1.4142135f, GELU by √2 itself
    }

    @Test
    void aTensorAskedForOrReadElsewhereStopsTheFusion() {
        Graph written = written();
        assertEquals(written.nodes().size() - 8, WrittenOutFusions.apply(written, Set.of("erf")).nodes().size());
        assertEquals(written.nodes().size() - 4, WrittenOutFusions.apply(written, Set.of("centred")).nodes().size());
    }

    /** A channels-last plane, LayerNorm as ReduceMean … Div · scale + shift, then GELU as Div, Erf, Add, Mul, Mul. */
    private static Graph written() {
        return new Graph("t", "x", 3, 0, 0, List.of(
                new Node("nhwc", new Transpose(new int[]{1, 2, 0}), "x", "h"),
                new Node("ln/ReduceMean", new ReduceMean(2), "h", "mean"),
                new Node("ln/Sub", new Binary(Binary.Kind.SUB), List.of("h", "mean"), "centred"),
                new Node("ln/Pow", new Binary(Binary.Kind.MUL), List.of("centred", "centred"), "square"),
                new Node("ln/ReduceMean_1", new ReduceMean(2), "square", "var"),
                new Node("ln/Add", c(Binary.Kind.ADD, 1e-5f), "var", "vareps"),
                new Node("ln/Sqrt", Activation.of(Activation.Kind.SQRT), "vareps", "std"),
                new Node("ln/Div", new Binary(Binary.Kind.DIV), List.of("centred", "std"), "normed"),
                new Node("ln/Mul", new ConstantBinary(Binary.Kind.MUL, SCALE, new int[]{3}, false), "normed", "scaled"),
                new Node("ln/Add_1", new ConstantBinary(Binary.Kind.ADD, SHIFT, new int[]{3}, false), "scaled", "n"),
                new Node("mlp/Div", c(Binary.Kind.DIV, 1.4142135f), "n", "d"),
                new Node("mlp/Erf", Activation.of(Activation.Kind.ERF), "d", "erf"),
                new Node("mlp/Add", c(Binary.Kind.ADD, 1f), "erf", "e1"),
                new Node("mlp/Mul", new Mul(), List.of("n", "e1"), "m"),
                new Node("mlp/Mul_1", c(Binary.Kind.MUL, 0.5f), "m", "y")));
    }

    private static ConstantBinary c(Binary.Kind kind, float value) {
        return new ConstantBinary(kind, new float[]{value}, new int[]{1}, false);
    }
}
