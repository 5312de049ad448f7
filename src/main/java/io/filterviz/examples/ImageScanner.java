package io.filterviz.examples;

import io.filterviz.model.graph.ShapeException;

import java.util.List;

/**
 * One image file after another into an {@link ActivationScan}: decode, resize where asked, convert to the network's
 * channels, forward, keep the peaks in a {@link ScanTotals}. A file that is not a readable image, or one the network
 * cannot take, is skipped and counted, never fatal.
 */
public final class ImageScanner {
    private final ActivationScan scan;
    private final int channels;
    private final InputSize size;

    public ImageScanner(ActivationScan scan, int networkChannels, InputSize size) {
        this.scan = scan;
        this.channels = networkChannels;
        this.size = size;
    }

    public void accept(String path, byte[] bytes, ScanTotals totals) {
        ScanImage image;
        try {
            image = size.apply(ScanImage.decode(bytes));
        } catch (ScanImage.UnreadableImageException e) {
            totals.skippedOne(path, e.getMessage());
            return;
        }
        List<ChannelPeaks> peaks;
        try {
            peaks = scan.scan(image.toNetwork(channels), image.height(), image.width());
        } catch (ShapeException e) {
            totals.skippedOne(path, image.width() + "×" + image.height() + " px is too small for the network ("
                    + e.getMessage() + ")");
            return;
        }
        totals.scannedOne(path, peaks);
    }
}
