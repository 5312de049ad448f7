package io.filterviz.job;

import io.filterviz.config.BadInputException;
import io.filterviz.config.FilterRange;
import io.filterviz.model.LayerSpec;
import io.filterviz.result.FilterId;

import java.util.ArrayList;
import java.util.List;

/**
 * --filter-range over the chosen layers: the (layer, filter) items to compute.
 *
 * @param largestRange the most filters any one layer contributes (what --grid must fit in)
 */
record FilterItems(List<FilterId> items, int largestRange) {

    /** One layer: the range must lie inside it. Several layers: the range is clipped to each. */
    static FilterItems expand(FilterRange range, List<LayerSpec> layers) {
        List<FilterId> items = new ArrayList<>();
        int largestRange = 0;
        for (LayerSpec layer : layers) {
            int from = range.from();
            int end = range.end(layer.outChannels());
            int to = layers.size() > 1 ? Math.min(end, layer.outChannels()) : end;
            if (from < 0 || to > layer.outChannels() || from >= to) {
                throw new BadInputException("--filter-range " + range + " is not a non-empty range inside "
                        + layer.name() + "'s " + layer.outChannels() + " filters (0:" + layer.outChannels() + ")");
            }
            for (int f = from; f < to; f++) items.add(new FilterId(layer.name(), f));
            largestRange = Math.max(largestRange, to - from);
        }
        return new FilterItems(List.copyOf(items), largestRange);
    }
}
