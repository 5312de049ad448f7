package io.filterviz.engine;

/**
 * The compute path: the objective's value at an image and its gradient with respect to that image. The
 * objective is the mean activation (after ReLU) of one filter of the target layer. Implementations may keep
 * buffers between calls, so an instance serves one thread.
 */
public interface FilterObjective extends AutoCloseable {

    /**
     * @param image    the input, channels-first (3 × height × width), raw values as the Keras example feeds them
     * @param filter   the filter (output channel) of the target layer
     * @param gradient receives d loss / d image, same layout and length as {@code image}
     * @return the loss: mean activation of the filter
     */
    float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient);

    /** Number of filters of the target layer. */
    int filters();

    @Override
    default void close() {}
}
