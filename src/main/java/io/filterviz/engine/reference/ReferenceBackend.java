package io.filterviz.engine.reference;

import io.filterviz.engine.CompiledModel;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.engine.FilterObjective;
import io.filterviz.model.graph.Graph;

/**
 * The reference graph as an engine (--engine reference): any graph, double precision, plain loops, one thread.
 * Tens of times slower than oneDNN; it is the oracle, and runs every operator the loaders produce.
 */
public final class ReferenceBackend implements ComputeBackend {
    private static final long serialVersionUID = 1L;

    @Override
    public CompiledModel compile(Graph graph) {
        graph.withWeights();
        return new CompiledModel() {
            @Override
            public FilterObjective newObjective(String layer, int threads) {
                return new ReferenceObjective(graph, layer);
            }

            @Override
            public String deepest() {
                return graph.tensors().get(graph.tensors().size() - 1);
            }
        };
    }

    @Override
    public boolean redirectsReluGradients() { return true; }

    @Override
    public boolean equals(Object o) { return o instanceof ReferenceBackend; }

    @Override
    public int hashCode() { return ReferenceBackend.class.hashCode(); }

    @Override
    public String toString() { return "reference-fp64"; }
}
