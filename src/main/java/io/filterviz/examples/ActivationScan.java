package io.filterviz.examples;

import java.util.List;

/**
 * Forward only: one image through the network up to the target tensors, and for each target the peak of every
 * channel (a vector's unit values). Engines implement it: {@link ReferenceScan} in double precision, a fast engine
 * later behind the same interface. An instance is used by one thread at a time.
 */
public interface ActivationScan extends AutoCloseable {

    /** The target tensors, in the order {@link #scan} returns them. */
    List<String> targets();

    /**
     * @param pixels the network's input in pixel units (0–255), C × H × W channels first, before the model's
     *               preprocessing (the scan applies it)
     */
    List<ChannelPeaks> scan(float[] pixels, int height, int width);

    @Override
    default void close() {}
}
