package io.filterviz.examples;

import io.filterviz.engine.onednn.OnednnForward;
import io.filterviz.engine.onednn.OnednnModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link ActivationScan} on oneDNN: forward only, single precision, {@link #batch} images of one size per pass, the
 * peaks found in Java from each target's plain values. {@link ReferenceScan} is its oracle (OnednnScanAgreementTest).
 */
public final class OnednnScan implements ActivationScan {
    private final OnednnForward forward;
    private final int batch;

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

    @Override
    public void close() { forward.close(); }
}
