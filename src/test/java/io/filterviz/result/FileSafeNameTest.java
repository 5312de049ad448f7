package io.filterviz.result;

import io.filterviz.report.OutputLayout;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FileSafeNameTest {
    @Test
    void kerasNamesAreUnchanged() {
        assertEquals("block5_conv1", FileSafeName.of("block5_conv1"));
        assertEquals("conv2d_1", FileSafeName.of("conv2d_1"));
    }

    @Test
    void onnxTensorPathsLoseTheirSlashesAndLeadingSeparator() {
        assertEquals("layer2_layer2.1_relu_1_Relu_output_0", FileSafeName.of("/layer2/layer2.1/relu_1/Relu_output_0"));
        assertEquals("features.3_conv_Conv_output_0", FileSafeName.of("/features.3/conv/Conv_output_0"));
        assertEquals("a_b_c", FileSafeName.of("a b:c"));
        assertEquals("x", FileSafeName.of("../x"));
        assertEquals("_", FileSafeName.of("/"));
        assertEquals("_", FileSafeName.of(".."));
    }

    @Test
    void everyPathBuiltFromALayerNameUsesTheRule() {
        String onnx = "/layer1/layer1.0/relu/Relu_output_0";
        assertEquals("filters/layer1_layer1.0_relu_Relu_output_0_0007.png", OutputLayout.picture(new FilterId(onnx, 7)));
        assertEquals("layer1_layer1.0_relu_Relu_output_0.html", OutputLayout.layerPage(onnx));
        assertEquals("resnet18_layer1_layer1.0_relu_Relu_output_0_3x3.png", OutputLayout.grid("resnet18", onnx, 3));
    }

    @Test
    void vgg16KeepsTheKerasExamplesGridName() {
        assertEquals("vgg_block5_conv1_22x22.png", OutputLayout.grid("vgg16", "block5_conv1", 22));
        assertEquals("vgg19_block5_conv1_2x2.png", OutputLayout.grid("vgg19", "block5_conv1", 2));
    }
}
