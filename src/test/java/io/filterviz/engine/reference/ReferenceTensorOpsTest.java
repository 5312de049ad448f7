package io.filterviz.engine.reference;

import io.filterviz.model.graph.Binary;
import io.filterviz.model.graph.ConstantBinary;
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
import io.filterviz.testing.TransformerGraphs;
import org.junit.jupiter.api.Test;

import java.util.List;

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
        checkAll(TransformerGraphs.miniVitCase());
    }

    /** A ViT's class token, a constant before the patch tokens: its gradient is the patch tokens' part of the output's. */
    @Test
    void aVisionTransformerBlockWithAConstantClassTokenAgreesWithFiniteDifferences() {
        TransformerGraphs.Case vit = TransformerGraphs.miniVitClassTokenCase();
        assertEquals(Shape.channelsLast(5, 4), vit.graph().shapes(4, 4).get("tok5"));
        checkAll(vit);
    }

    @Test
    void swinPiecesAgreeWithFiniteDifferences() {
        TransformerGraphs.Case swin = TransformerGraphs.swinCase();
        assertEquals(Shape.channelsLast(4, 4, 3), swin.graph().shapes(4, 4).get("windows"));
        checkAll(swin);
    }

    /** The forms the oneDNN engine lowers apart (which operand broadcasts, constants first, units on other axes). */
    @Test
    void theOtherFormsAgreeWithFiniteDifferences() {
        TransformerGraphs.Case other = TransformerGraphs.otherFormsCase();
        var shapes = other.graph().shapes(4, 4);
        assertEquals(Shape.channelsLast(1, 4, 4, 3), shapes.get("lift"));
        assertEquals(Shape.tensor(new int[]{3, 16}, 0), shapes.get("units0"));
        assertEquals(Shape.tensor(new int[]{4, 3, 4}, 1), shapes.get("mid"));
        assertEquals(Shape.channelsLast(4, 6, 3), shapes.get("tail"));
        checkAll(other);
    }

    private static void checkAll(TransformerGraphs.Case c) {
        for (String target : c.targets()) {
            FiniteDifferences.checkAll(c.graph(), target, TransformerGraphs.CHANNELS, TransformerGraphs.HEIGHT,
                    TransformerGraphs.WIDTH, H);
        }
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
