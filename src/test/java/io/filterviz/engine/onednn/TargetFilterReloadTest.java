package io.filterviz.engine.onednn;

import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.Precision;
import io.filterviz.model.KerasVgg;
import io.filterviz.model.RandomWeights;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A chain keeps its target filter's weights loaded between steps and reloads them only when the step's filters change
 * (the Lucid loop draws another image size, hence another chain, at every step). Whatever order of sizes, filters and
 * batches an objective is asked for, each answer is bit for bit what a new objective gives for that one call.
 */
class TargetFilterReloadTest {
    private static final OnednnModel MODEL = (OnednnModel) new OnednnBackend(Precision.FP32)
            .compile(KerasVgg.graph("vgg16", RandomWeights.create("block2_conv1", 5)));
    private static final String LAYER = "block2_conv1";

    @Test
    void filtersAndSizesInAnyOrderGiveWhatAFreshObjectiveGives() {
        int[][] calls = { // size, then the batch's filters
                {24, 0}, {30, 0}, {24, 1}, {30, 1}, {24, 1}, {24, 0}, {30, 7, 3}, {30, 3, 7}, {30, 7, 3}, {24, 7}, {30, 3}};
        try (FilterObjective reused = MODEL.newObjective(LAYER, 1)) {
            for (int[] call : calls) {
                int size = call[0];
                int[] filters = java.util.Arrays.copyOfRange(call, 1, call.length);
                float[][] images = images(filters.length, size);
                float[][] gradients = new float[filters.length][images[0].length];
                float[] losses = reused.lossesAndGradients(images, size, size, filters, gradients);

                float[][] expectedGradients = new float[filters.length][images[0].length];
                float[] expected;
                try (FilterObjective fresh = MODEL.newObjective(LAYER, 1)) {
                    expected = fresh.lossesAndGradients(images, size, size, filters, expectedGradients);
                }
                String what = "size " + size + ", filters " + java.util.Arrays.toString(filters);
                assertArrayEquals(expected, losses, what);
                for (int b = 0; b < filters.length; b++) assertArrayEquals(expectedGradients[b], gradients[b], what);
            }
        }
    }

    @Test
    void theFiltersGiveDifferentAnswersSoTheCheckAboveCanFail() {
        try (FilterObjective objective = MODEL.newObjective(LAYER, 1)) {
            float[][] images = images(1, 24);
            float a = objective.lossesAndGradients(images, 24, 24, new int[]{0}, new float[1][images[0].length])[0];
            float b = objective.lossesAndGradients(images, 24, 24, new int[]{1}, new float[1][images[0].length])[0];
            assertEquals(false, a == b, "filters 0 and 1 give the loss " + a);
        }
    }

    private static float[][] images(int count, int size) {
        SplittableRandom random = new SplittableRandom(size * 31L + count);
        float[][] images = new float[count][3 * size * size];
        for (float[] image : images) for (int i = 0; i < image.length; i++) image[i] = (float) (random.nextDouble() * 255);
        return images;
    }
}
