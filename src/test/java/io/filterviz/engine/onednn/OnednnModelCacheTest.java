package io.filterviz.engine.onednn;

import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.Precision;
import io.filterviz.model.KerasVgg;
import io.filterviz.model.RandomWeights;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model's cache of reordered weights and bias buffers is bounded per job: it grows with the layers and image
 * sizes of the schedule, once, and not with the number of filters or tasks that follow.
 */
class OnednnModelCacheTest {
    private static final int[] SIZES = {24, 29, 34};

    @Test
    void moreFiltersAndTasksAddNothingToTheCache() {
        OnednnModel model = (OnednnModel) new OnednnBackend(Precision.FP32).compile(KerasVgg.graph("vgg16", RandomWeights.create("block2_conv1", 3)));
        try (FilterObjective first = model.newObjective("block2_conv1", 1)) {
            runSchedule(first, 0);
        }
        int afterOneFilter = model.cachedBuffers();
        assertTrue(afterOneFilter > 0, "the layers below the target are cached: " + afterOneFilter);

        for (int task = 0; task < 2; task++) {
            try (FilterObjective objective = model.newObjective(task == 0 ? "block2_conv1" : "block1_conv2", 1)) {
                for (int filter = 1; filter < 6; filter++) runSchedule(objective, filter);
            }
        }
        assertEquals(afterOneFilter, model.cachedBuffers(), "later filters and tasks reuse the cached buffers");
    }

    private static void runSchedule(FilterObjective objective, int filter) {
        for (int size : SIZES) {
            float[] image = new float[3 * size * size];
            java.util.Arrays.fill(image, 128f);
            objective.lossAndGradient(image, size, size, filter, new float[image.length]);
        }
    }
}
