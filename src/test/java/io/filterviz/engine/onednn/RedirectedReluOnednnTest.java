package io.filterviz.engine.onednn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.Precision;
import io.filterviz.engine.onednn.GraphAgreementTest.Case;
import io.filterviz.engine.lucid.LucidObjective;
import io.filterviz.engine.lucid.LucidObjective.ReluGradient;
import io.filterviz.engine.reference.ReferenceGraph;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.KerasVgg;
import io.filterviz.model.VggArchitecture;
import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.onnx.OnnxLoader;
import io.filterviz.testing.GraphBuilder;
import io.filterviz.testing.RedirectGraphs;
import io.filterviz.testing.Prerequisite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static io.filterviz.testing.GraphBuilder.input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lucid's redirected ReLU gradient on the oneDNN engine: the exact values of the tiny hand-worked graphs (fp32 and
 * bf16: every number there is exact in both), per image in a batch, and agreement with the reference engine's
 * redirected gradient (double precision, held to those values by RedirectedReluReferenceTest) on a random graph
 * with whole layers dead or saturated, on the ONNX fixtures resnet18 and mobilenet_v2 (ReLU6), and on VGG16 with
 * random weights, each with targets whose channel is dead for the image (where the redirected gradient revives it)
 * and live. fp32 tolerance as GraphAgreementTest's: 1e−4 relative L2.
 */
class RedirectedReluOnednnTest {
    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void tinyGraphsGiveTheHandWorkedValues(Precision precision) {
        if (precision == Precision.BF16) assumeBf16();
        tiny(RedirectGraphs.relu(), RedirectGraphs.reluCases(), precision);
        tiny(RedirectGraphs.relu6(), RedirectGraphs.relu6Cases(), precision);
    }

    private static void tiny(Graph graph, List<RedirectGraphs.Case> cases, Precision precision) {
        try (FilterObjective objective = new OnednnBackend(precision).compile(graph).newObjective(RedirectGraphs.TARGET, 1)) {
            LucidObjective lucid = LucidObjective.of(objective);
            for (RedirectGraphs.Case c : cases) {
                float[] plain = new float[4], redirected = new float[4];
                float loss = lucid.lossAndGradient(c.image(), 2, 2, c.filter(), plain, ReluGradient.PLAIN);
                float redirectedLoss = lucid.lossAndGradient(c.image(), 2, 2, c.filter(), redirected, ReluGradient.REDIRECTED);
                assertEquals(c.loss(), loss, 1e-6, c.what());
                assertEquals(c.loss(), redirectedLoss, 1e-6, c.what());
                for (int i = 0; i < 4; i++) {
                    assertEquals(c.plain()[i], plain[i], 1e-7, c.what() + " plain at " + i);
                    assertEquals(c.redirected()[i], redirected[i], 1e-7, c.what() + " redirected at " + i);
                }
            }
        }
    }

    /** The rule holds per image: a batch of a dead image and a live one gives each its own gradient. */
    @Test
    void aBatchRedirectsEachImageOnItsOwn() {
        List<RedirectGraphs.Case> cases = RedirectGraphs.reluCases();
        try (FilterObjective objective = new OnednnBackend(Precision.FP32).compile(RedirectGraphs.relu())
                .newObjective(RedirectGraphs.TARGET, 1)) {
            OnednnFilterObjective onednn = (OnednnFilterObjective) objective;
            int n = cases.size();
            float[][] images = new float[n][], gradients = new float[n][4];
            int[] filters = new int[n];
            for (int i = 0; i < n; i++) {
                images[i] = cases.get(i).image();
                filters[i] = cases.get(i).filter();
            }
            float[] losses = onednn.lossesAndGradients(images, 2, 2, filters, gradients, ReluGradient.REDIRECTED);
            for (int i = 0; i < n; i++) {
                RedirectGraphs.Case c = cases.get(i);
                assertEquals(c.loss(), losses[i], 1e-6, c.what());
                for (int p = 0; p < 4; p++) assertEquals(c.redirected()[p], gradients[i][p], 1e-7, c.what() + " at " + p);
            }
        }
        Case saturated = saturated();
        String target = saturated.targets().get(saturated.targets().size() - 1);
        try (FilterObjective objective = new OnednnBackend(Precision.FP32).compile(saturated.graph()).newObjective(target, 1)) {
            OnednnFilterObjective onednn = (OnednnFilterObjective) objective;
            int size = 3 * saturated.height() * saturated.width();
            SplittableRandom random = new SplittableRandom(4);
            int[] filters = {1, 4, 2};
            float[][] images = new float[3][size], batched = new float[3][size];
            for (float[] image : images) for (int i = 0; i < size; i++) image[i] = (float) (random.nextDouble() * 2 - 1);
            onednn.lossesAndGradients(images, saturated.width(), saturated.height(), filters, batched, ReluGradient.REDIRECTED);
            for (int b = 0; b < 3; b++) {
                float[] alone = new float[size];
                onednn.lossAndGradient(images[b], saturated.width(), saturated.height(), filters[b], alone, ReluGradient.REDIRECTED);
                double diff = 0, norm = 0;
                for (int i = 0; i < size; i++) {
                    diff += (alone[i] - batched[b][i]) * (double) (alone[i] - batched[b][i]);
                    norm += alone[i] * (double) alone[i];
                }
                assertTrue(norm > 0, "zero gradient: the test proves nothing");
                assertTrue(Math.sqrt(diff / norm) < 1e-5, "image " + b + ": " + Math.sqrt(diff / norm));
            }
        }
    }

    /**
     * A graph whose layers die or saturate as a whole: a convolution + affine shifted by −50 before its ReLU (dead
     * everywhere: only the redirected gradient crosses it), a residual Add + ReLU after it, a Clip(0, 6) whose
     * channels sit 50 below or above its bounds, a max pool, a last ReLU. Every kind of ReLU of the chain: fused into
     * a convolution, an affine and an Add, a Clip on its own, the target's in Java (fused or not).
     */
    static Case saturated() {
        GraphBuilder b = new GraphBuilder("saturated", 3, 9);
        int c = 8;
        int[] identity = new int[c];
        float[] ones = new float[c], below = new float[c], bothEnds = new float[c];
        for (int i = 0; i < c; i++) {
            identity[i] = i;
            ones[i] = 1;
            below[i] = -50;
            bothEnds[i] = i % 2 == 0 ? -50 : 50;
        }
        String x = b.relu(b.conv(input(), c, 3, 1, 1));
        String dead = b.relu(b.affine(b.conv(x, c, 3, 1, 1), identity, ones, below));
        String live = b.relu(b.sum(b.conv(dead, c, 3, 1, 1), x));
        String clipped = b.act(b.affine(b.conv(live, c, 3, 1, 1), identity, ones, bothEnds), Activation.Kind.CLIP, 0, 6);
        String pooled = b.maxPool(b.sum(clipped, live), 2, 2, 0, false);
        String target = b.relu(b.conv(pooled, 6, 3, 1, 1));
        return new Case("saturated", b.build(), 14, 12, 1.0, List.of(dead, live, clipped, pooled, target));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"saturated", "resnet", "mobile", "inception", "dense", "grey"})
    void agreesWithTheReferenceOnGraphs(String name) {
        Case c = switch (name) {
            case "saturated" -> saturated();
            case "resnet" -> GraphAgreementTest.resnet();
            case "mobile" -> GraphAgreementTest.mobile();
            case "inception" -> GraphAgreementTest.inception();
            case "dense" -> GraphAgreementTest.dense();
            default -> GraphAgreementTest.greyHead();
        };
        SplittableRandom random = new SplittableRandom(c.name().hashCode());
        float[] image = new float[c.graph().inputChannels() * c.height() * c.width()];
        for (int i = 0; i < image.length; i++) image[i] = (float) ((random.nextDouble() * 2 - 1) * c.pixelScale());
        int changed = agree(c.name(), c.graph(), c.targets(), image, c.height(), c.width(), 3);
        // The saturated graph's dead layer changes every gradient. On the others (random weights, biases around 0.1)
        // few channels are dead: where none is, the redirected gradient must be the plain one, and agree as well.
        if (name.equals("saturated") || name.equals("grey")) {
            assertTrue(changed > 0, c.name() + ": no comparison where the redirected gradient differs from the plain one");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"resnet18", "mobilenet_v2"})
    void agreesWithTheReferenceOnOnnxFixtures(String model) throws Exception {
        Path folder = Path.of(RedirectedReluOnednnTest.class.getResource("/models").toURI());
        JsonNode doc = new ObjectMapper().readTree(folder.resolve(model + ".json").toFile());
        Graph graph = Preprocessing.parse(doc.get("preprocess").asText()).prepend(OnnxLoader.load(folder.resolve(model + ".onnx")));
        JsonNode img = doc.get("image");
        int height = img.get("height").asInt(), width = img.get("width").asInt();
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(folder.resolve(img.get("file").asText()))).order(ByteOrder.LITTLE_ENDIAN);
        float[] image = new float[bytes.remaining() / 4];
        bytes.asFloatBuffer().get(image);
        List<String> targets = new ArrayList<>();
        for (JsonNode c : doc.get("cases")) targets.add(c.get("tensor").asText());
        int changed = agree(model, graph, targets, image, height, width, 2);
        // Lucid's deterministic start, flat grey, where more units are dead: three convolution outputs spread over
        // the network (after their ReLU or ReLU6).
        List<String> convolutions = graph.convolutionOutputs();
        int n = convolutions.size();
        List<String> spread = List.of(convolutions.get(n / 8), convolutions.get(n / 2), convolutions.get(n - 2));
        java.util.Arrays.fill(image, 127.5f);
        changed += agree(model + " grey", graph, spread, image, height, width, 2);
        assertTrue(changed > 0, model + ": no dead channel was revived");
    }

    @Test
    void agreesWithTheReferenceOnRandomVgg16() {
        Graph graph = Preprocessing.parse("caffe").prepend(KerasVgg.random(VggArchitecture.VGG16, "block5_conv1", 42));
        SplittableRandom random = new SplittableRandom(16);
        float[] image = new float[3 * 32 * 32];
        for (int i = 0; i < image.length; i++) image[i] = (float) (random.nextDouble() * 255);
        List<String> targets = List.of(graph.resolve("block3_conv2").orElseThrow(), graph.resolve("block5_conv1").orElseThrow());
        assertTrue(agree("vgg16", graph, targets, image, 32, 32, 2) > 0, "vgg16: no dead channel was revived");
    }

    /**
     * For each target, up to {@code dead} channels whose plain gradient is zero for this image and one live channel:
     * oneDNN's redirected gradient against the reference's. Returns how many comparisons the redirection changed.
     */
    private static int agree(String name, Graph graph, List<String> targets, float[] image, int height, int width, int dead) {
        ReferenceGraph reference = new ReferenceGraph(graph);
        double[] x = new double[image.length];
        for (int i = 0; i < x.length; i++) x[i] = image[i];
        int changed = 0;
        var model = new OnednnBackend(Precision.FP32).compile(graph);
        for (String target : targets) {
            try (FilterObjective objective = model.newObjective(target, 1)) {
                LucidObjective lucid = LucidObjective.of(objective);
                List<Integer> deadChannels = new ArrayList<>(), liveChannels = new ArrayList<>();
                float[] plain = new float[image.length];
                double scale = 1e-2; // the largest channel mean seen: the size of the terms a loss sums
                for (int ch = 0; ch < objective.filters() && ch < 64 && deadChannels.size() < dead; ch++) {
                    scale = Math.max(scale, Math.abs(lucid.lossAndGradient(image, width, height, ch, plain, ReluGradient.PLAIN)));
                    boolean zero = true;
                    for (float g : plain) zero &= g == 0;
                    (zero ? deadChannels : liveChannels).add(ch);
                }
                List<Integer> channels = new ArrayList<>(deadChannels);
                if (!liveChannels.isEmpty()) channels.add(liveChannels.get(0));
                for (int ch : channels) {
                    float[] gradient = new float[image.length];
                    lucid.lossAndGradient(image, width, height, ch, plain, ReluGradient.PLAIN);
                    float loss = lucid.lossAndGradient(image, width, height, ch, gradient, ReluGradient.REDIRECTED);
                    ReferenceGraph.Result want = reference.lossAndGradient(target, ch, x, height, width, true);
                    // Relative to the layer's scale: another summation order (AVX2's kernels against AVX-512's)
                    // moved VGG16's block5_conv1[0] mean of 0.556 by 1.9e-4 of itself, with the gradient within 5e-7.
                    double lossError = Math.abs(loss - want.loss()) / Math.max(Math.abs(want.loss()), scale);
                    // Zero can be right: a Clip saturated above its bound everywhere blocks a gradient that asks for more.
                    double error = norm(want.gradient()) == 0 ? norm(gradient) : GraphAgreementTest.relativeL2(gradient, want.gradient());
                    boolean differs = false;
                    for (int i = 0; i < plain.length; i++) differs |= plain[i] != gradient[i];
                    if (differs) changed++;
                    String line = String.format(Locale.ROOT, "redirected: %s %s[%d] %s: loss %.6g vs %.6g, gradient %.1e%s",
                            name, target, ch, deadChannels.contains(ch) ? "no plain gradient" : "live", loss, want.loss(), error,
                            differs ? " (differs from plain)" : "");
                    System.out.println(line);
                    assertTrue(lossError <= TOLERANCE, line);
                    assertTrue(error <= TOLERANCE, line);
                }
            }
        }
        return changed;
    }

    private static double norm(double[] v) {
        double sum = 0;
        for (double d : v) sum += d * d;
        return Math.sqrt(sum);
    }

    private static double norm(float[] v) {
        double sum = 0;
        for (float d : v) sum += d * (double) d;
        return Math.sqrt(sum);
    }

    private static void assumeBf16() {
        Prerequisite.requireCpu(OnednnBackend.bf16Supported(), "a CPU with AVX512_BF16");
    }
}
