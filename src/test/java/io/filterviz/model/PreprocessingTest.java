package io.filterviz.model;

import io.filterviz.model.graph.ModelException;
import io.filterviz.model.graph.ChannelAffine;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PreprocessingTest {
    private final Graph vgg = KerasVgg.graph("vgg16", RandomWeights.create("block1_conv2", 1));

    /** y[c] of the prepended node for a pixel (r, g, b). */
    private static double[] map(Preprocessing p, double... pixel) {
        ChannelAffine a = p.affine(pixel.length);
        double[] y = new double[pixel.length];
        for (int c = 0; c < y.length; c++) y[c] = pixel[a.source()[c]] * a.scale()[c] + a.shift()[c];
        return y;
    }

    @Test
    void eachModeIsItsFormula() {
        double r = 200, g = 100, b = 30;
        assertArrayEquals(new double[]{r / 255, g / 255, b / 255}, map(Preprocessing.UNIT, r, g, b), 1e-7);
        assertArrayEquals(new double[]{r / 127.5 - 1, g / 127.5 - 1, b / 127.5 - 1}, map(Preprocessing.TF, r, g, b), 1e-7);
        // Keras' caffe mode: RGB → BGR, then minus the BGR mean
        assertArrayEquals(new double[]{b - 103.939, g - 116.779, r - 123.68}, map(Preprocessing.CAFFE, r, g, b), 1e-4);
        assertArrayEquals(new double[]{(r / 255 - 0.485) / 0.229, (g / 255 - 0.456) / 0.224, (b / 255 - 0.406) / 0.225},
                map(Preprocessing.TORCH, r, g, b), 1e-6);
        assertArrayEquals(new double[]{100 / 127.5 - 1}, map(Preprocessing.TF, 100), 1e-7); // grey
        assertNull(Preprocessing.NONE.affine(3));
    }

    @Test
    void prependedNodeKeepsEveryName() {
        Graph torch = Preprocessing.TORCH.prepend(vgg);
        assertEquals("pixels", torch.input());
        Node first = torch.nodes().get(0);
        assertEquals("preprocess", first.name());
        assertEquals(List.of("pixels"), first.inputs());
        assertEquals("input", first.output());
        assertEquals(vgg.tensors(), torch.tensors().subList(1, torch.tensors().size()));
        assertTrue(Preprocessing.isPreprocessing(torch, first));
        assertFalse(Preprocessing.isPreprocessing(torch, torch.nodes().get(1)));
        assertSame(vgg, Preprocessing.NONE.prepend(vgg)); // VGG16's default path is untouched
    }

    @Test
    void imagenetStatisticsNeedRgb() {
        ModelException e = assertThrows(ModelException.class, () -> Preprocessing.TORCH.affine(1));
        assertEquals("--preprocess torch uses ImageNet's RGB statistics and needs 3 input channels, the network takes 1; "
                + "use unit, tf or none (and put the network's own normalisation in the model)", e.getMessage());
        assertThrows(ModelException.class, () -> Preprocessing.CAFFE.affine(1));
        assertEquals(Preprocessing.CAFFE, Preprocessing.parse("caffe"));
        assertEquals("--preprocess imagenet is not one of none, unit, caffe, torch, tf",
                assertThrows(ModelException.class, () -> Preprocessing.parse("imagenet")).getMessage());
    }
}
