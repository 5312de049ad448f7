package io.filterviz.engine;

import io.filterviz.model.graph.Graph;

import java.io.Serializable;

/**
 * Turns weights into a runnable model. Backends live in {@code engine/<name>/}; the composition root
 * ({@code app/}) picks one, so adding a backend edits nothing here.
 */
public interface ComputeBackend extends Serializable {
    /** @param graph the network up to the deepest tensor any objective will target */
    CompiledModel compile(Graph graph);

    /**
     * Which convolution algorithm it runs, as run.json's recipe records it: Winograd is a different rounding of the
     * same sums, so pictures made with and without it are not mixed in one folder.
     */
    default String convolutions() { return "direct"; }

    /**
     * Whether its objectives back-propagate Lucid's redirected ReLU gradient on request
     * ({@link io.filterviz.engine.lucid.LucidObjective}), which the lucid preset needs over its first steps.
     */
    default boolean redirectsReluGradients() { return false; }
}
