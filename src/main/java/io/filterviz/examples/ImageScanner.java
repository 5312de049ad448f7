package io.filterviz.examples;

import io.filterviz.model.graph.ShapeException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One image file after another into an {@link ActivationScan}: decode, resize where asked, convert to the network's
 * channels, forward, keep the peaks in a {@link ScanTotals}. Images wait in a group of their size until the scan's
 * batch is full; a few groups at most wait at once (a collection of many sizes flushes them early), and
 * {@link #finish} sends what is left. A file that is not a readable image, or one the network cannot take, is skipped
 * and counted, never fatal.
 */
public final class ImageScanner {
    /** Images waiting at most, in batches of the scan: bounds the memory of a collection of many sizes. */
    private static final int WAITING_BATCHES = 4;

    private final ActivationScan scan;
    private final int channels;
    private final InputSize size;
    private final Map<List<Integer>, Group> waiting = new LinkedHashMap<>();
    private int waitingImages;

    public ImageScanner(ActivationScan scan, int networkChannels, InputSize size) {
        this.scan = scan;
        this.channels = networkChannels;
        this.size = size;
    }

    private record Group(int width, int height, List<String> paths, List<float[]> images) {}

    public void accept(String path, byte[] bytes, ScanTotals totals) {
        ScanImage image;
        try {
            image = size.apply(ScanImage.decode(bytes));
        } catch (ScanImage.UnreadableImageException e) {
            totals.skippedOne(path, e.getMessage());
            return;
        }
        Group group = waiting.computeIfAbsent(List.of(image.width(), image.height()),
                k -> new Group(image.width(), image.height(), new ArrayList<>(), new ArrayList<>()));
        group.paths().add(path);
        group.images().add(image.toNetwork(channels));
        waitingImages++;
        if (group.paths().size() >= scan.batch()) {
            flush(group, totals);
        } else if (waitingImages >= WAITING_BATCHES * scan.batch()) {
            finish(totals);
        }
    }

    /** Scans the images still waiting. */
    public void finish(ScanTotals totals) {
        for (Group group : List.copyOf(waiting.values())) flush(group, totals);
    }

    private void flush(Group group, ScanTotals totals) {
        waiting.remove(List.of(group.width(), group.height()));
        waitingImages -= group.paths().size();
        try {
            scan.scanInto(group.paths(), group.images(), group.height(), group.width(), totals.top());
        } catch (ShapeException e) {
            for (String path : group.paths()) {
                totals.skippedOne(path, group.width() + "×" + group.height() + " px is too small for the network ("
                        + e.getMessage() + ")");
            }
            return;
        }
        totals.scanned(group.paths().size());
    }
}
