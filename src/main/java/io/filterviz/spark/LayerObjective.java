package io.filterviz.spark;

import io.filterviz.engine.CompiledModel;
import io.filterviz.engine.FilterObjective;

/**
 * A task's objective for the layer it is rendering: one open at a time. When the layer changes, the previous
 * layer's objective (its primitive chains and working buffers, hundreds of MB at the default sizes) is closed
 * before the next is built, so a partition that spans the atlas holds one layer's memory, not one per layer.
 */
final class LayerObjective implements AutoCloseable {
    private final CompiledModel model;
    private final int threads;
    private String layer;
    private FilterObjective objective;

    LayerObjective(CompiledModel model, int threads) {
        this.model = model;
        this.threads = threads;
    }

    FilterObjective forLayer(String layer) {
        if (!layer.equals(this.layer)) {
            close();
            objective = model.newObjective(layer, threads);
            this.layer = layer;
        }
        return objective;
    }

    @Override
    public void close() {
        if (objective != null) objective.close();
        objective = null;
        layer = null;
    }
}
