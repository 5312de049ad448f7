package io.filterviz.engine.onednn;

import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.Precision;
import io.filterviz.engine.reference.ReferenceGraph;
import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Graph;
import io.filterviz.testing.GraphBuilder;
import io.filterviz.testing.Prerequisite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static io.filterviz.testing.GraphBuilder.input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The oneDNN chain on small random graphs that hold every operator of the graph form, against the double-precision
 * reference engine: each target's loss and input gradient for a few channels. The graphs are the shapes of the
 * architectures users bring: ResNet's skips, Inception's branches and ceil-mode pools, MobileNet's depthwise
 * convolutions, ReLU6, hard-swish and squeeze-excitation gates, DenseNet's unfolded BatchNorm, concatenations, Pad
 * and average pools, a fixed-size grey network with a Flatten + Dense head (vector targets), and preprocessing.
 *
 * <p>Tolerances: fp32 1e-4 for the relative L2 error of the gradient and the relative loss error (relative to
 * |loss| or 1e-2), as ReferenceAgreementTest holds VGG16; measured at most 1.6e-6 and 3.4e-7 (2026-12-02). bf16 is
 * 8-bit mantissas in every layer after the first: its loss error, relative to |loss| or 0.1 (a small mean is the
 * difference of larger terms), within 3e-2 (measured at most 2.5e-2); its gradient error within 0.1 at the median
 * of a graph's comparisons (measured 1.7e-3 to 5.8e-2) and 0.3 at worst (measured 0.18). Those errors are switches,
 * not drift: a ReLU whose input is within bf16's rounding of 0 takes the other side, or two values of a max-pool
 * window round to a tie, and the gradient differs by more than a tenth of its largest value at a few dozen pixels
 * and agrees elsewhere (checked on the Inception graph at 14 and 40 px: the error does not shrink with the size,
 * as the share of such units does not). A wrong operator moves every comparison by order 1.
 */
class GraphAgreementTest {
    private record Tolerance(double lossFloor, double loss, double medianGradient, double gradient) {}

    private static final Tolerance FP32 = new Tolerance(1e-2, 1e-4, 1e-4, 1e-4);
    private static final Tolerance BF16 = new Tolerance(0.1, 3e-2, 0.1, 0.3);

    record Case(String name, Graph graph, int height, int width, double pixelScale, List<String> targets) {}

    /** conv 7×7/2, max pool, a basic block and a downsampling block (1×1/2 skip), GAP, flatten, dense. */
    static Case resnet() {
        GraphBuilder b = new GraphBuilder("resnet", 3, 1);
        String x = b.maxPool(b.relu(b.conv(input(), 8, 7, 2, 3)), 3, 2, 1, false);
        String inner = b.conv(x, 8, 3, 1, 1);
        String innerRelu = b.relu(inner);
        String block1 = b.relu(b.sum(b.conv(innerRelu, 8, 3, 1, 1), x));
        String down = b.relu(b.conv(block1, 16, 3, 2, 1));
        String y2 = b.conv(down, 16, 3, 1, 1);
        String skip = b.conv(block1, 16, 1, 1, 2, new int[4], null, 1, 1);
        String block2 = b.relu(b.sum(y2, skip));
        String gap = b.globalAveragePool(block2);
        String logits = b.dense(b.flatten(gap, 16), 10);
        return new Case("resnet", b.build(), 29, 31, 1.0, List.of(inner, innerRelu, block1, down, y2, block2, gap, logits));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void resnetStyle(Precision precision) {
        check(resnet(), precision);
    }

    /**
     * One gradient buffer for two branches: an Add hands its gradient to both inputs, and here the branch built last
     * ends in a fused ReLU, so its backward runs before the other branch's convolution reads the same buffer. A ReLU
     * backward written over its incoming gradient (what a plain chain does when it owns it) must not do it here.
     */
    static Case sharedGradient() {
        GraphBuilder b = new GraphBuilder("shared-gradient", 3, 4);
        String x = b.relu(b.conv(input(), 8, 3, 1, 1));
        String plain = b.conv(x, 8, 3, 1, 1);
        String rectified = b.relu(b.conv(x, 8, 3, 1, 1));
        String after = b.conv(b.sum(rectified, plain), 6, 3, 1, 1);
        return new Case("shared-gradient", b.build(), 12, 13, 1.0, List.of(after));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void aGradientTwoBranchesShareIsNotOverwritten(Precision precision) {
        check(sharedGradient(), precision);
    }

    /** Inception's branches (1×1, 1×1 → 3×3, 3×3/1 ceil-mode pool → 1×1) concatenated, then a 3×3/2 ceil-mode pool. */
    static Case inception() {
        GraphBuilder b = new GraphBuilder("inception", 3, 2);
        String x = b.relu(b.conv(input(), 8, 3, 1, 1));
        String b1 = b.relu(b.conv(x, 4, 1, 1, 0));
        String b2 = b.relu(b.conv(b.relu(b.conv(x, 4, 1, 1, 0)), 6, 3, 1, 1));
        String b3 = b.relu(b.conv(b.maxPool(x, 3, 1, 1, true), 4, 1, 1, 0));
        String cat = b.concat(b1, b2, b3);
        String pooled = b.maxPool(cat, 3, 2, 0, true);
        String after = b.relu(b.conv(pooled, 8, 3, 1, 1));
        return new Case("inception", b.build(), 14, 16, 1.0, List.of(b2, cat, pooled, after));
    }

    /**
     * MobileNet's parts: ReLU6 (Clip), a depthwise 3×3, an unfolded BatchNorm, hard-swish, a squeeze-excitation gate
     * (GAP, 1×1, ReLU, 1×1, HardSigmoid, Mul), a 1×1 projection with a residual Add; then a dilated SAME_UPPER
     * convolution with a LeakyReLU, and a 2×2/2 convolution with asymmetric padding and a sigmoid.
     */
    static Case mobile() {
        GraphBuilder b = new GraphBuilder("mobile", 3, 3);
        String x = b.act(b.conv(input(), 8, 3, 2, 1), Activation.Kind.CLIP, 0f, 6f);
        String depthwise = b.conv(x, 8, 3, 3, 1, new int[]{1, 1, 1, 1}, null, 1, 8);
        String d = b.act(b.affine(depthwise), Activation.Kind.HARD_SWISH, 0, 0);
        String s = b.relu(b.conv(b.globalAveragePool(d), 2, 1, 1, 0));
        String gate = b.act(b.conv(s, 8, 1, 1, 0), Activation.Kind.HARD_SIGMOID, 1f / 6, 0.5f);
        String excited = b.mul(d, gate);
        String residual = b.sum(b.conv(excited, 8, 1, 1, 0), x);
        String dilated = b.act(b.conv(residual, 12, 3, 3, 1, new int[4], "SAME_UPPER", 2, 1), Activation.Kind.LEAKY_RELU, 0.1f, 0);
        String squashed = b.act(b.conv(dilated, 6, 2, 2, 2, new int[]{0, 0, 1, 1}, null, 1, 1), Activation.Kind.SIGMOID, 0, 0);
        String grouped = b.conv(squashed, 6, 3, 3, 1, new int[]{1, 1, 1, 1}, null, 1, 2);
        return new Case("mobile", b.build(), 23, 20, 2.0,
                List.of(x, depthwise, d, gate, excited, residual, dilated, squashed, grouped));
    }

    /**
     * DenseNet's parts after a caffe-like preprocessing (channels reversed, scaled, shifted): BatchNorm + ReLU before
     * a convolution, concatenation with the block's input, Pads (zero before a convolution: folded; zero before a
     * pool; a non-zero value), average pools with and without the padding counted, with ceil_mode.
     */
    static Case dense() {
        GraphBuilder b = new GraphBuilder("dense", 3, 4);
        String x = b.affine(input(), new int[]{2, 1, 0}, new float[]{0.02f, 0.03f, 0.01f}, new float[]{-2.4f, -3.5f, -1.2f});
        x = b.conv(x, 8, 3, 1, 1);
        String bnRelu = b.relu(b.affine(x));
        String grown = b.conv(bnRelu, 4, 3, 1, 1);
        String cat = b.concat(x, grown);
        String padConv = b.conv(b.pad(cat, new int[]{1, 2, 1, 0}, 0f), 4, 3, 1, 0);
        String padPool = b.avgPool(b.pad(cat, new int[]{0, 1, 2, 1}, 0f), 2, 2, 0, false, false);
        String countPad = b.avgPool(cat, 3, 2, 1, true, true);
        String excludePad = b.avgPool(cat, 3, 2, 1, true, false);
        String valuePad = b.relu(b.pad(cat, new int[]{2, 1, 0, 1}, 0.5f));
        String all = b.concat(b.affine(countPad), excludePad);
        return new Case("dense", b.build(), 15, 13, 255.0,
                List.of(bnRelu, grown, cat, padConv, padPool, countPad, excludePad, valuePad, all));
    }

    /**
     * A grey 12×12 network with a Flatten + Dense head: vector targets (a hidden layer after ReLU, the logits, and a
     * concatenation of two vectors).
     */
    static Case greyHead() {
        GraphBuilder b = new GraphBuilder("grey", 1, 5).fixedSize(12, 12);
        String x = b.maxPool(b.relu(b.conv(input(), 4, 3, 1, 1)), 2, 2, 0, false);
        String hidden = b.relu(b.dense(b.flatten(x, 4 * 6 * 6), 16));
        String logits = b.dense(hidden, 5);
        String both = b.concat(logits, b.act(b.dense(hidden, 3), Activation.Kind.SIGMOID, 0, 0));
        return new Case("grey", b.build(), 12, 12, 1.0, List.of(x, hidden, logits, both));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void inceptionStyle(Precision precision) {
        check(inception(), precision);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void mobileNetStyle(Precision precision) {
        check(mobile(), precision);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void denseNetStyle(Precision precision) {
        check(dense(), precision);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void greyFixedSizeWithDenseHead(Precision precision) {
        check(greyHead(), precision);
    }

    /** 3×3 convolutions of 64 channels at 24 px: Winograd by the measured rule (fp32), a residual Add between them. */
    static Case wide() {
        GraphBuilder b = new GraphBuilder("wide", 3, 6);
        String x = b.relu(b.conv(input(), 64, 3, 1, 1));
        String y = b.relu(b.sum(b.conv(b.relu(b.conv(x, 64, 3, 1, 1)), 64, 3, 1, 1), x));
        String target = b.relu(b.conv(y, 32, 3, 1, 1));
        return new Case("wide", b.build(), 24, 24, 1.0, List.of(y, target));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void winogradInAGraph(Precision precision) {
        Case c = wide();
        check(c, precision);
        OnednnModel model = (OnednnModel) new OnednnBackend(precision).compile(c.graph());
        try (PrimitiveChain chain = new PrimitiveChain(model, c.graph().upTo(c.targets().get(1)), c.targets().get(1), 24, 24, 1)) {
            long winograd = chain.implementations().stream().filter(name -> name.contains("wino")).count();
            // fp32: the three 64-channel 3×3 convolutions (the image's has 3 channels), forward and backward; bf16: none.
            // A CPU without AVX-512 has no Winograd: the same graph runs direct there (and agreed above).
            boolean expected = precision == Precision.FP32 && model.winogradAvailable();
            if (!model.winogradAvailable()) System.out.println("winogradInAGraph: no Winograd on this CPU, checked direct");
            assertEquals(expected ? 6 : 0, winograd, chain.implementations().toString());
        }
    }

    /**
     * A batch in one pass gives each image its own channel's loss and gradient, whether the target is computed whole
     * (a squeeze-excitation output, whose gate is per image) or as the batch's filters, or is a vector.
     */
    @Test
    void aBatchIsEachImageAlone() {
        Case mobile = mobile(), resnet = resnet();
        batch(mobile, "mul_10", new int[]{3, 0, 7});
        batch(mobile, "leakyrelu_14", new int[]{11, 2, 5});
        batch(resnet, resnet.targets().get(resnet.targets().size() - 1), new int[]{9, 1, 4});
    }

    private static void batch(Case c, String target, int[] filters) {
        assertTrue(c.graph().hasTensor(target), target);
        SplittableRandom random = new SplittableRandom(3);
        int size = c.graph().inputChannels() * c.height() * c.width();
        float[][] images = new float[filters.length][size], batched = new float[filters.length][size];
        for (float[] image : images) for (int i = 0; i < size; i++) image[i] = (float) (random.nextDouble() * 2 - 1);
        try (FilterObjective objective = new OnednnBackend(Precision.FP32).compile(c.graph()).newObjective(target, 1)) {
            float[] losses = objective.lossesAndGradients(images, c.width(), c.height(), filters, batched);
            for (int b = 0; b < filters.length; b++) {
                float[] alone = new float[size];
                float loss = objective.lossAndGradient(images[b], c.width(), c.height(), filters[b], alone);
                assertEquals(loss, losses[b], 1e-5 * Math.abs(loss), target + " image " + b);
                double norm = 0, diff = 0;
                for (int i = 0; i < size; i++) {
                    norm += alone[i] * (double) alone[i];
                    diff += (alone[i] - batched[b][i]) * (double) (alone[i] - batched[b][i]);
                }
                assertTrue(norm > 0, "zero gradient: the test proves nothing");
                assertTrue(Math.sqrt(diff / norm) < 1e-5, target + " image " + b + ": " + Math.sqrt(diff / norm));
            }
        }
    }

    /**
     * One objective at two sizes in turn, as the upscaling schedule runs it: the chains of both sizes share the
     * objective's arena slots (and a chain reuses a slot for tensors that are not alive at once), so each step must
     * leave nothing behind that the other reads, a Pad's borders included.
     */
    @Test
    void chainsOfTwoSizesShareTheirMemory() {
        Case c = dense();
        String target = c.targets().get(c.targets().size() - 1);
        ReferenceGraph reference = new ReferenceGraph(c.graph());
        try (FilterObjective objective = new OnednnBackend(Precision.FP32).compile(c.graph()).newObjective(target, 1)) {
            for (int round = 0; round < 2; round++) {
                for (int[] size : new int[][]{{c.height(), c.width()}, {c.height() + 9, c.width() + 12}}) {
                    SplittableRandom random = new SplittableRandom(round * 31L + size[0]);
                    float[] image = new float[3 * size[0] * size[1]];
                    double[] x = new double[image.length];
                    for (int i = 0; i < image.length; i++) x[i] = image[i] = (float) (random.nextDouble() * 255);
                    float[] gradient = new float[image.length];
                    float loss = objective.lossAndGradient(image, size[1], size[0], 5, gradient);
                    ReferenceGraph.Result want = reference.lossAndGradient(target, 5, x, size[0], size[1]);
                    assertEquals(want.loss(), loss, 1e-4 * Math.abs(want.loss()), "round " + round + " at " + size[0] + "×" + size[1]);
                    assertTrue(relativeL2(gradient, want.gradient()) < 1e-4, "round " + round + " at " + size[0] + "×" + size[1]);
                }
            }
        }
    }

    private static void check(Case c, Precision precision) {
        if (precision == Precision.BF16) assumeBf16();
        ReferenceGraph reference = new ReferenceGraph(c.graph());
        SplittableRandom random = new SplittableRandom(c.name().hashCode());
        float[] image = new float[c.graph().inputChannels() * c.height() * c.width()];
        for (int i = 0; i < image.length; i++) image[i] = (float) ((random.nextDouble() * 2 - 1) * c.pixelScale());
        double[] x = new double[image.length];
        for (int i = 0; i < x.length; i++) x[i] = image[i];
        Tolerance tolerance = precision == Precision.FP32 ? FP32 : BF16;
        List<Double> gradientErrors = new java.util.ArrayList<>();
        var model = new OnednnBackend(precision).compile(c.graph());
        double worstLoss = 0, worstGradient = 0;
        for (String target : c.targets()) {
            try (FilterObjective objective = model.newObjective(target, 1)) {
                int channels = objective.filters(), compared = 0;
                // Up to three live channels spread over the target (a dead ReLU channel has no gradient to compare).
                for (int k = 0; k < channels && compared < 3; k++) {
                    int channel = (int) ((long) k * 7919 % channels);
                    ReferenceGraph.Result want = reference.lossAndGradient(target, channel, x, c.height(), c.width());
                    if (norm(want.gradient()) == 0) continue;
                    compared++;
                    float[] gradient = new float[image.length];
                    float loss = objective.lossAndGradient(image, c.width(), c.height(), channel, gradient);
                    double lossError = Math.abs(loss - want.loss()) / Math.max(Math.abs(want.loss()), tolerance.lossFloor());
                    double gradientError = relativeL2(gradient, want.gradient());
                    String line = String.format(Locale.ROOT, "agreement: %s %s %s[%d]: loss %.6g vs %.6g (%.1e), gradient %.1e",
                            c.name(), precision.label(), target, channel, loss, want.loss(), lossError, gradientError);
                    System.out.println(line);
                    worstLoss = Math.max(worstLoss, lossError);
                    worstGradient = Math.max(worstGradient, gradientError);
                    gradientErrors.add(gradientError);
                    assertTrue(lossError <= tolerance.loss(), line);
                    assertTrue(gradientError <= tolerance.gradient(), line);
                }
                assertTrue(compared > 0, c.name() + " " + target + ": no live channel");
            }
        }
        double median = gradientErrors.stream().sorted().toList().get(gradientErrors.size() / 2);
        System.out.printf(Locale.ROOT, "agreement: %s %s worst loss error %.1e, gradient error median %.1e worst %.1e%n",
                c.name(), precision.label(), worstLoss, median, worstGradient);
        assertTrue(median <= tolerance.medianGradient(), c.name() + ": median gradient error " + median);
    }

    private static double norm(double[] v) {
        double sum = 0;
        for (double d : v) sum += d * d;
        return Math.sqrt(sum);
    }

    static double relativeL2(float[] got, double[] want) {
        double diff = 0, norm = 0;
        for (int i = 0; i < got.length; i++) {
            diff += (got[i] - want[i]) * (got[i] - want[i]);
            norm += want[i] * want[i];
        }
        assertTrue(norm > 0, "the reference gradient is zero: the comparison proves nothing");
        return Math.sqrt(diff / norm);
    }

    private static void assumeBf16() {
        Prerequisite.requireCpu(OnednnBackend.bf16Supported(), "a CPU with AVX512_BF16");
    }
}
