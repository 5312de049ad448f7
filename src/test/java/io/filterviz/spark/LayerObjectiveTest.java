package io.filterviz.spark;

import io.filterviz.engine.CompiledModel;
import io.filterviz.engine.FilterObjective;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** A partition that spans several layers holds one layer's objective at a time, and none after it ends. */
class LayerObjectiveTest {
    /** Records which layers' objectives were built and which are still open. */
    private static final class Model implements CompiledModel {
        final List<String> built = new ArrayList<>();
        final List<String> open = new ArrayList<>();
        int mostOpen;

        @Override
        public FilterObjective newObjective(String layer, int threads) {
            built.add(layer);
            open.add(layer);
            mostOpen = Math.max(mostOpen, open.size());
            return new FilterObjective() {
                @Override
                public float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient) {
                    return 0;
                }

                @Override
                public int filters() { return 1; }

                @Override
                public void close() { open.remove(layer); }
            };
        }

        @Override
        public String deepest() { return "block5_conv3"; }
    }

    @Test
    void theLayerBeforeIsClosedWhenTheLayerChanges() {
        Model model = new Model();
        try (LayerObjective objectives = new LayerObjective(model, 1)) {
            FilterObjective first = objectives.forLayer("block5_conv1");
            assertSame(first, objectives.forLayer("block5_conv1"), "the same layer reuses its objective");
            objectives.forLayer("block4_conv1");
            assertEquals(List.of("block4_conv1"), model.open);
            objectives.forLayer("block4_conv1");
            objectives.forLayer("block1_conv1");
            assertEquals(List.of("block1_conv1"), model.open);
        }
        assertEquals(List.of("block5_conv1", "block4_conv1", "block1_conv1"), model.built);
        assertEquals(1, model.mostOpen, "never two layers' objectives at once");
        assertEquals(List.of(), model.open, "closed when the partition ends");
    }
}
