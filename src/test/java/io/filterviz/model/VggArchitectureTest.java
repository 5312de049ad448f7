package io.filterviz.model;

import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Shape;
import io.filterviz.testing.KerasH5Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class VggArchitectureTest {
    @TempDir
    Path dir;

    private static String describe(List<LayerSpec> layers) {
        return String.join(" ", layers.stream().map(l -> l.name() + (l.isConv() ? ":" + l.inChannels() + ">" + l.outChannels() : "")).toList());
    }

    @Test
    void vgg16IsTheTableItAlwaysWas() {
        assertEquals("block1_conv1:3>64 block1_conv2:64>64 block1_pool block2_conv1:64>128 block2_conv2:128>128 block2_pool "
                + "block3_conv1:128>256 block3_conv2:256>256 block3_conv3:256>256 block3_pool block4_conv1:256>512 "
                + "block4_conv2:512>512 block4_conv3:512>512 block4_pool block5_conv1:512>512 block5_conv2:512>512 "
                + "block5_conv3:512>512 block5_pool", describe(Vgg16.layers()));
        assertEquals(Vgg16.layers(), VggArchitecture.VGG16.layers());
        assertEquals("https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
                + "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", ImagenetWeights.OFFICIAL_URL.toString());
        assertEquals("6d6bbae143d832006294945121d1f1fc", ImagenetWeights.MD5);
    }

    @Test
    void vgg19HasFourConvolutionsInItsLastThreeBlocks() {
        VggArchitecture vgg19 = VggArchitecture.VGG19;
        assertEquals(16, vgg19.convLayerNames().size());
        assertEquals(21, vgg19.layers().size());
        assertEquals(LayerSpec.conv("block3_conv4", 256, 256), vgg19.layer("block3_conv4").orElseThrow());
        assertEquals(LayerSpec.conv("block4_conv1", 256, 512), vgg19.layer("block4_conv1").orElseThrow());
        assertEquals("block5_conv4", vgg19.convLayerNames().get(15));
        assertEquals(VggArchitecture.VGG19, VggArchitecture.named("vgg19").orElseThrow());
        assertEquals("https://storage.googleapis.com/tensorflow/keras-applications/vgg19/"
                + "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", vgg19.officialUrl().toString());
        assertEquals("253f8cb515780f3b799900260a226db6", vgg19.md5());

        Graph graph = KerasVgg.random(vgg19, "block5_conv4", 1);
        assertEquals("vgg19", graph.name());
        assertEquals(Shape.image(512, 14, 14), graph.shapes(224, 224).get("block5_conv4"));
        assertEquals(16, graph.stride("block5_conv4"));
        assertEquals(vgg19.convLayerNames(), graph.convolutionOutputs());
        // a layer's random kernel depends on its name and shape only: the layers VGG16 shares are VGG16's
        assertArrayEquals(RandomWeights.create("block3_conv2", 7).conv("block3_conv2").kernel(),
                RandomWeights.create(vgg19, "block3_conv2", 7).conv("block3_conv2").kernel());
    }

    @Test
    void vgg19WeightsReadFromAKerasFile() {
        NetworkWeights written = RandomWeights.create(VggArchitecture.VGG19, "block3_conv4", 3);
        Path file = dir.resolve("vgg19.h5");
        KerasH5Fixture.write(file, written, KerasH5Fixture.Style.KERAS2);
        NetworkWeights read = KerasH5Weights.load(file, VggArchitecture.VGG19, "block3_conv4");
        assertArrayEquals(written.conv("block3_conv4").kernel(), read.conv("block3_conv4").kernel());
        assertEquals(VggArchitecture.VGG19.upTo("block3_conv4"), read.layers());

        Path vgg16 = dir.resolve("vgg16.h5");
        KerasH5Fixture.write(vgg16, RandomWeights.create("block3_pool", 3), KerasH5Fixture.Style.KERAS2);
        WeightsException e = assertThrows(WeightsException.class,
                () -> KerasH5Weights.load(vgg16, VggArchitecture.VGG19, "block3_conv4"));
        assertTrue(e.getMessage().contains("has no layer block3_conv4"), e.getMessage());
    }

    @Test
    void vgg19LooksForItsOwnFileInKerasCache() throws Exception {
        Path keras = dir.resolve("keras");
        Files.createDirectories(keras);
        byte[] content = "not really weights".getBytes();
        Files.write(keras.resolve(VggArchitecture.VGG19.weightsFile()), content);
        String md5 = Md5.of(keras.resolve(VggArchitecture.VGG19.weightsFile()));
        ImagenetWeights weights = new ImagenetWeights(VggArchitecture.VGG19.weightsFile(), keras, dir.resolve("cache"),
                VggArchitecture.VGG19.officialUrl(), md5, new PrintStream(OutputStream.nullOutputStream()));
        assertEquals(keras.resolve("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"), weights.resolve());
    }
}
