package io.filterviz.engine.onednn;

import io.filterviz.engine.CompiledModel;
import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.Precision;
import io.filterviz.engine.lucid.LucidObjective;
import io.filterviz.engine.reference.ReferenceGraph;
import io.filterviz.model.graph.Binary;
import io.filterviz.model.graph.ChannelAffine;
import io.filterviz.model.graph.ConstantBinary;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.ReduceMean;
import io.filterviz.model.graph.Shape;
import io.filterviz.model.graph.Transpose;
import io.filterviz.testing.Prerequisite;
import io.filterviz.testing.TransformerGraphs;
import io.filterviz.testing.TransformerGraphs.Case;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static io.filterviz.testing.TransformerGraphs.CHANNELS;
import static io.filterviz.testing.TransformerGraphs.HEIGHT;
import static io.filterviz.testing.TransformerGraphs.WIDTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The oneDNN engine on a transformer's operators (TransformerGraphs: a mini ViT block, Swin's pieces, and the other
 * forms of broadcast arithmetic, indexing and matrix products) against the double-precision reference: every unit of
 * every target, in batches of three filters (each image its own unit, one batch holding a unit twice), the loss and
 * the input gradient; the scan's forward-only chains' values and unit maxima; and a node the engine cannot lower
 * refused in one line naming it.
 *
 * <p>Tolerances: fp32 loss within 1e-5 relative to |loss| or 1e-2 (a mean near zero is the difference of larger
 * terms), gradient within 1e-4 relative L2; measured at most 5.7e-6 and 1.7e-6 (2026-12-07). bf16 (8-bit mantissas in every
 * operator after the image's convolution but the additions of constants, f32 as in PyTorch): loss within 3e-2
 * relative to |loss|, 0.1 or the RMS of the target's values, whichever is largest (bf16 rounds each value by up to
 * 2⁻⁹ of its size: a mean near 0 of values near 3 is off by about 7e-3; measured at most 6.9e-3), gradient within
 * 3e-2 at the median of a graph's comparisons (measured at most 5e-3) and 0.1 at worst (measured 3.1e-2: the mini
 * ViT with a constant class token, whose gradient goes through a softmax's and a 4-channel LayerNorm's differences
 * of nearly equal terms, and a LayerNorm written out, whose x − mean is such a difference; the mini ViT with a
 * computed class token 9.2e-3 since the scores' scale is its matmul's, 2026-12-08).
 */
class OnednnTensorOpsTest {
    private record Tolerance(double lossFloor, double loss, double medianGradient, double gradient) {}

    private static final Tolerance FP32 = new Tolerance(1e-2, 1e-5, 1e-4, 1e-4);
    private static final Tolerance BF16 = new Tolerance(0.1, 3e-2, 3e-2, 0.1);
    private static final int BATCH = 3;

    static Stream<Object[]> casesAndPrecisions() {
        List<Object[]> all = new ArrayList<>();
        for (Precision p : Precision.values()) for (Case c : TransformerGraphs.cases()) all.add(new Object[]{c.name(), p});
        return all.stream();
    }

    private static Case named(String name) {
        return TransformerGraphs.cases().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static void requirePrecision(Precision precision) {
        if (precision == Precision.BF16) Prerequisite.requireCpu(OnednnBackend.bf16Supported(), "a CPU with AVX512_BF16");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("casesAndPrecisions")
    void lossesAndGradientsAgreeWithTheReference(String name, Precision precision) {
        requirePrecision(precision);
        Case c = named(name);
        Tolerance tolerance = precision == Precision.FP32 ? FP32 : BF16;
        ReferenceGraph reference = new ReferenceGraph(c.graph());
        CompiledModel model = new OnednnBackend(precision).compile(c.graph());
        Map<String, Shape> shapes = c.graph().shapes(HEIGHT, WIDTH);
        double worstLoss = 0, worstGradient = 0;
        List<Double> gradientErrors = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(name.hashCode());
        for (String target : c.targets()) {
            int units = shapes.get(target).channels();
            try (FilterObjective objective = model.newObjective(target, 1)) {
                assertEquals(units, objective.filters(), target);
                // every unit, three images at a time; the last batch fills up with unit 0 (one unit in two images)
                for (int first = 0; first < units; first += BATCH) {
                    int[] filters = new int[BATCH];
                    for (int b = 0; b < BATCH; b++) filters[b] = first + b < units ? first + b : 0;
                    float[][] images = new float[BATCH][], gradients = new float[BATCH][CHANNELS * HEIGHT * WIDTH];
                    for (int b = 0; b < BATCH; b++) images[b] = image(random);
                    float[] losses = objective.lossesAndGradients(images, WIDTH, HEIGHT, filters, gradients);
                    for (int b = 0; b < BATCH; b++) {
                        ReferenceGraph.Result want = reference.lossAndGradient(target, filters[b], doubles(images[b]), HEIGHT, WIDTH);
                        String where = String.format(Locale.ROOT, "%s %s unit %d (image %d of the batch)", precision, target, filters[b], b);
                        double scale = Math.max(Math.abs(want.loss()), tolerance.lossFloor());
                        if (precision == Precision.BF16) scale = Math.max(scale, rms(reference.forward(doubles(images[b]), HEIGHT, WIDTH).get(target)));
                        double lossError = Math.abs(losses[b] - want.loss()) / scale;
                        double gradientError = relativeL2(gradients[b], want.gradient());
                        assertTrue(lossError <= tolerance.loss(), where + ": loss " + losses[b] + ", reference " + want.loss());
                        assertTrue(gradientError <= tolerance.gradient(), where + ": gradient off by " + gradientError + " (relative L2)");
                        gradientErrors.add(gradientError);
                        worstLoss = Math.max(worstLoss, lossError);
                        worstGradient = Math.max(worstGradient, gradientError);
                    }
                }
            }
        }
        double median = gradientErrors.stream().sorted().toList().get(gradientErrors.size() / 2);
        System.out.printf(Locale.ROOT, "%s %s: worst loss error %.2e, gradient error median %.2e, worst %.2e%n", name,
                precision, worstLoss, median, worstGradient);
        assertTrue(median <= tolerance.medianGradient(), name + " " + precision + ": median gradient error " + median);
    }

    /** The Lucid recipe's chains (plain layouts for few channels) and one filter alone agree too. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void theLucidChainsAgree(String name) {
        Case c = named(name);
        ReferenceGraph reference = new ReferenceGraph(c.graph());
        CompiledModel model = new OnednnBackend(Precision.FP32).compile(c.graph());
        SplittableRandom random = new SplittableRandom(11);
        for (String target : c.targets()) {
            try (FilterObjective objective = model.newObjective(target, 1)) {
                int unit = objective.filters() - 1;
                for (LucidObjective.ReluGradient relu : LucidObjective.ReluGradient.values()) {
                    float[] image = image(random), gradient = new float[image.length];
                    float loss = ((LucidObjective) objective).lossAndGradient(image, WIDTH, HEIGHT, unit, gradient, relu);
                    // no ReLU in these graphs: the redirected gradient is the plain one
                    ReferenceGraph.Result want = reference.lossAndGradient(target, unit, doubles(image), HEIGHT, WIDTH);
                    assertEquals(want.loss(), loss, FP32.loss() * Math.max(Math.abs(want.loss()), FP32.lossFloor()), target + " " + relu);
                    assertTrue(relativeL2(gradient, want.gradient()) <= FP32.gradient(), target + " " + relu);
                }
            }
        }
    }

    static Stream<String> names() { return TransformerGraphs.cases().stream().map(Case::name); }

    /** The scan's forward-only chains: every target's values in plain layout, and each unit's maximum over its positions. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("casesAndPrecisions")
    void theScansForwardChainsAgree(String name, Precision precision) {
        requirePrecision(precision);
        Case c = named(name);
        double tolerance = precision == Precision.FP32 ? 1e-5 : 3e-2; // relative L2 of each target's values
        ReferenceGraph reference = new ReferenceGraph(c.graph());
        OnednnModel model = (OnednnModel) new OnednnBackend(precision).compile(c.graph());
        SplittableRandom random = new SplittableRandom(5);
        List<float[]> images = List.of(image(random), image(random));
        List<Map<String, double[]>> want = images.stream().map(i -> reference.forward(doubles(i), HEIGHT, WIDTH)).toList();
        try (OnednnForward forward = model.newForward(c.targets(), 1)) {
            int[] seen = new int[1];
            forward.forward(images, WIDTH, HEIGHT, (image, target, shape, values) -> {
                String tensor = c.targets().get(target);
                double[] expected = want.get(image).get(tensor);
                assertEquals(shape.size(), expected.length, tensor);
                double error = relativeL2(java.util.Arrays.copyOf(values, expected.length), expected);
                assertTrue(error <= tolerance, precision + " " + tensor + " image " + image + ": " + error);
                seen[0]++;
            });
            assertEquals(2 * c.targets().size(), seen[0]);
            forward.peaks(images, WIDTH, HEIGHT, (image, target, peaks) -> {
                String tensor = c.targets().get(target);
                double[] expected = want.get(image).get(tensor);
                Shape shape = peaks.shape();
                float[] maxima = peaks.maxima();
                double scale = java.util.Arrays.stream(expected).map(Math::abs).max().orElse(1);
                for (int u = 0; u < shape.channels(); u++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < expected.length; i++) if (shape.unitOf(i) == u) max = Math.max(max, expected[i]);
                    assertEquals(max, maxima[u], 10 * tolerance * Math.max(scale, 1e-3), precision + " " + tensor + " unit " + u);
                    int[] at = new int[1];
                    float value = peaks.locate(u, at);
                    assertEquals(maxima[u], value, 0f, tensor + " unit " + u);
                    assertEquals(value, peaks.valueAt(u, at[0]), 0f, tensor + " unit " + u);
                }
            });
        }
    }

    /** A channel affine on a channels-last tensor (the reference has none either) and a tensor a constant stretches. */
    @Test
    void whatTheEngineCannotLowerIsRefusedInOneLineNamingTheNode() {
        SplittableRandom random = new SplittableRandom(3);
        Conv conv = new Conv(3, CHANNELS, 1, 1, 1, 1, new int[4], null, 1, 1, 1, TransformerGraphs.floats(random, 3 * CHANNELS, 1),
                new float[3]);
        Graph affine = new Graph("odd", "x", CHANNELS, 0, 0, List.of(
                new Node("conv", conv, "x", "c"),
                new Node("nhwc", new Transpose(new int[]{1, 2, 0}), "c", "p"),
                new Node("odd_affine", ChannelAffine.of(new float[]{1, 2, 3}, new float[3]), "p", "y")));
        Graph stretched = new Graph("odd", "x", CHANNELS, 0, 0, List.of(
                new Node("conv", conv, "x", "c"),
                new Node("mean", new ReduceMean(0), "c", "m"),
                new Node("odd_stretch", new ConstantBinary(Binary.Kind.ADD, new float[3], new int[]{3, 1, 1}, false), "m", "y")));
        for (Graph g : List.of(affine, stretched)) {
            String node = g.nodes().get(g.nodes().size() - 1).name();
            OnednnModel model = (OnednnModel) new OnednnBackend(Precision.FP32).compile(g);
            try (FilterObjective objective = model.newObjective("y", 1)) {
                float[] image = image(random), gradient = new float[image.length];
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> objective.lossAndGradient(image, WIDTH, HEIGHT, 0, gradient));
                assertTrue(e.getMessage().contains(node), e.getMessage());
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
            }
            try (OnednnForward forward = model.newForward(List.of("y"), 1)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> forward.forward(List.of(image(random)), WIDTH, HEIGHT, (i, t, s, v) -> {}));
                assertTrue(e.getMessage().contains(node), e.getMessage());
            }
        }
    }

    private static float[] image(SplittableRandom random) {
        float[] image = new float[CHANNELS * HEIGHT * WIDTH];
        for (int i = 0; i < image.length; i++) image[i] = (float) (random.nextDouble() * 2 - 1);
        return image;
    }

    private static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < d.length; i++) d[i] = f[i];
        return d;
    }

    private static double rms(double[] values) {
        double sum = 0;
        for (double v : values) sum += v * v;
        return Math.sqrt(sum / values.length);
    }

    private static double relativeL2(float[] got, double[] want) {
        double diff = 0, norm = 0;
        for (int i = 0; i < want.length; i++) {
            diff += (got[i] - want[i]) * (got[i] - want[i]);
            norm += want[i] * want[i];
        }
        assertTrue(norm > 0, "a zero reference: the comparison would prove nothing");
        return Math.sqrt(diff / norm);
    }
}
