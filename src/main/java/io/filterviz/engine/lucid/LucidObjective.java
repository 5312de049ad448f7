package io.filterviz.engine.lucid;

import io.filterviz.engine.FilterObjective;

/**
 * What the Lucid render loop asks of the network at each step: {@link FilterObjective#lossAndGradient} plus which
 * ReLU gradient to back-propagate. This is the seam for Lucid's redirected ReLU gradient (its first 17 steps): a
 * backend that implements it implements this interface; {@link #plain} serves every backend that has only the plain
 * gradient, and refuses a request for the redirected one rather than quietly giving the plain one.
 */
@FunctionalInterface
public interface LucidObjective {

    enum ReluGradient { PLAIN, REDIRECTED }

    /** As {@link FilterObjective#lossAndGradient}: image channels-first, 0–255 pixel units; returns the target's mean. */
    float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient, ReluGradient relu);

    static LucidObjective plain(FilterObjective objective) {
        return (image, width, height, filter, gradient, relu) -> {
            if (relu != ReluGradient.PLAIN) {
                throw new UnsupportedOperationException("this compute path has no redirected ReLU gradient yet");
            }
            return objective.lossAndGradient(image, width, height, filter, gradient);
        };
    }
}
