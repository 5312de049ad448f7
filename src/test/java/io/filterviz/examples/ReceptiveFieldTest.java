package io.filterviz.examples;

import io.filterviz.engine.reference.ReferenceGraph;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Shape;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The receptive field against its definition: the input pixels whose change moves the output at that position. */
class ReceptiveFieldTest {

    /** Per output position of {@code target}: the hull {top, left, bottom, right} of the pixels that change it. */
    private static int[][] perturbedHull(Graph graph, String target, int height, int width) {
        ReferenceGraph engine = new ReferenceGraph(graph);
        Shape in = graph.shapes(height, width).get(graph.input());
        Shape out = graph.shapes(height, width).get(target);
        Random random = new Random(3);
        double[] image = new double[(int) in.size()];
        for (int i = 0; i < image.length; i++) image[i] = random.nextDouble() * 255;
        double[] base = engine.forward(image, height, width).get(target);
        int plane = out.height() * out.width();
        int[][] hull = new int[plane][];
        for (int c = 0; c < in.channels(); c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double[] moved = image.clone();
                    moved[(c * height + y) * width + x] += 1000;
                    double[] after = engine.forward(moved, height, width).get(target);
                    for (int oc = 0; oc < out.channels(); oc++) {
                        for (int p = 0; p < plane; p++) {
                            if (Math.abs(after[oc * plane + p] - base[oc * plane + p]) < 1e-9) continue;
                            int[] h = hull[p];
                            hull[p] = h == null ? new int[]{y, x, y, x}
                                    : new int[]{Math.min(h[0], y), Math.min(h[1], x), Math.max(h[2], y), Math.max(h[3], x)};
                        }
                    }
                }
            }
        }
        return hull;
    }

    @Test
    void linearWindowsSeeExactlyThePixelsThatMoveThem() {
        Graph graph = SmallNetworks.windows(11);
        int height = 23, width = 19;
        for (String target : new String[]{"d", "a", "s", "sum"}) {
            Shape out = graph.shapes(height, width).get(target);
            int[][] hull = perturbedHull(graph.upTo(target), target, height, width);
            for (int y = 0; y < out.height(); y++) {
                for (int x = 0; x < out.width(); x++) {
                    ReceptiveField.Box box = ReceptiveField.of(graph, target, height, width, x, y);
                    int[] h = hull[y * out.width() + x];
                    String where = target + " at (" + x + ", " + y + ")";
                    if (h == null) { // a window over padding only: the box falls back to the whole image
                        assertEquals(new ReceptiveField.Box(0, 0, height - 1, width - 1), box, where);
                        continue;
                    }
                    assertEquals(new ReceptiveField.Box(h[0], h[1], h[2], h[3]), box, where);
                }
            }
        }
    }

    @Test
    void reluAndMaxPoolStayInsideTheBoxAndTheBoxIsTheHandWorkedOne() {
        Graph graph = SmallNetworks.cnn(5);
        int height = 16, width = 20;
        Shape out = graph.shapes(height, width).get("relu2");
        int[][] hull = perturbedHull(graph.upTo("relu2"), "relu2", height, width);
        for (int y = 0; y < out.height(); y++) {
            for (int x = 0; x < out.width(); x++) {
                ReceptiveField.Box box = ReceptiveField.of(graph, "relu2", height, width, x, y);
                // conv 3×3 pad 1, pool 2, conv 3×3 stride 2 pad 1: rows 4y−3 … 4y+4 (likewise columns), clipped
                assertEquals(new ReceptiveField.Box(Math.max(0, 4 * y - 3), Math.max(0, 4 * x - 3),
                        Math.min(height - 1, 4 * y + 4), Math.min(width - 1, 4 * x + 4)), box);
                int[] h = hull[y * out.width() + x];
                if (h != null) {
                    assertTrue(h[0] >= box.top() && h[1] >= box.left() && h[2] <= box.bottom() && h[3] <= box.right(),
                            "a pixel outside the box moved relu2 at (" + x + ", " + y + ")");
                }
            }
        }
        Map<String, Shape> shapes = graph.shapes(height, width);
        assertTrue(shapes.get("logits").vector());
        assertEquals(new ReceptiveField.Box(0, 0, height - 1, width - 1), ReceptiveField.of(graph, "logits", height, width, -1, -1));
    }
}
