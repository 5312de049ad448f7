package io.filterviz.engine.onednn;

import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.Precision;
import io.filterviz.engine.reference.ReferenceGraph;
import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Graph;
import io.filterviz.testing.GraphBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static io.filterviz.testing.GraphBuilder.input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The oneDNN chain on small random graphs that hold every operator of the graph form, against the double-precision
 * reference engine: each target's loss and input gradient for a few channels. The graphs are the shapes of the
 * architectures users bring: ResNet's skips, Inception's branches and ceil-mode pools, MobileNet's depthwise
 * convolutions, ReLU6, hard-swish and squeeze-excitation gates, DenseNet's unfolded BatchNorm, concatenations, Pad
 * and average pools, a fixed-size grey network with a Flatten + Dense head (vector targets), and preprocessing.
 *
 * <p>Tolerances (relative L2 error of the gradient, relative loss error): fp32 1e-4, as ReferenceAgreementTest
 * holds VGG16 (measured here at most {@value #FP32_MEASURED}); bf16 {@value #BF16_TOLERANCE} (8-bit mantissas in
 * every layer after the first; measured at most {@value #BF16_MEASURED}).
 */
class GraphAgreementTest {
    private static final double FP32_TOLERANCE = 1e-4;
    private static final String FP32_MEASURED = "TBD";
    private static final double BF16_TOLERANCE = 5e-2;
    private static final String BF16_MEASURED = "TBD";

    private record Case(String name, Graph graph, int height, int width, double pixelScale, List<String> targets) {}

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

    private static void check(Case c, Precision precision) {
        if (precision == Precision.BF16) assumeBf16();
        ReferenceGraph reference = new ReferenceGraph(c.graph());
        SplittableRandom random = new SplittableRandom(c.name().hashCode());
        float[] image = new float[c.graph().inputChannels() * c.height() * c.width()];
        for (int i = 0; i < image.length; i++) image[i] = (float) ((random.nextDouble() * 2 - 1) * c.pixelScale());
        double[] x = new double[image.length];
        for (int i = 0; i < x.length; i++) x[i] = image[i];
        double tolerance = precision == Precision.FP32 ? FP32_TOLERANCE : BF16_TOLERANCE;
        var model = new OnednnBackend(precision).compile(c.graph());
        List<String> report = new ArrayList<>();
        for (String target : c.targets()) {
            try (FilterObjective objective = model.newObjective(target, 1)) {
                int channels = objective.filters();
                for (int channel : new int[]{0, channels / 2, channels - 1}) {
                    ReferenceGraph.Result want = reference.lossAndGradient(target, channel, x, c.height(), c.width());
                    float[] gradient = new float[image.length];
                    float loss = objective.lossAndGradient(image, c.width(), c.height(), channel, gradient);
                    double lossError = Math.abs(loss - want.loss()) / Math.max(Math.abs(want.loss()), 1e-2);
                    double gradientError = relativeL2(gradient, want.gradient());
                    report.add(String.format(Locale.ROOT, "%s %s %s[%d]: loss %.6g vs %.6g (%.1e), gradient %.1e",
                            c.name(), precision.label(), target, channel, loss, want.loss(), lossError, gradientError));
                    assertTrue(lossError <= tolerance, report.get(report.size() - 1));
                    assertTrue(gradientError <= tolerance, report.get(report.size() - 1));
                }
            }
        }
        report.forEach(System.out::println);
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
        if (!OnednnBackend.bf16Supported()) {
            assertFalse("true".equals(System.getenv("CI")), "CI needs a CPU with AVX512_BF16 for this test");
            assumeTrue(false, "this CPU has no AVX512_BF16");
        }
    }
}
