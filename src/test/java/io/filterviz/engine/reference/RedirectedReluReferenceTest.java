package io.filterviz.engine.reference;

import io.filterviz.engine.lucid.LucidObjective.ReluGradient;
import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Graph;
import io.filterviz.testing.GraphBuilder;
import io.filterviz.testing.RedirectGraphs;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static io.filterviz.testing.GraphBuilder.input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lucid's redirected ReLU gradient in the reference engine (the oracle of the fast one): exact values on the tiny
 * hand-worked graphs of {@link RedirectGraphs}, and, where every ReLU lets something through, exactly the plain
 * gradient, which finite differences hold.
 */
class RedirectedReluReferenceTest {

    @Test
    void deadReluGetsTheRedirectedGradientAndLiveOnesThePlainOne() {
        check(RedirectGraphs.relu(), RedirectGraphs.reluCases());
    }

    @Test
    void relu6IsRedirectedAtBothEnds() {
        check(RedirectGraphs.relu6(), RedirectGraphs.relu6Cases());
    }

    private static void check(Graph graph, List<RedirectGraphs.Case> cases) {
        ReferenceGraph reference = new ReferenceGraph(graph);
        ReferenceObjective objective = new ReferenceObjective(graph, RedirectGraphs.TARGET);
        for (RedirectGraphs.Case c : cases) {
            double[] x = new double[4];
            for (int i = 0; i < 4; i++) x[i] = c.image()[i];
            ReferenceGraph.Result plain = reference.lossAndGradient(RedirectGraphs.TARGET, c.filter(), x, 2, 2);
            ReferenceGraph.Result redirected = reference.lossAndGradient(RedirectGraphs.TARGET, c.filter(), x, 2, 2, true);
            assertEquals(c.loss(), plain.loss(), 1e-12, c.what());
            assertEquals(c.loss(), redirected.loss(), 1e-12, c.what() + ": the forward pass does not change");
            assertArrayEquals(c.plain(), plain.gradient(), 1e-12, c.what() + " (plain)");
            assertArrayEquals(c.redirected(), redirected.gradient(), 1e-12, c.what() + " (redirected)");
            assertArrayEquals(finiteDifferences(reference, c.filter(), x, 2, 2), plain.gradient(), 1e-6, c.what() + " (FD)");

            float[] gradient = new float[4];
            float loss = objective.lossAndGradient(c.image(), 2, 2, c.filter(), gradient, ReluGradient.REDIRECTED);
            assertEquals(c.loss(), loss, 1e-6);
            for (int i = 0; i < 4; i++) assertEquals(c.redirected()[i], gradient[i], 1e-7, c.what() + " objective");
        }
    }

    /**
     * A random graph with ReLUs (fused-style after convolutions, after an Add, after an affine) and a ReLU6: for a
     * live target, every ReLU's plain gradient lets something through, so the redirected gradient is the plain one,
     * bit for bit, and the plain one is the true gradient (central differences). A rule applied unit by unit rather
     * than to the whole tensor would move the dead units' gradients and fail.
     */
    @Test
    void withEveryReluPassingTheGradientIsThePlainOne() {
        GraphBuilder b = new GraphBuilder("live", 3, 8);
        String x = b.relu(b.conv(input(), 6, 3, 1, 1));
        String y = b.act(b.conv(x, 6, 3, 1, 1), Activation.Kind.CLIP, 0f, 6f);
        String sum = b.relu(b.sum(b.conv(y, 6, 3, 1, 1), x));
        String target = b.relu(b.affine(b.conv(sum, 4, 3, 2, 1)));
        Graph graph = b.build();
        ReferenceGraph reference = new ReferenceGraph(graph);
        SplittableRandom random = new SplittableRandom(5);
        double[] image = new double[3 * 9 * 10];
        for (int i = 0; i < image.length; i++) image[i] = random.nextDouble() * 2 - 1;
        int live = 0;
        for (int filter = 0; filter < 4; filter++) {
            ReferenceGraph.Result plain = reference.lossAndGradient(target, filter, image, 9, 10);
            if (plain.loss() == 0) continue;
            live++;
            ReferenceGraph.Result redirected = reference.lossAndGradient(target, filter, image, 9, 10, true);
            assertArrayEquals(plain.gradient(), redirected.gradient(), 0.0, "filter " + filter);
            double[] fd = finiteDifferences(reference, target, filter, image, 9, 10);
            double diff = 0, norm = 0;
            for (int i = 0; i < fd.length; i++) {
                diff += (fd[i] - plain.gradient()[i]) * (fd[i] - plain.gradient()[i]);
                norm += fd[i] * fd[i];
            }
            assertTrue(norm > 0 && Math.sqrt(diff / norm) < 1e-5, "filter " + filter + ": " + Math.sqrt(diff / norm));
        }
        assertTrue(live >= 2, "only " + live + " live filters: the test proves little");
    }

    private static double[] finiteDifferences(ReferenceGraph reference, int filter, double[] x, int h, int w) {
        return finiteDifferences(reference, RedirectGraphs.TARGET, filter, x, h, w);
    }

    private static double[] finiteDifferences(ReferenceGraph reference, String target, int filter, double[] x, int h, int w) {
        double step = 1e-6;
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + step;
            double up = reference.lossAndGradient(target, filter, x, h, w).loss();
            x[i] = keep - step;
            double down = reference.lossAndGradient(target, filter, x, h, w).loss();
            x[i] = keep;
            g[i] = (up - down) / (2 * step);
        }
        return g;
    }
}
