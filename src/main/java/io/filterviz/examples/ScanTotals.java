package io.filterviz.examples;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What a scan of some images produced: the top examples, how many images were scanned and how many files were skipped
 * (with the first few reasons, for the one line the user reads). Mergeable: a partition's value, then the whole job's.
 */
public final class ScanTotals implements Serializable {
    private static final long serialVersionUID = 1L;
    /** How many skipped files the summary names. */
    static final int NAMED_SKIPS = 3;

    private final TopExamples top;
    private long scanned;
    private long skipped;
    private final List<String> skipReasons = new ArrayList<>();

    public ScanTotals(int k) { this.top = new TopExamples(k); }

    public TopExamples top() { return top; }

    public long scanned() { return scanned; }

    public long skipped() { return skipped; }

    /** "path: why" for the first few skipped files, smallest paths first (so it does not depend on partitioning). */
    public List<String> skipReasons() { return List.copyOf(skipReasons); }

    public void scannedOne(String image, List<ChannelPeaks> peaks) {
        top.offer(image, peaks);
        scanned++;
    }

    /** {@code images} scanned straight into {@link #top} ({@link ActivationScan#scanInto}). */
    public void scanned(int images) { scanned += images; }

    public void skippedOne(String image, String why) {
        skipped++;
        addReason(image + ": " + why);
    }

    private void addReason(String reason) {
        skipReasons.add(reason);
        skipReasons.sort(null);
        if (skipReasons.size() > NAMED_SKIPS) skipReasons.remove(skipReasons.size() - 1);
    }

    public ScanTotals merge(ScanTotals other) {
        top.merge(other.top);
        scanned += other.scanned;
        skipped += other.skipped;
        other.skipReasons.forEach(this::addReason);
        return this;
    }
}
