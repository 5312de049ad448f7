package io.filterviz.engine.onednn;

import io.filterviz.model.KerasVgg;
import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.FilterRenderer;
import io.filterviz.engine.Precision;
import io.filterviz.engine.RenderedFilter;
import io.filterviz.model.NetworkWeights;
import io.filterviz.model.RandomWeights;
import io.filterviz.testing.Prerequisite;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static io.filterviz.testing.Stats.median;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bf16 is a different computation from fp32, held to the rule: on the same weights and start noise, the
 * final losses of at least 24 filters ({@code --output-dim 128 --upscaling-steps 3 --epochs 5}) differ from fp32's
 * by a median of at most 5 % and at worst 15 % (two start-noise seeds of one implementation differ by a median of
 * 2.6 %, at worst 13 %). The weights and settings are those of
 * {@code ./submit.sh --weights random --filter-range 0:N --output-dim 128 --upscaling-steps 3 --epochs 5}.
 */
class PrecisionFidelityTest {
    private static final String LAYER = "block5_conv1";
    private static final AscentSettings SETTINGS = new AscentSettings(1.0, 5, 3, 1.2, 128, 128, 42);
    private static final int FILTERS = 24;
    private static final int THREADS = Runtime.getRuntime().availableProcessors();

    @Test
    void bf16FinalLossesStayCloseToFp32() {
        Prerequisite.requireCpu(OnednnBackend.bf16Supported(), "a CPU with AVX512_BF16");
        double[] diffs = compare(new OnednnBackend(Precision.BF16));
        report("bf16 vs fp32", diffs);
        assertTrue(median(diffs) <= 0.05, "median relative difference " + median(diffs));
        // Measured 2.5 % and 12.4 % (2026-11-29). The worst case depends on the weights: on an earlier random draw
        // it was 59 %, and two fp32 engines (nd4j, onednn) differed by 31 % there, always on filters whose loss
        // stays near 1-3, where the ascent is chaotic (docs/performance.md, "bf16 fidelity").
        assertTrue(max(diffs) <= 0.15, "worst relative difference " + max(diffs));
    }

    /**
     * Winograd (fp32), the default where it measured faster, is held to the same rule, in every layer at once: more
     * of it than the default uses at any image size (at these small sizes the default would leave block4 and
     * block5 direct).
     */
    @Test
    void winogradFinalLossesStayCloseToDirect() {
        Prerequisite.requireCpu(OnednnProbe.winogradOnThisCpu(), "a CPU with AVX-512 (oneDNN's only Winograd, jit_wino_4x3)");
        double[] diffs = compare(new OnednnBackend(Precision.FP32,
                ConvolutionChoice.layers(java.util.Set.copyOf(io.filterviz.model.Vgg16.convLayerNames()))));
        report("fp32 Winograd vs fp32 direct", diffs);
        assertTrue(median(diffs) <= 0.05, "median relative difference " + median(diffs));
        assertTrue(max(diffs) <= 0.15, "worst relative difference " + max(diffs));
    }

    /** Relative differences of the final losses, fp32 direct against {@code other}, over the first 24 live filters. */
    static double[] compare(OnednnBackend other) {
        NetworkWeights weights = RandomWeights.create(LAYER, SETTINGS.seed());
        List<Double> diffs = new ArrayList<>();
        try (FilterObjective fp32 = new OnednnBackend(Precision.FP32, ConvolutionChoice.DIRECT).compile(KerasVgg.graph("vgg16", weights)).newObjective(LAYER, THREADS);
             FilterObjective candidate = other.compile(KerasVgg.graph("vgg16", weights)).newObjective(LAYER, THREADS)) {
            FilterRenderer reference = new FilterRenderer(fp32, SETTINGS, LAYER);
            FilterRenderer compared = new FilterRenderer(candidate, SETTINGS, LAYER);
            for (int filter = 0; diffs.size() < FILTERS && filter < 512; filter++) {
                RenderedFilter a = reference.render(filter);
                if (a.dead()) continue;
                RenderedFilter b = compared.render(filter);
                diffs.add(Math.abs((double) b.loss() - a.loss()) / Math.abs(a.loss()));
                System.out.printf(Locale.ROOT, "fidelity: filter %d fp32 %.4f %s %.4f%n", filter, a.loss(), other, b.loss());
            }
        }
        assertTrue(diffs.size() == FILTERS, "only " + diffs.size() + " live filters");
        return diffs.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static void report(String what, double[] diffs) {
        System.out.printf(Locale.ROOT, "fidelity: %s over %d filters: median %.2f %%, worst %.2f %%%n", what,
                diffs.length, 100 * median(diffs), 100 * max(diffs));
    }

    static double max(double[] values) { return Arrays.stream(values).max().orElseThrow(); }
}
