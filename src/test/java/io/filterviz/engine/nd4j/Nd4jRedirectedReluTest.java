package io.filterviz.engine.nd4j;

import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.lucid.LucidObjective;
import io.filterviz.engine.lucid.LucidObjective.ReluGradient;
import io.filterviz.engine.reference.ReferenceGraph;
import io.filterviz.model.KerasVgg;
import io.filterviz.model.VggArchitecture;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The nd4j engine (VGG only) has Lucid's redirected ReLU gradient too: on VGG16 with random weights, for filters
 * dead for the image (a zero plain gradient, which the redirected one revives) and live ones, its redirected
 * gradient agrees with the reference engine's (held to hand-worked values by RedirectedReluReferenceTest) within
 * 1e−4 relative L2, and for live filters it is its plain gradient.
 */
class Nd4jRedirectedReluTest {

    @Test
    void agreesWithTheReferenceOnRandomVgg16() {
        check(KerasVgg.random(VggArchitecture.VGG16, "block3_conv2", 42), 2);
    }

    /**
     * block2_conv1 biased by −1000: dead for every image, and so is everything after it (random VGG16 has zero
     * biases, so each later ReLU sees exactly 0). No plain gradient anywhere; the redirected one crosses every
     * layer, each stage's ReLU included, not only the target's.
     */
    @Test
    void crossesLayersDeadForEveryImage() {
        Graph vgg = KerasVgg.random(VggArchitecture.VGG16, "block3_conv2", 42);
        List<Node> nodes = new ArrayList<>();
        for (Node node : vgg.nodes()) {
            if (node.name().equals("block2_conv1/conv")) {
                Conv c = (Conv) node.op();
                float[] bias = new float[c.outChannels()];
                java.util.Arrays.fill(bias, -1000f);
                node = new Node(node.name(), Conv.simple(c.inChannels(), c.outChannels(), 3, 1, c.weights(), bias),
                        node.inputs(), node.output());
            }
            nodes.add(node);
        }
        check(new Graph(vgg.name(), vgg.input(), vgg.inputChannels(), 0, 0, nodes), 3);
    }

    private static void check(Graph graph, int wantDead) {
        String target = graph.resolve("block3_conv2").orElseThrow();
        ReferenceGraph reference = new ReferenceGraph(graph);
        SplittableRandom random = new SplittableRandom(16);
        int side = 24;
        float[] image = new float[3 * side * side];
        for (int i = 0; i < image.length; i++) image[i] = (float) (random.nextDouble() * 255 - 128);
        double[] x = new double[image.length];
        for (int i = 0; i < x.length; i++) x[i] = image[i];
        int dead = 0, live = 0;
        try (FilterObjective objective = new Nd4jBackend().compile(graph).newObjective(target, 1)) {
            LucidObjective lucid = LucidObjective.of(objective);
            assertTrue(lucid instanceof Nd4jFilterObjective, "nd4j's own redirected gradient");
            for (int filter = 0; filter < objective.filters() && (dead < wantDead || live < 1); filter++) {
                float[] plain = new float[image.length], redirected = new float[image.length];
                lucid.lossAndGradient(image, side, side, filter, plain, ReluGradient.PLAIN);
                boolean isDead = norm(plain) == 0;
                if (isDead ? dead >= wantDead : live >= 1) continue;
                if (isDead) dead++;
                else live++;
                float loss = lucid.lossAndGradient(image, side, side, filter, redirected, ReluGradient.REDIRECTED);
                ReferenceGraph.Result want = reference.lossAndGradient(target, filter, x, side, side, true);
                double diff = 0, norm = 0;
                for (int i = 0; i < x.length; i++) {
                    diff += (redirected[i] - want.gradient()[i]) * (redirected[i] - want.gradient()[i]);
                    norm += want.gradient()[i] * want.gradient()[i];
                }
                double error = Math.sqrt(diff / norm);
                System.out.printf(Locale.ROOT, "nd4j redirected: filter %d %s: loss %.6g vs %.6g, gradient %.1e%n",
                        filter, isDead ? "dead" : "live", loss, want.loss(), error);
                assertTrue(norm > 0, "the reference's redirected gradient is zero: the comparison proves nothing");
                assertTrue(error < 1e-4, "filter " + filter + ": " + error);
                assertEquals(want.loss(), loss, 1e-4 * Math.max(Math.abs(want.loss()), 1e-2));
                if (!isDead) {
                    for (int i = 0; i < x.length; i++) assertEquals(plain[i], redirected[i], 0f, "live filter: plain");
                }
            }
        }
        assertEquals(wantDead, dead, "too few dead filters for this image: the test proves little");
        assertTrue(live <= 1);
    }

    private static double norm(float[] v) {
        double sum = 0;
        for (float f : v) sum += f * (double) f;
        return Math.sqrt(sum);
    }
}
