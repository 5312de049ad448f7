package io.filterviz.model.onnx;

import io.filterviz.engine.reference.ReferenceGraph;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.MatMul;
import io.filterviz.model.graph.ModelException;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Transpose;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.filterviz.model.onnx.OnnxFile.string;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Einsum as a batched matrix product (MaxViT's attention): the plan's permutations, the values, and the refusals. */
class EinsumTranslatorTest {
    private static final int C = 2, H = 3, W = 4;

    private static EinsumTranslator.Plan plan(String equation, int rank) {
        return EinsumTranslator.plan(equation, rank, rank, IllegalArgumentException::new);
    }

    @Test
    void maxVitsEquationsNeedOneTransposeOrNone() {
        // q · kᵀ: B's last two axes swap, the product is in the output's order
        EinsumTranslator.Plan qk = plan("B G H I D, B G H J D -> B G H I J", 5);
        assertArrayEquals(new int[]{0, 1, 2, 3, 4}, qk.left());
        assertArrayEquals(new int[]{0, 1, 2, 4, 3}, qk.right());
        assertArrayEquals(new int[]{0, 1, 2, 3, 4}, qk.output());
        assertTrue(qk.leadingShared());
        // weights · v: a plain matmul
        EinsumTranslator.Plan av = plan("B G H I J, B G H J D -> B G H I D", 5);
        assertArrayEquals(new int[]{0, 1, 2, 3, 4}, av.left());
        assertArrayEquals(new int[]{0, 1, 2, 3, 4}, av.right());
        assertArrayEquals(new int[]{0, 1, 2, 3, 4}, av.output());
        // the ellipsis, the implicit output, and an output in another order
        assertArrayEquals(new int[]{0, 1, 2, 3}, plan("...ij,...jk->...ik", 4).right());
        assertArrayEquals(new int[]{0, 1}, plan("ij,jk", 2).output());
        EinsumTranslator.Plan moved = plan("bhij,bhjk->bkhi", 4);
        // product b h i k → output b k h i
        assertArrayEquals(new int[]{0, 3, 1, 2}, moved.output());
        EinsumTranslator.Plan batchInside = plan("ibj,jbk->bik", 3);
        assertArrayEquals(new int[]{1, 0, 2}, batchInside.left());
        assertArrayEquals(new int[]{1, 0, 2}, batchInside.right());
        assertEquals(false, batchInside.leadingShared());
    }

    @Test
    void theProductHasEinsumsValues() {
        // x · xᵀ over each channel's rows, written two ways: the product's own order, and with its axes moved
        Graph g = OnnxLoader.load("einsum.onnx", new OnnxFile(17, "x", 1, C, H, W)
                .node("Einsum", "gram", List.of("x", "x"), "g", string("equation", "bchw,bckw->bchk"))
                .node("Einsum", "moved", List.of("x", "x"), "m", string("equation", "b c h w, b c k w -> b k c h"))
                .output("g").output("m").bytes());
        Node gram = g.producer("g").orElseThrow();
        assertEquals("gram", gram.name());
        assertInstanceOf(MatMul.class, gram.op());
        assertInstanceOf(Transpose.class, g.producer("m").orElseThrow().op());
        double[] x = new double[C * H * W];
        for (int i = 0; i < x.length; i++) x[i] = (i * 7 % 11) - 5;
        var values = new ReferenceGraph(g).forward(x, H, W);
        double[] expectedGram = new double[C * H * H], expectedMoved = new double[H * C * H];
        for (int c = 0; c < C; c++) {
            for (int h = 0; h < H; h++) {
                for (int k = 0; k < H; k++) {
                    double s = 0;
                    for (int w = 0; w < W; w++) s += x[(c * H + h) * W + w] * x[(c * H + k) * W + w];
                    expectedGram[(c * H + h) * H + k] = s;
                    expectedMoved[(k * C + c) * H + h] = s;
                }
            }
        }
        assertArrayEquals(expectedGram, values.get("g"), 1e-12);
        assertArrayEquals(expectedMoved, values.get("m"), 1e-12);
    }

    @Test
    void otherEquationsAreRefusedInOneLineNamingThem() {
        for (String[] c : new String[][]{
                {"bchw,bchw->bc", "2 contracted indices"},
                {"bchw,bckw->bck", "it sums over 'h' of one operand"},
                {"bchw,bchw->bchw", "0 contracted indices"},
                {"bcii,bcij->bcj", "an index repeats in one term"}}) {
            ModelException e = assertThrows(ModelException.class, () -> OnnxLoader.load("einsum.onnx",
                    new OnnxFile(17, "x", 1, C, H, W).node("Einsum", "e", List.of("x", "x"), "y", string("equation", c[0]))
                            .output("y").bytes()));
            assertEquals("model file einsum.onnx: node 'e' (Einsum) has the equation '" + c[0] + "' (" + c[1] + "); only "
                    + "a batched matrix product of two tensors is supported, e.g. '...ij,...jk->...ik', with any order of "
                    + "the axes", e.getMessage());
        }
    }
}
