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
    private final Map<String, Layer> kept = new HashMap<>();

    /** One layer's heaps, by filter (a channel index: small and dense). */
    private static final class Layer implements Serializable {
        private static final long serialVersionUID = 1L;
        @SuppressWarnings("unchecked")
        private PriorityQueue<Example>[] heaps = new PriorityQueue[0];

        PriorityQueue<Example> heap(int filter) { return filter < heaps.length ? heaps[filter] : null; }

        PriorityQueue<Example> heapFor(int filter, int k) {
            if (filter >= heaps.length) heaps = java.util.Arrays.copyOf(heaps, Math.max(filter + 1, 2 * heaps.length));
            if (heaps[filter] == null) heaps[filter] = new PriorityQueue<>(k + 1, Example.BEST_FIRST.reversed());
            return heaps[filter];
        }
    }

    public TopExamples(int k) {
        if (k < 1) throw new IllegalArgumentException("k must be at least 1, got " + k);
        this.k = k;
    }

    public int k() { return k; }

    /** Keeps {@code example} if it is among the k best of (layer, filter) so far; a NaN score is never kept. */
    public void offer(String layer, int filter, Example example) {
        if (Double.isNaN(example.score())) return;
        // the worst kept example on top, so a better one replaces it in O(log k)
        if (filter < 0) throw new IllegalArgumentException("filter " + filter);
        PriorityQueue<Example> heap = kept.computeIfAbsent(layer, l -> new Layer()).heapFor(filter, k);
        if (heap.size() < k) {
            heap.add(example);
        } else if (Example.BEST_FIRST.compare(example, heap.peek()) < 0) {
            heap.poll();
            heap.add(example);
        }
    }

    /**
     * Whether an example of {@code image} with {@code score} would be kept for (layer, filter) now: false only when
     * {@link #offer} would surely drop it, so a scan may skip finding the position of such a channel. A NaN score
     * answers true (the scan then finds the channel's exact peak, which decides).
     */
    public boolean mightKeep(String layer, int filter, double score, String image) {
        return mightKeep(kept.get(layer), filter, score, image);
    }

    /** {@link #mightKeep} for every channel of a layer, one lookup of the layer. */
    public Floors floors(String layer) {
        return new Floors() {
            private Layer heaps; // looked up until the layer's first example (it never goes away after)

            @Override
            public boolean mightKeep(int filter, double score, String image) {
                if (heaps == null) heaps = kept.get(layer);
                return TopExamples.this.mightKeep(heaps, filter, score, image);
            }
        };
    }

    /** See {@link #floors}. */
    public interface Floors {
        boolean mightKeep(int filter, double score, String image);
    }

    private boolean mightKeep(Layer layer, int filter, double score, String image) {
        PriorityQueue<Example> heap = layer == null ? null : layer.heap(filter);
        if (heap == null || heap.size() < k || Double.isNaN(score)) return true;
        Example worst = heap.peek();
        if (score != worst.score()) return score > worst.score();
        // equal as numbers: the path decides, unless the kept one is -0.0 (a +0.0 ranks above it whatever its path)
        return image.compareTo(worst.image()) < 0 || Double.doubleToRawLongBits(worst.score()) == Long.MIN_VALUE;
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
        other.kept.forEach((layer, filters) -> {
            for (int f = 0; f < filters.heaps.length; f++) {
                int filter = f;
                if (filters.heaps[f] != null) filters.heaps[f].forEach(e -> offer(layer, filter, e));
            }
        });
        return this;
    }

    public List<String> layers() { return kept.keySet().stream().sorted().toList(); }

    /** The filters of {@code layer} that have examples, ascending. */
    public List<Integer> filters(String layer) {
        Layer l = kept.get(layer);
        List<Integer> filters = new ArrayList<>();
        if (l != null) for (int f = 0; f < l.heaps.length; f++) if (l.heaps[f] != null && !l.heaps[f].isEmpty()) filters.add(f);
        return filters;
    }

    /** The kept examples of (layer, filter), best first (rank 1 first). */
    public List<Example> ranked(String layer, int filter) {
        Layer l = kept.get(layer);
        PriorityQueue<Example> heap = l == null ? null : l.heap(filter);
        if (heap == null) return List.of();
        List<Example> sorted = new ArrayList<>(heap);
        sorted.sort(Example.BEST_FIRST);
        return sorted;
    }
}
