package io.filterviz.engine.nd4j;

import io.filterviz.engine.CompiledModel;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.model.KerasVgg;
import io.filterviz.model.graph.Graph;

/** libnd4j ops on the CPU (the oneDNN + AVX-512 build when the machine has it). */
public final class Nd4jBackend implements ComputeBackend {
    private static final long serialVersionUID = 1L;

    @Override
    public CompiledModel compile(Graph graph) {
        return new Nd4jModel(KerasVgg.weights(graph.withWeights()));
    }

    @Override
    public boolean redirectsReluGradients() { return true; }

    /** Stateless: every instance compiles the same model (the executor cache keys on the backend). */
    @Override
    public boolean equals(Object o) { return o instanceof Nd4jBackend; }

    @Override
    public int hashCode() { return Nd4jBackend.class.hashCode(); }

    @Override
    public String toString() { return "nd4j-fp32"; }
}
