package io.filterviz.model.graph;

import io.filterviz.model.KerasVgg;
import io.filterviz.model.LayerSpec;
import io.filterviz.model.RandomWeights;
import io.filterviz.model.Vgg16;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ObjectiveFlopsTest {
    @Test
    void vgg16MatchesTheLayerTable() {
        Graph vgg = KerasVgg.graph("vgg16", RandomWeights.create("block5_conv3", 1));
        for (String target : List.of("block1_conv1", "block3_conv2", "block5_conv1")) {
            for (int side : List.of(79, 224, 343)) {
                // the oracle: Σ 2·H·W·Cin·Cout·9 from VGG16's table, the target's own convolution for one filter
                double expected = 0, w = side;
                for (LayerSpec layer : Vgg16.upTo(target)) {
                    if (!layer.isConv()) {
                        w = Math.floor(w / 2);
                        continue;
                    }
                    int out = layer.name().equals(target) ? 1 : layer.outChannels();
                    expected += 2.0 * w * w * layer.inChannels() * out * 9;
                }
                assertEquals(expected, ObjectiveFlops.of(vgg, target, side, side), 0.0, target + " at " + side);
            }
        }
    }

    @Test
    void stridesGroupsAndDenseLayersCount() {
        // 1×8×8 → conv 3×3 stride 2 pad 1, 4 channels (4×4×4) → depthwise 3×3 pad 1 (group 4) → ReLU → flatten → dense 64→10
        Conv strided = new Conv(4, 1, 3, 3, 2, 2, new int[]{1, 1, 1, 1}, null, 1, 1, 1, new float[36], new float[4]);
        Conv depthwise = new Conv(4, 4, 3, 3, 1, 1, new int[]{1, 1, 1, 1}, null, 1, 1, 4, new float[36], new float[4]);
        Dense dense = new Dense(10, 64, new float[640], new float[10]);
        Graph g = new Graph("small", "x", 1, 8, 8, List.of(
                new Node("c1", strided, "x", "a"),
                new Node("c2", depthwise, "a", "b"),
                new Node("r", Activation.relu(), "b", "relu"),
                new Node("f", new Flatten(), "relu", "flat"),
                new Node("d", dense, "flat", "logits")));
        double c1 = 2.0 * 4 * 4 * 1 * 4 * 9, c2 = 2.0 * 4 * 4 * 1 * 4 * 9;
        assertEquals(c1 + 2.0 * 4 * 4 * 1 * 1 * 9, ObjectiveFlops.of(g, "relu", 8, 8), "one channel of the depthwise conv");
        assertEquals(c1 + c2 + 2.0 * 64, ObjectiveFlops.of(g, "logits", 8, 8), "one unit of the dense layer");
        assertEquals(c1 + c2, ObjectiveFlops.of(g, "flat", 8, 8), "a flatten has no channel of its own: everything before it runs");
    }
}
