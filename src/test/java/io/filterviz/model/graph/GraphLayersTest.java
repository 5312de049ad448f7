package io.filterviz.model.graph;

import io.filterviz.model.KerasVgg;
import io.filterviz.model.RandomWeights;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class GraphLayersTest {
    @Test
    void everyTensorWithChannelsStrideAndOperator() {
        Graph vgg = KerasVgg.graph("vgg16", RandomWeights.create("block5_conv1", 1));
        List<Graph.Layer> layers = vgg.layers();
        assertEquals(vgg.tensors(), layers.stream().map(Graph.Layer::tensor).toList());
        assertEquals(new Graph.Layer("block1_conv1/conv", "block1_conv1/conv", "Conv", 64, false, 1), layers.get(0));
        assertEquals(new Graph.Layer("block2_pool", "block2_pool", "MaxPool", 128, false, 4),
                layers.stream().filter(l -> l.tensor().equals("block2_pool")).findFirst().orElseThrow());
        assertEquals(new Graph.Layer("block5_conv1", "block5_conv1", "Relu", 512, false, 16), layers.get(layers.size() - 1));
    }

    @Test
    void vectorsCountUnitsAtTheFixedSize() {
        // 1×8×8 → conv 3×3 stride 2, no pad (3×3) → flatten (4·3·3 = 36) → dense 10
        Conv conv = new Conv(4, 1, 3, 3, 2, 2, new int[4], null, 1, 1, 1, new float[36], new float[4]);
        Graph g = new Graph("small", "x", 1, 8, 8, List.of(new Node("conv", conv, "x", "c"),
                new Node("flat", new Flatten(), "c", "f"),
                new Node("fc", new Dense(10, 36, new float[360], new float[10]), "f", "logits")));
        assertEquals(List.of(new Graph.Layer("c", "conv", "Conv", 4, false, 2), new Graph.Layer("f", "flat", "Flatten", 36, true, 2),
                new Graph.Layer("logits", "fc", "Gemm", 10, true, 2)), g.layers());
    }
}
