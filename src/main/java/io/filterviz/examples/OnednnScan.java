package io.filterviz.examples;

import io.filterviz.engine.onednn.OnednnForward;
import io.filterviz.engine.onednn.OnednnModel;
import io.filterviz.model.graph.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link ActivationScan} on oneDNN: forward only, single precision, {@link #batch} images of one size per pass;
 * {@link #scan} finds the peaks in Java from each target's plain values, {@link #scanInto} (what a collection's scan
 * runs) from oneDNN's channel maxima. {@link ReferenceScan} is its oracle (OnednnScanAgreementTest).
 */
public final class OnednnScan implements ActivationScan {
    private final OnednnForward forward;
    private final int batch;
    private int[] where = new int[0];

    /**
     * @param model the network with its preprocessing prepended, compiled for oneDNN (shared by a JVM's tasks)
     * @param threads OpenMP threads per pass (0: OpenMP's default)
     */
    public OnednnScan(OnednnModel model, List<String> targets, int batch, int threads) {
        if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        this.forward = model.newForward(targets, threads);
        this.batch = batch;
    }

    @Override
    public List<String> targets() { return forward.targets(); }

    @Override
    public int batch() { return batch; }

    @Override
    public List<ChannelPeaks> scan(float[] pixels, int height, int width) {
        return scan(List.of(pixels), height, width).get(0);
    }

    @Override
    public List<List<ChannelPeaks>> scan(List<float[]> images, int height, int width) {
        ChannelPeaks[][] peaks = new ChannelPeaks[images.size()][targets().size()];
        for (int from = 0; from < images.size(); from += batch) {
            int at = from;
            forward.forward(images.subList(from, Math.min(images.size(), from + batch)), width, height,
                    (b, t, shape, values) -> peaks[at + b][t] = ChannelPeaks.of(targets().get(t), shape, values));
        }
        List<List<ChannelPeaks>> out = new ArrayList<>(images.size());
        for (ChannelPeaks[] p : peaks) out.add(Arrays.asList(p));
        return out;
    }

    /**
     * Each channel's maximum and its position from oneDNN (a max pool over the plane right after each target layer,
     * in the layout the layer left: its workspace holds the first position in row order, as the plain search finds
     * it); Java reads a channel's position and value only when {@code top} might keep its maximum, which after the
     * first k images is rare (about k·ln(n/k) of n images enter a filter's top k), and searches the plane itself only
     * when the pool's answer is not a number or its position does not hold it. So {@code top} ends exactly as with
     * {@link #scan}'s answers (OnednnScanAgreementTest). One caveat: a channel holding NaNs (a broken network) is
     * judged by the pool's maximum, which may ignore values next to a NaN.
     */
    @Override
    public void scanInto(List<String> paths, List<float[]> images, int height, int width, TopExamples top) {
        TopExamples.Floors[] floors = new TopExamples.Floors[targets().size()];
        for (int t = 0; t < floors.length; t++) floors[t] = top.floors(targets().get(t));
        int[] at = new int[1];
        for (int from = 0; from < images.size(); from += batch) {
            int first = from;
            forward.peaks(images.subList(from, Math.min(images.size(), from + batch)), width, height, (b, t, peaks) -> {
                String image = paths.get(first + b), tensor = targets().get(t);
                Shape shape = peaks.shape();
                float[] maxima = peaks.maxima();
                int channels = shape.channels();
                if (where.length < channels) where = new int[channels];
                boolean known = false, asked = false;
                for (int c = 0; c < channels; c++) {
                    if (!floors[t].mightKeep(c, maxima[c], image)) continue;
                    if (!asked) {
                        known = peaks.positions(where);
                        asked = true;
                    }
                    float score = Float.NaN;
                    int p = known ? where[c] : -1;
                    if (p >= 0 && p < shape.height() * shape.width()) score = peaks.valueAt(c, p);
                    // the pool's answer when it is a number and its position holds it, else Java's search (NaNs)
                    if (p < 0 || score != score || Float.floatToRawIntBits(score) != Float.floatToRawIntBits(maxima[c])) {
                        score = peaks.locate(c, at);
                        p = at[0];
                    }
                    top.offer(tensor, c, shape.vector() ? new Example(image, score, -1, -1)
                            : new Example(image, score, p % shape.width(), p / shape.width()));
                }
            });
        }
    }

    @Override
    public void close() { forward.close(); }
}
