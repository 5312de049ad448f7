package io.filterviz.engine;

/**
 * The compute path: the objective's value at an image and its gradient with respect to that image. The objective
 * is the mean of one channel of the target tensor when it is an image (C×H×W: a filter's mean activation), or one
 * unit's value when it is a vector (a dense layer, a class logit). Implementations may keep buffers between calls,
 * so an instance serves one thread.
 */
public interface FilterObjective extends AutoCloseable {

    /**
     * @param image    the input, channels-first (C × height × width, C the network's input channels), in pixel
     *                 units (0–255) as the Keras example feeds them; the model's preprocessing is part of the graph
     * @param filter   the channel (or unit) of the target
     * @param gradient receives d loss / d image, same layout and length as {@code image}
     * @return the loss: the channel's mean, or the unit's value
     */
    float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient);

    /**
     * One step for several images at once, image i ascending {@code filters[i]} (a batch: a backend may run it as
     * one pass). The same as calling {@link #lossAndGradient} for each image, which is what this default does.
     *
     * @return the losses, one per image
     */
    default float[] lossesAndGradients(float[][] images, int width, int height, int[] filters, float[][] gradients) {
        float[] losses = new float[images.length];
        for (int i = 0; i < images.length; i++) {
            losses[i] = lossAndGradient(images[i], width, height, filters[i], gradients[i]);
        }
        return losses;
    }

    /** Number of channels (or units) of the target. */
    int filters();

    /**
     * The kernels that computed the steps since this objective was made or since this was last called, and a new
     * record from here on: what results record per filter, so that two runs or two executors that differ in bits can
     * be told apart (oneDNN: its instruction set and implementations, {@code engine.onednn.KernelSignature}).
     */
    default String takeKernels() { return "unrecorded"; }

    @Override
    default void close() {}
}
