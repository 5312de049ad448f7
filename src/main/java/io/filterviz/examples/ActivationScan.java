package io.filterviz.examples;

import java.util.List;

/**
 * Forward only: one image through the network up to the target tensors, and for each target the peak of every
 * channel (a vector's unit values). Engines implement it: {@link ReferenceScan} in double precision (the oracle),
 * {@link OnednnScan} in float, several images per pass. An instance is used by one thread at a time.
 */
public interface ActivationScan extends AutoCloseable {

    /** The target tensors, in the order {@link #scan} returns them. */
    List<String> targets();

    /**
     * @param pixels the network's input in pixel units (0–255), C × H × W channels first, before the model's
     *               preprocessing (the scan applies it)
     */
    List<ChannelPeaks> scan(float[] pixels, int height, int width);

    /** Images of one size that one pass takes best (several where the engine is faster so). */
    default int batch() { return 1; }

    /** Several images of one size ({@link #batch} at most): each one's answer, in order. */
    default List<List<ChannelPeaks>> scan(List<float[]> images, int height, int width) {
        List<List<ChannelPeaks>> out = new java.util.ArrayList<>(images.size());
        for (float[] image : images) out.add(scan(image, height, width));
        return out;
    }

    /**
     * Several images of one size ({@link #batch} at most), each one's peaks offered to {@code top} under its path, in
     * the order of {@link #scan}'s answers: the same {@code top} as offering those. An engine may skip finding the
     * position of a channel whose maximum {@code top} would not keep ({@link TopExamples#mightKeep}).
     */
    default void scanInto(List<String> paths, List<float[]> images, int height, int width, TopExamples top) {
        List<List<ChannelPeaks>> peaks = scan(images, height, width);
        for (int i = 0; i < peaks.size(); i++) top.offer(paths.get(i), peaks.get(i));
    }

    @Override
    default void close() {}
}
