package io.filterviz.model.graph;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class GraphBuilderTest {
    private static Conv conv(int in, int out, int kernel) {
        return Conv.simple(in, out, kernel, 0, new float[out * in * kernel * kernel], new float[out]);
    }

    @Test
    void shapesAreTheWholeGraphsAtTheFixedSize() {
        GraphBuilder b = new GraphBuilder("x", 3, 8, 8);
        b.add(new Node("c1", conv(3, 4, 3), "x", "a"));
        assertEquals(Shape.image(4, 6, 6), b.shape("a"));
        b.add(new Node("p", Pool.max2x2(), "a", "p"));
        b.add(new Node("f", new Flatten(), "p", "v"));
        assertEquals(Shape.vector(36), b.shape("v"));
        assertEquals(b.build("g").shapes(8, 8).get("v"), b.shape("v"));
    }

    @Test
    void aMisfitIsGraphShapesMessageUntilItsNodeIsRewritten() {
        GraphBuilder b = new GraphBuilder("x", 3, 4, 4);
        b.add(new Node("big", conv(3, 4, 5), "x", "a"));
        ShapeException e = assertThrows(ShapeException.class, () -> b.shape("x"));
        assertEquals(assertThrows(ShapeException.class, () -> b.build("g").shapes(4, 4)).getMessage(), e.getMessage());
        b.replace("a", conv(3, 4, 3), "b");
        assertEquals(Shape.image(4, 2, 2), b.shape("b"));

        GraphBuilder fits = new GraphBuilder("x", 3, 4, 4);
        fits.add(new Node("c", conv(3, 4, 3), "x", "a"));
        assertEquals(Shape.image(4, 2, 2), fits.shape("a"));
        fits.replace("a", conv(3, 4, 4), "b"); // a fold: the node writes another tensor, its shape is computed anew
        assertNull(fits.shape("a"));
        assertEquals(Shape.image(4, 1, 1), fits.shape("b"));
        assertEquals(List.of("b"), fits.build("g").tensors());
        assertEquals("c", fits.producer("b").orElseThrow().name());
    }

    @Test
    void aTensorAlreadyReadCannotBeFoldedAway() {
        GraphBuilder b = new GraphBuilder("x", 3, 0, 0);
        b.add(new Node("c", conv(3, 4, 3), "x", "a"));
        b.add(new Node("r", Activation.relu(), "a", "r"));
        assertThrows(IllegalStateException.class, () -> b.replace("a", conv(3, 4, 1), "b"));
        assertThrows(IllegalStateException.class, () -> b.shape("a"), "a free input size gives no shapes");
    }
}
