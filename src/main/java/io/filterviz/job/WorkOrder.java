package io.filterviz.job;

import io.filterviz.engine.UpscalingSchedule;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.ObjectiveFlops;
import io.filterviz.result.FilterId;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.ToDoubleFunction;

/**
 * How the work items reach Spark. A filter of block5 costs a hundred times one of block1, so items are packed
 * into partitions longest-first, each onto the least loaded partition, and partitions are listed most expensive
 * first: Spark launches them in that order, and the last wave holds only cheap ones (no long straggler).
 */
final class WorkOrder {
    private WorkOrder() {}

    /** Relative cost of one filter of {@code layer}: its objective's FLOPs over every ascent size (once per layer). */
    static ToDoubleFunction<FilterId> flopsModel(Graph graph, UpscalingSchedule schedule) {
        Map<String, Double> perLayer = new HashMap<>();
        return id -> perLayer.computeIfAbsent(id.layer(), layer -> schedule.ascentSizes().stream()
                .mapToDouble(size -> ObjectiveFlops.of(graph, layer, size.width(), size.height())).sum());
    }

    /** Longest-processing-time-first packing into {@code count} partitions, the heaviest partition first. */
    static List<List<FilterId>> partitions(List<FilterId> items, int count, ToDoubleFunction<FilterId> cost) {
        record Bin(int index, List<FilterId> items, double[] load) {}
        PriorityQueue<Bin> lightest = new PriorityQueue<>(
                Comparator.<Bin>comparingDouble(b -> b.load()[0]).thenComparingInt(Bin::index));
        List<Bin> bins = new ArrayList<>();
        for (int i = 0; i < Math.min(count, items.size()); i++) {
            Bin bin = new Bin(i, new ArrayList<>(), new double[1]);
            bins.add(bin);
            lightest.add(bin);
        }
        List<FilterId> longestFirst = items.stream()
                .sorted(Comparator.comparingDouble(cost).reversed().thenComparing(FilterId.BY_LAYER_THEN_FILTER)).toList();
        for (FilterId item : longestFirst) {
            Bin bin = lightest.poll();
            bin.items().add(item);
            bin.load()[0] += cost.applyAsDouble(item);
            lightest.add(bin);
        }
        return bins.stream().sorted(Comparator.<Bin>comparingDouble(b -> -b.load()[0]).thenComparingInt(Bin::index))
                .map(b -> List.copyOf(b.items())).toList();
    }
}
