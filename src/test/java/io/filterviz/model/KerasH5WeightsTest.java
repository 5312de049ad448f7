package io.filterviz.model;

import io.filterviz.engine.nd4j.Nd4jFilterObjective;
import io.filterviz.testing.KerasH5Fixture;
import io.filterviz.testing.NaiveVgg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KerasH5WeightsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(KerasH5Fixture.Style.class)
    void aKnownKernelValueLandsInItsPlace(KerasH5Fixture.Style style) {
        NetworkWeights written = RandomWeights.create("block1_conv2", 11);
        ConvWeights conv = written.conv("block1_conv2");
        // kernel[ky=1][kx=2][in=0][out=5] in Keras' H×W×in×out order, flattened row-major
        int flat = ((1 * 3 + 2) * 64 + 0) * 64 + 5;
        conv.kernel()[flat] = 123.25f;
        Path file = dir.resolve(style + ".h5");
        KerasH5Fixture.write(file, written, style);

        NetworkWeights read = KerasH5Weights.load(file, "block1_conv2");
        ConvWeights loaded = read.conv("block1_conv2");
        assertEquals(123.25f, loaded.kernel()[loaded.index(1, 2, 0, 5)]);
        assertArrayEquals(conv.kernel(), loaded.kernel());
        assertArrayEquals(written.conv("block1_conv1").bias(), read.conv("block1_conv1").bias());
    }

    @Test
    void forwardPassWithLoadedWeightsMatchesAReferenceOnTheWrittenArrays() {
        NetworkWeights written = withBiases(RandomWeights.create("block2_conv1", 5), 21);
        Path file = dir.resolve("vgg.h5");
        KerasH5Fixture.write(file, written, KerasH5Fixture.Style.KERAS1_NOTOP);
        NetworkWeights loaded = KerasH5Weights.load(file, "block2_conv1");

        int w = 12, h = 10;
        SplittableRandom random = new SplittableRandom(3);
        double[] image = new double[3 * w * h];
        float[] input = new float[image.length];
        for (int i = 0; i < image.length; i++) input[i] = (float) (image[i] = random.nextDouble() * 255);
        try (Nd4jFilterObjective path = new Nd4jFilterObjective(loaded)) {
            for (int filter : new int[]{0, 17, 127}) {
                double expected = NaiveVgg.loss(written, image, w, h, filter);
                float actual = path.lossAndGradient(input, w, h, filter, new float[input.length]);
                assertEquals(expected, actual, 1e-4 * Math.max(1, Math.abs(expected)), "filter " + filter);
            }
        }
    }

    @Test
    void aWrongShapeIsNamedWithTheLayer() {
        NetworkWeights good = RandomWeights.create("block1_conv2", 1);
        List<ConvWeights> convs = new ArrayList<>(good.convs().values());
        convs.removeIf(c -> c.layer().equals("block1_conv2"));
        // block1_conv2 written as 3×3×64×32: a file of some other network
        convs.add(new ConvWeights("block1_conv2", 64, 32, new float[9 * 64 * 32], new float[32]));
        NetworkWeights bad = new NetworkWeights("block1_conv2", good.layers(),
                java.util.Map.of("block1_conv1", good.conv("block1_conv1"), "block1_conv2", convs.get(convs.size() - 1)));
        Path file = dir.resolve("bad.h5");
        KerasH5Fixture.write(file, bad, KerasH5Fixture.Style.KERAS2);

        WeightsException e = assertThrows(WeightsException.class, () -> KerasH5Weights.load(file, "block1_conv2"));
        assertTrue(e.getMessage().contains("block1_conv2 kernel has shape [3, 3, 64, 32], expected [3, 3, 64, 64]"),
                e.getMessage());
    }

    @Test
    void aMissingLayerAndANonHdf5FileAreClearErrors() throws Exception {
        Path small = dir.resolve("small.h5");
        KerasH5Fixture.write(small, RandomWeights.create("block1_conv2", 1), KerasH5Fixture.Style.KERAS2);
        WeightsException missing = assertThrows(WeightsException.class, () -> KerasH5Weights.load(small, "block2_conv1"));
        assertTrue(missing.getMessage().contains("has no layer block2_conv1"), missing.getMessage());

        Path text = Files.writeString(dir.resolve("notes.h5"), "not hdf5");
        WeightsException notH5 = assertThrows(WeightsException.class, () -> KerasH5Weights.load(text, "block1_conv1"));
        assertTrue(notH5.getMessage().contains("is not an HDF5 file"), notH5.getMessage());
    }

    private static NetworkWeights withBiases(NetworkWeights weights, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (ConvWeights c : weights.convs().values()) {
            for (int i = 0; i < c.bias().length; i++) c.bias()[i] = (float) (random.nextDouble() - 0.5);
        }
        return weights;
    }
}
