package io.filterviz.job;

import java.io.Serializable;

/**
 * A tensor chosen for visualisation, as the driver found it in the graph.
 *
 * @param name      the tensor's name (what --layer resolved to)
 * @param channels  its channels (a C×H×W image) or units (a vector): the filters there are to visualise
 * @param vector    a 2-D tensor (dense layer, logits): the objective is one unit's value, not a channel's mean
 * @param earlyExit the target cannot be negative by construction, so a loss ≤ 1e−7 means a dead filter
 */
public record TargetLayer(String name, int channels, boolean vector, boolean earlyExit) implements Serializable {
    /** "filters" of a convolution, "units" of a vector, for messages. */
    public String unitsWord() { return vector ? "units" : "filters"; }
}
