package io.filterviz.examples;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The k best {@link Example}s of every (layer, filter) seen so far: a small value that partitions build and merge
 * (Spark's treeAggregate), never larger than k per filter however many images pass through it. The result does not
 * depend on the order of offers or merges: the ranking is a total order ({@link Example#BEST_FIRST}).
 */
public final class TopExamples implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int k;
    private final Map<String, Map<Integer, PriorityQueue<Example>>> kept = new HashMap<>();

    public TopExamples(int k) {
        if (k < 1) throw new IllegalArgumentException("k must be at least 1, got " + k);
        this.k = k;
    }

    public int k() { return k; }

    /** Keeps {@code example} if it is among the k best of (layer, filter) so far; a NaN score is never kept. */
    public void offer(String layer, int filter, Example example) {
        if (Double.isNaN(example.score())) return;
        // the worst kept example on top, so a better one replaces it in O(log k)
        PriorityQueue<Example> heap = kept.computeIfAbsent(layer, l -> new HashMap<>())
                .computeIfAbsent(filter, f -> new PriorityQueue<>(k + 1, Example.BEST_FIRST.reversed()));
        if (heap.size() < k) {
            heap.add(example);
        } else if (Example.BEST_FIRST.compare(example, heap.peek()) < 0) {
            heap.poll();
            heap.add(example);
        }
    }

    /** One image's peaks for every target. */
    public void offer(String image, List<ChannelPeaks> peaks) {
        for (ChannelPeaks p : peaks) {
            for (int c = 0; c < p.channels(); c++) offer(p.tensor(), c, new Example(image, p.score()[c], p.x()[c], p.y()[c]));
        }
    }

    /** Adds {@code other}'s examples into this one and returns this (the merge of an aggregation). */
    public TopExamples merge(TopExamples other) {
        if (other.k != k) throw new IllegalArgumentException("cannot merge top " + other.k + " into top " + k);
        other.kept.forEach((layer, filters) -> filters.forEach((filter, heap) -> heap.forEach(e -> offer(layer, filter, e))));
        return this;
    }

    public List<String> layers() { return kept.keySet().stream().sorted().toList(); }

    /** The filters of {@code layer} that have examples, ascending. */
    public List<Integer> filters(String layer) {
        return kept.getOrDefault(layer, Map.of()).keySet().stream().sorted().toList();
    }

    /** The kept examples of (layer, filter), best first (rank 1 first). */
    public List<Example> ranked(String layer, int filter) {
        PriorityQueue<Example> heap = kept.getOrDefault(layer, Map.of()).get(filter);
        if (heap == null) return List.of();
        List<Example> sorted = new ArrayList<>(heap);
        sorted.sort(Example.BEST_FIRST);
        return sorted;
    }
}
