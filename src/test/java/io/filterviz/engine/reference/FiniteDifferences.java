package io.filterviz.engine.reference;

import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Shape;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Central differences of the reference's own forward loss against its backward, for every unit of a target. */
final class FiniteDifferences {
    private FiniteDifferences() {}

    static void checkAll(Graph graph, String target, int channels, int height, int width, double h) {
        SplittableRandom random = new SplittableRandom(42);
        double[] image = new double[channels * height * width];
        for (int i = 0; i < image.length; i++) image[i] = random.nextDouble() * 2 - 1;
        ReferenceGraph reference = new ReferenceGraph(graph);
        Shape out = graph.shapes(height, width).get(target);
        for (int c = 0; c < out.channels(); c++) {
            ReferenceGraph.Result r = reference.lossAndGradient(target, c, image, height, width);
            String where = graph.producer(target).orElseThrow().op().type() + " " + target + "[" + c + "]";
            double norm = 0;
            for (double g : r.gradient()) norm += g * g;
            if (norm == 0) throw new AssertionError(where + ": zero gradient, the check would prove nothing");
            for (int i = 0; i < image.length; i++) {
                double keep = image[i];
                image[i] = keep + h;
                double plus = reference.lossAndGradient(target, c, image, height, width).loss();
                image[i] = keep - h;
                double minus = reference.lossAndGradient(target, c, image, height, width).loss();
                image[i] = keep;
                double numeric = (plus - minus) / (2 * h);
                assertEquals(numeric, r.gradient()[i], 1e-8 + 1e-6 * Math.abs(numeric), where + ": d loss / d x[" + i + "]");
            }
        }
    }
}
