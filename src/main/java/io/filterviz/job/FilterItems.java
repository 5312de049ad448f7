package io.filterviz.job;

import io.filterviz.config.BadInputException;
import io.filterviz.config.FilterRange;
import io.filterviz.result.FilterId;

import java.util.ArrayList;
import java.util.List;

/**
 * --filter-range over the chosen layers: the (layer, filter) items to compute.
 *
 * @param largestRange the most filters any one layer contributes (what --grid must fit in)
 */
record FilterItems(List<FilterId> items, int largestRange) {

    /** One layer: the range must lie inside its channels (or units). Several layers: the range is clipped to each. */
    static FilterItems expand(FilterRange range, List<TargetLayer> layers) {
        List<FilterId> items = new ArrayList<>();
        int largestRange = 0;
        for (TargetLayer layer : layers) {
            int size = layer.channels();
            int from = range.from();
            int end = range.end(size);
            int to = layers.size() > 1 ? Math.min(end, size) : end;
            if (from < 0 || to > size || from >= to) {
                throw new BadInputException("--filter-range " + range + " is not a non-empty range inside "
                        + layer.name() + "'s " + size + " " + layer.unitsWord() + " (0:" + size + ")");
            }
            for (int f = from; f < to; f++) items.add(new FilterId(layer.name(), f));
            largestRange = Math.max(largestRange, to - from);
        }
        return new FilterItems(List.copyOf(items), largestRange);
    }
}
