package io.filterviz.spark;

import io.filterviz.engine.CompiledModel;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.engine.FilterObjective;
import io.filterviz.model.ModelSpec;
import io.filterviz.model.graph.Graph;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The executor's model cache: one load per (spec, backend), and never more than its capacity of models. */
class ExecutorModelsTest {
    /** Compiles to a model that only remembers its graph's last tensor. */
    private record NamedBackend(String name) implements ComputeBackend {
        @Override
        public CompiledModel compile(Graph graph) {
            return new CompiledModel() {
                @Override
                public FilterObjective newObjective(String layer, int threads) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public String deepest() { return graph.nodes().get(graph.nodes().size() - 1).output(); }
            };
        }
    }

    @Test
    void oneModelPerKeyAndAtMostCapacityModels() {
        ComputeBackend backend = new NamedBackend("a");
        ModelSpec first = ModelSpec.random("block1_conv1", 1);
        CompiledModel model = ExecutorModels.get(first, backend);
        assertSame(model, ExecutorModels.get(first, backend), "a second task of the job reuses the model");
        assertNotSame(model, ExecutorModels.get(first, new NamedBackend("b")), "another backend, another model");

        for (int seed = 2; seed < 6; seed++) {
            ExecutorModels.get(ModelSpec.random("block1_conv1", seed), backend);
            assertTrue(ExecutorModels.cached() <= ExecutorModels.CAPACITY, "cache grew to " + ExecutorModels.cached());
        }
        assertEquals(ExecutorModels.CAPACITY, ExecutorModels.cached());
        assertNotSame(model, ExecutorModels.get(first, backend), "the least recently used model was dropped");
    }
}
