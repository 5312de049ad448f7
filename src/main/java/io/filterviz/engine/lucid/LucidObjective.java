package io.filterviz.engine.lucid;

import io.filterviz.engine.FilterObjective;

/**
 * What the Lucid render loop asks of the network at each step: {@link FilterObjective#lossAndGradient} plus which
 * ReLU gradient to back-propagate: the plain one, or Lucid's redirected one ({@link RedirectedRelu}, its first 17
 * steps). The objectives of the oneDNN, reference and nd4j engines implement it; {@link #of} takes any objective
 * and serves one that has only the plain gradient through {@link #plain}, which refuses a request for the redirected
 * one rather than quietly giving the plain one ({@link io.filterviz.engine.ComputeBackend#redirectsReluGradients}
 * tells the driver beforehand).
 */
@FunctionalInterface
public interface LucidObjective {

    enum ReluGradient { PLAIN, REDIRECTED }

    /** As {@link FilterObjective#lossAndGradient}: image channels-first, 0–255 pixel units; returns the target's mean. */
    float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient, ReluGradient relu);

    /** The objective itself when it has the redirected gradient, else {@link #plain} of it. */
    static LucidObjective of(FilterObjective objective) {
        return objective instanceof LucidObjective lucid ? lucid : plain(objective);
    }

    static LucidObjective plain(FilterObjective objective) {
        return (image, width, height, filter, gradient, relu) -> {
            if (relu != ReluGradient.PLAIN) {
                throw new UnsupportedOperationException("this engine has no redirected ReLU gradient, which the lucid preset needs over its first steps");
            }
            return objective.lossAndGradient(image, width, height, filter, gradient);
        };
    }
}
