package io.filterviz.job;

import io.filterviz.engine.AscentSettings;
import io.filterviz.model.KerasVgg;
import io.filterviz.model.RandomWeights;
import io.filterviz.result.FilterId;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkOrderTest {
    private static final ToDoubleFunction<FilterId> KERAS_SCHEDULE = WorkOrder.flopsModel(
            KerasVgg.graph("vgg16", RandomWeights.create("block5_conv3", 1)), AscentSettings.defaults().schedule());

    @Test
    void deeperLayersCostMoreAndTheCostGrowsTowardsBlock5() {
        double block1 = KERAS_SCHEDULE.applyAsDouble(new FilterId("block1_conv1", 0));
        double block3 = KERAS_SCHEDULE.applyAsDouble(new FilterId("block3_conv1", 0));
        double block5 = KERAS_SCHEDULE.applyAsDouble(new FilterId("block5_conv1", 0));
        assertTrue(block1 < block3 && block3 < block5, block1 + " " + block3 + " " + block5);
        // block1_conv1 alone for one filter: 2·W·H·3·1·9 at each of the 9 sizes; block5 runs 12 convolutions first.
        assertTrue(block5 / block1 > 1000, "ratio " + block5 / block1);
    }

    @Test
    void onePartitionPerItemStartsWithTheMostExpensive() {
        List<FilterId> items = List.of(new FilterId("block1_conv1", 0), new FilterId("block5_conv1", 0),
                new FilterId("block3_conv1", 0), new FilterId("block5_conv1", 1));
        List<List<FilterId>> partitions = WorkOrder.partitions(items, items.size(), KERAS_SCHEDULE);
        assertEquals(List.of(List.of(new FilterId("block5_conv1", 0)), List.of(new FilterId("block5_conv1", 1)),
                List.of(new FilterId("block3_conv1", 0)), List.of(new FilterId("block1_conv1", 0))), partitions);
    }

    @Test
    void fewerPartitionsAreBalancedSoNoneIsAStraggler() {
        // costs 8, 7, 6, 5, 4 into 2 partitions: longest-first gives {8, 5, 4} = 17 vs {7, 6} = 13; a naive split
        // of the list in two contiguous halves would give 21 vs 9.
        Map<String, Double> cost = Map.of("a", 8.0, "b", 7.0, "c", 6.0, "d", 5.0, "e", 4.0);
        List<FilterId> items = new ArrayList<>();
        for (String layer : List.of("e", "a", "d", "b", "c")) items.add(new FilterId(layer, 0));
        List<List<FilterId>> partitions = WorkOrder.partitions(items, 2, id -> cost.get(id.layer()));
        assertEquals(2, partitions.size());
        List<Double> loads = partitions.stream()
                .map(p -> p.stream().mapToDouble(id -> cost.get(id.layer())).sum()).toList();
        assertEquals(List.of(17.0, 13.0), loads, "heaviest first, balanced: " + partitions);
        assertEquals(5, partitions.stream().mapToInt(List::size).sum());
        assertEquals("a", partitions.get(0).get(0).layer(), "each partition runs its most expensive item first");
    }

    @Test
    void moreRequestedPartitionsThanItemsGiveOnePerItem() {
        List<FilterId> items = List.of(new FilterId("block1_conv1", 0), new FilterId("block1_conv1", 1));
        List<List<FilterId>> partitions = WorkOrder.partitions(items, 8, KERAS_SCHEDULE);
        assertEquals(2, partitions.size());
        assertTrue(partitions.stream().allMatch(p -> p.size() == 1));
        assertEquals(items, partitions.stream().flatMap(List::stream)
                .sorted(Comparator.comparingInt(FilterId::filter)).toList());
    }
}
