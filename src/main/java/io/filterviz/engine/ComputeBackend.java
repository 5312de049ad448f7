package io.filterviz.engine;

import io.filterviz.engine.nd4j.Nd4jBackend;
import io.filterviz.model.NetworkWeights;

import java.io.Serializable;

/** Turns weights into a runnable model. The rest of the tool sees only this, so a faster path drops in here. */
public interface ComputeBackend extends Serializable {
    CompiledModel compile(NetworkWeights weights);

    static ComputeBackend standard() {
        return new Nd4jBackend();
    }
}
