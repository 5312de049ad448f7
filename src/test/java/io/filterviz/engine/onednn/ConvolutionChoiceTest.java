package io.filterviz.engine.onednn;

import io.filterviz.model.KerasVgg;
import io.filterviz.engine.Precision;
import io.filterviz.model.RandomWeights;
import io.filterviz.testing.Prerequisite;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the default runs Winograd (the measured rule), and that the primitives oneDNN builds follow it. */
class ConvolutionChoiceTest {
    private static final ConvolutionChoice MEASURED = ConvolutionChoice.MEASURED;

    @Test
    void runJsonNamesTheConvolutionsABackendRuns() {
        assertEquals("winograd-where-faster", new OnednnBackend(Precision.FP32).convolutions());
        assertEquals("direct", new OnednnBackend(Precision.FP32, ConvolutionChoice.DIRECT).convolutions());
        assertEquals("winograd:block1_conv2+block5_conv1", new OnednnBackend(Precision.FP32,
                ConvolutionChoice.layers(Set.of("block5_conv1", "block1_conv2"))).convolutions());
        assertEquals("direct", new OnednnBackend(Precision.BF16).convolutions(), "oneDNN has no bf16 Winograd");
        assertEquals("direct", new io.filterviz.engine.nd4j.Nd4jBackend().convolutions());
    }

    @Test
    void winogradWhereItMeasuredFaster() {
        // block5 at the Keras schedule's sizes (4-21 px): direct; from 22 px a side on, Winograd.
        assertFalse(MEASURED.winograd("block5_conv1", 512, 21, 21));
        assertTrue(MEASURED.winograd("block5_conv1", 512, 22, 22));
        // block1_conv2 at 343 px: 86 tiles a side, blocked by 2.
        assertTrue(MEASURED.winograd("block1_conv2", 64, 343, 343));
        // block2 at 171 px (the 343-px image): 43 × 43 tiles, no block from 2 to 36, measured 1.35-2.0× slower.
        assertFalse(MEASURED.winograd("block2_conv1", 64, 171, 171));
        assertTrue(MEASURED.winograd("block2_conv1", 64, 160, 160));
        // 29 × 29 tiles (114 px) are blocked by 29: measured 2× faster.
        assertTrue(MEASURED.winograd("block1_conv2", 64, 114, 114));
        // The image's convolution has 3 input channels.
        assertFalse(MEASURED.winograd("block1_conv1", 3, 343, 343));
    }

    @Test
    void aPlaneWithoutATileBlockWidensByOneColumnOfTiles() {
        // 146 px: 37 × 37 tiles, no block; 149 px wide: 37 × 38 = 1,406 tiles, blocked by 2.
        assertEquals(149, MEASURED.widenedWidth(64, 146, 146));
        assertEquals(149, MEASURED.widenedWidth(64, 148, 145));
        assertTrue(MEASURED.winograd("block1_conv2", 64, 146, 149));
        // Already blocked, too narrow, too few channels, or not the measured rule: no widening.
        assertEquals(150, MEASURED.widenedWidth(64, 150, 150));
        assertEquals(20, MEASURED.widenedWidth(64, 20, 20));
        assertEquals(146, MEASURED.widenedWidth(3, 146, 146));
        assertEquals(146, ConvolutionChoice.DIRECT.widenedWidth(64, 146, 146));
        assertEquals(146, ConvolutionChoice.layers(Set.of("block1_conv2")).widenedWidth(64, 146, 146));
    }

    @Test
    void directAndNamedLayersIgnoreTheRule() {
        assertFalse(ConvolutionChoice.DIRECT.winograd("block1_conv2", 64, 200, 200));
        ConvolutionChoice named = ConvolutionChoice.layers(Set.of("block5_conv1", "block1_conv1"));
        assertTrue(named.winograd("block5_conv1", 512, 4, 4));
        assertFalse(named.winograd("block4_conv3", 512, 200, 200));
        assertFalse(named.winograd("block1_conv1", 3, 200, 200), "3 input channels: oneDNN's Winograd needs 16");
    }

    @Test
    void theChainBuildsWinogradPrimitivesExactlyWhereTheRuleSays() {
        // Without AVX-512 oneDNN has no Winograd at all and every chain is direct: nothing to count.
        Prerequisite.requireCpu(OnednnProbe.winogradOnThisCpu(), "a CPU with AVX-512 (oneDNN's only Winograd, jit_wino_4x3)");
        assertEquals(4, winogradPrimitives(ConvolutionChoice.MEASURED, 320),
                "block1_conv2 (320 px, 80 tiles) and the block2_conv1 target (160 px, 40 tiles), forward and back");
        assertEquals(2, winogradPrimitives(ConvolutionChoice.MEASURED, 343),
                "only block1_conv2 (343 px); the target at 171 px (43 × 43 tiles) stays direct");
        assertEquals(0, winogradPrimitives(ConvolutionChoice.DIRECT, 320));
    }

    private static long winogradPrimitives(ConvolutionChoice choice, int size) {
        var graph = KerasVgg.graph("vgg16", RandomWeights.create("block2_conv1", 1));
        OnednnModel model = (OnednnModel) new OnednnBackend(Precision.FP32, choice).compile(graph);
        try (PrimitiveChain chain = new PrimitiveChain(model, graph.upTo("block2_conv1"), "block2_conv1", size, size, 1)) {
            return chain.implementations().stream().filter(name -> name.contains("wino")).count();
        }
    }
}
