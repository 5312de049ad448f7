package io.filterviz.job;

import io.filterviz.config.BadInputException;
import io.filterviz.model.KerasVgg;
import io.filterviz.model.VggArchitecture;
import io.filterviz.model.graph.Graph;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayerSelectionTest {
    private static final Graph VGG = KerasVgg.architecture("vgg16");

    private static List<String> names(List<String> asked) {
        return LayerSelection.targets(asked, VGG, VggArchitecture.VGG16).stream().map(TargetLayer::name).toList();
    }

    @Test
    void oneLayer() {
        assertEquals(List.of("block5_conv1"), names(List.of("block5_conv1")));
    }

    @Test
    void aListComesBackInNetworkOrderEachLayerOnce() {
        assertEquals(List.of("block1_conv1", "block3_conv2"), names(List.of("block3_conv2", "block1_conv1", "block3_conv2")));
    }

    @Test
    void allIsEveryConvolutionInNetworkOrder() {
        List<String> all = names(List.of("all"));
        assertEquals(13, all.size());
        assertEquals("block1_conv1", all.get(0));
        assertEquals("block5_conv3", all.get(12));
        assertTrue(all.stream().noneMatch(n -> n.contains("pool")), all.toString());
    }

    @Test
    void theFirstBadNameIsTheOneReported() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> names(List.of("block1_conv1", "block2_conv7", "block9_conv9")));
        assertTrue(e.getMessage().startsWith("--layer block2_conv7 is not a VGG16 layer"), e.getMessage());
    }
}
