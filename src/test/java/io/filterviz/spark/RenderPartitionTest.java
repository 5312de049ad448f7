package io.filterviz.spark;

import io.filterviz.result.FilterId;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RenderPartitionTest {
    private static FilterId id(String layer, int filter) { return new FilterId(layer, filter); }

    @Test
    void aBatchHoldsConsecutiveFiltersOfOneLayerUpToItsSize() {
        List<FilterId> items = List.of(id("block5_conv1", 0), id("block5_conv1", 1), id("block5_conv1", 2),
                id("block4_conv1", 7), id("block4_conv1", 3), id("block5_conv1", 9));
        assertEquals(List.of(
                        List.of(id("block5_conv1", 0), id("block5_conv1", 1)),
                        List.of(id("block5_conv1", 2)),
                        List.of(id("block4_conv1", 7), id("block4_conv1", 3)),
                        List.of(id("block5_conv1", 9))),
                RenderPartition.batches(items, 2));
        assertEquals(6, RenderPartition.batches(items, 1).size());
        assertEquals(3, RenderPartition.batches(items, 8).size(), "a layer change ends a batch");
    }
}
