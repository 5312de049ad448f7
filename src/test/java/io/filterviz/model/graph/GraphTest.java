package io.filterviz.model.graph;

import io.filterviz.model.KerasVgg;
import io.filterviz.model.RandomWeights;
import io.filterviz.model.Vgg16;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class GraphTest {
    private final Graph vgg = KerasVgg.graph("vgg16", RandomWeights.create("block5_pool", 1));

    @Test
    void vggShapesFollowTheKerasExample() {
        // 79 px: four 2× pools before block5 leave floor(79/16) = 4
        assertEquals(Shape.image(512, 4, 4), vgg.shapes(79, 79).get("block5_conv1"));
        assertEquals(Shape.image(64, 79, 79), vgg.shapes(79, 79).get("block1_conv1"));
        assertEquals(Shape.image(512, 2, 2), vgg.shapes(79, 79).get("block5_pool"));
    }

    @Test
    void layerNamesAreTheTensorsAfterTheirActivation() {
        assertEquals(Vgg16.convLayerNames(), vgg.convolutionOutputs());
        assertInstanceOf(Activation.class, vgg.producer("block5_conv1").orElseThrow().op());
        assertEquals("block3_conv2/conv", vgg.resolve("block3_conv2/conv").orElseThrow());
        assertTrue(vgg.resolve("block9_conv1").isEmpty());
    }

    @Test
    void cutKeepsOnlyWhatTheTargetNeeds() {
        Graph cut = vgg.upTo("block2_conv1");
        assertEquals(List.of("block1_conv1/conv", "block1_conv1", "block1_conv2/conv", "block1_conv2", "block1_pool",
                "block2_conv1/conv", "block2_conv1"), cut.tensors());
    }

    @Test
    void earlyExitOnlyWhereTheTargetCannotBeNegative() {
        assertTrue(vgg.nonNegative("block5_conv1"));
        assertTrue(vgg.nonNegative("block4_pool"));
        assertFalse(vgg.nonNegative("block5_conv1/conv"));
    }

    @Test
    void strideAndSmallestInput() {
        assertEquals(16, vgg.stride("block5_conv1"));
        assertEquals(1, vgg.stride("block1_conv2"));
        assertEquals(16, vgg.smallestInput("block5_conv1"));
        assertEquals(32, vgg.smallestInput("block5_pool"));
        ShapeException tooSmall = assertThrows(ShapeException.class, () -> vgg.shapes(15, 15));
        assertTrue(tooSmall.getMessage().contains("block4_pool"), tooSmall.getMessage());
    }

    @Test
    void ceilModePoolingMatchesOnnx() {
        // googlenet's MaxPool(3, stride 2, ceil_mode) on 112 px gives 56 (PyTorch: ceil((112 - 3) / 2) + 1)
        Pool pool = new Pool(Pool.Kind.MAX, 3, 3, 2, 2, new int[4], true, false);
        assertEquals(56, pool.outputShape(List.of(Shape.image(8, 112, 112))).height());
        Pool floor = new Pool(Pool.Kind.MAX, 3, 3, 2, 2, new int[4], false, false);
        assertEquals(55, floor.outputShape(List.of(Shape.image(8, 112, 112))).height());
    }

    @Test
    void samePaddingResolvesPerSize() {
        Conv conv = new Conv(1, 1, 3, 3, 2, 2, new int[4], "SAME_UPPER", 1, 1, 1, new float[9], new float[1]);
        assertArrayEquals(new int[]{0, 0, 1, 1}, conv.padsFor(8, 8));
        assertEquals(4, conv.outputShape(List.of(Shape.image(1, 8, 8))).height());
        assertEquals(4, conv.outputShape(List.of(Shape.image(1, 7, 7))).height());
    }
}
