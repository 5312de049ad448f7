package io.filterviz.engine.onednn;

import io.filterviz.engine.CompiledModel;
import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.Precision;
import io.filterviz.model.graph.Graph;
import io.filterviz.testing.TransformerGraphs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A measurement tool, not a test: one ascent step (forward + input gradient, one filter) of ViT-B/16 (224², 197 tokens,
 * 768 channels, 12 heads, MLP 3072; TransformerGraphs.vitEncoder, random weights) cut after 1 and after 2 blocks: a
 * block's time is the difference of the two medians. With FILTERVIZ_PROFILE=nodes, the milliseconds per step of the
 * 1-block chain's primitives (each waited for, so their sum is a little over the step) by node and pass, by primitive
 * kind, and how many primitives a step runs. With a fifth argument {@code torch}: the work
 * {@code ../shared/bench/torch_speed.py --model vit_b_16} times (to block 7's GELU), its line format. Run with the
 * test class path ({@code mvn dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=cp.txt}):
 * {@code FILTERVIZ_PROFILE=nodes java -cp target/test-classes:target/classes:$(cat cp.txt) io.filterviz.engine.onednn.VitBlockBench [fp32,bf16] [steps] [warmup] [threads] [torch]}
 */
public final class VitBlockBench {
    public static void main(String[] args) {
        List<Precision> precisions = Arrays.stream((args.length > 0 ? args[0] : "fp32,bf16").split(","))
                .map(Precision::parse).toList();
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        if (args.length > 4 && args[4].equals("torch")) {
            for (Precision precision : precisions) torchsWork(precision, steps, warmup, threads);
            return;
        }
        for (Precision precision : precisions) {
            double[] medians = new double[3];
            Map<String, Double> profile = null;
            for (int blocks = 1; blocks <= 2; blocks++) {
                Graph graph = TransformerGraphs.vitEncoder(new SplittableRandom(1), 224, 16, 768, 12, 3072, blocks);
                String target = "block" + (blocks - 1);
                CompiledModel model = new OnednnBackend(precision).compile(graph);
                SplittableRandom random = new SplittableRandom(2);
                float[] image = new float[3 * 224 * 224], gradient = new float[image.length];
                for (int i = 0; i < image.length; i++) image[i] = (float) (random.nextDouble() * 2 - 1);
                double[] times = new double[steps];
                try (FilterObjective objective = model.newObjective(target, threads)) {
                    for (int s = 0; s < warmup; s++) objective.lossAndGradient(image, 224, 224, 5, gradient);
                    if (ChainParts.PROFILE != null) ChainParts.PROFILE.clear();
                    ChainParts.PROFILE_STEPS.reset();
                    for (int s = 0; s < steps; s++) {
                        long t = System.nanoTime();
                        objective.lossAndGradient(image, 224, 224, 5, gradient);
                        times[s] = (System.nanoTime() - t) / 1e6;
                    }
                }
                double[] sorted = times.clone();
                Arrays.sort(sorted);
                medians[blocks] = sorted[steps / 2];
                System.out.printf(Locale.ROOT, "%s %d block(s): median %.1f ms per step (%s)%n", precision, blocks,
                        medians[blocks], Arrays.toString(Arrays.stream(times).map(x -> Math.round(x * 10) / 10.0).toArray()));
                if (ChainParts.PROFILE != null) {
                    System.out.printf(Locale.ROOT, "%s %d block(s): %d primitives per step%n", precision, blocks, ChainParts.PROFILE_STEPS.sum() / steps);
                }
                if (ChainParts.PROFILE != null && blocks == 1) profile = new TreeMap<>(ChainParts.PROFILE);
            }
            System.out.printf(Locale.ROOT, "%s: one ViT-B block per step = %.1f ms (2 blocks − 1 block)%n", precision,
                    medians[2] - medians[1]);
            if (profile != null) print(precision, profile, steps);
        }
    }

    /**
     * The work ../shared/bench/torch_speed.py --model vit_b_16 times: to block 7's MLP hidden units after GELU
     * (six blocks, then block 7 up to its GELU), one filter (unit 5) per step.
     */
    private static void torchsWork(Precision precision, int steps, int warmup, int threads) {
        Graph graph = TransformerGraphs.vitEncoder(new SplittableRandom(1), 224, 16, 768, 12, 3072, 7);
        CompiledModel model = new OnednnBackend(precision).compile(graph);
        float[] image = new float[3 * 224 * 224], gradient = new float[image.length];
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < image.length; i++) image[i] = (float) (random.nextDouble() * 2 - 1);
        double[] times = new double[steps];
        try (FilterObjective objective = model.newObjective("b6_hidden", threads)) {
            for (int s = 0; s < warmup; s++) objective.lossAndGradient(image, 224, 224, 5, gradient);
            for (int s = 0; s < steps; s++) {
                long t = System.nanoTime();
                objective.lossAndGradient(image, 224, 224, 5, gradient);
                times[s] = (System.nanoTime() - t) / 1e6;
            }
        }
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "ours: model=vit_b_16 target=b6_hidden size=224 precision=%s threads=%d median_ms_per_step=%.1f%n",
                precision.name().toLowerCase(Locale.ROOT), threads, sorted[steps / 2]);
    }

    /** The profile of the 1-block chain, per step: by node and pass, by primitive kind, and the largest entries. */
    private static void print(Precision precision, Map<String, Double> profile, int steps) {
        Map<String, Double> byNode = new LinkedHashMap<>(), byKind = new TreeMap<>();
        double total = 0;
        for (Map.Entry<String, Double> e : profile.entrySet()) {
            String key = e.getKey();
            int bar = key.indexOf(" | ");
            String node = bar < 0 ? "?" : key.substring(0, bar), what = bar < 0 ? key : key.substring(bar + 3);
            double ms = e.getValue() / steps;
            byNode.merge(node, ms, Double::sum);
            byKind.merge(what.substring(what.lastIndexOf(' ') + 1) + (node.endsWith("backward") ? " (backward)" : ""), ms, Double::sum);
            total += ms;
        }
        System.out.printf(Locale.ROOT, "%s profile, ms per step, total %.1f:%n", precision, total);
        List<Map.Entry<String, Double>> nodes = new ArrayList<>(byNode.entrySet());
        nodes.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        for (Map.Entry<String, Double> e : nodes) System.out.printf(Locale.ROOT, "  node %8.2f  %s%n", e.getValue(), e.getKey());
        List<Map.Entry<String, Double>> kinds = new ArrayList<>(byKind.entrySet());
        kinds.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        for (Map.Entry<String, Double> e : kinds) System.out.printf(Locale.ROOT, "  kind %8.2f  %s%n", e.getValue(), e.getKey());
        List<Map.Entry<String, Double>> all = new ArrayList<>(profile.entrySet());
        all.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        for (Map.Entry<String, Double> e : all.subList(0, Math.min(40, all.size()))) {
            System.out.printf(Locale.ROOT, "  prim %8.2f  %s%n", e.getValue() / steps, e.getKey());
        }
    }
}
