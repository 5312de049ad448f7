package io.filterviz.engine.onednn;

import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Shape;
import org.bytedeco.dnnl.dnnl_stream;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_destroy;

/**
 * Forward passes to several target tensors for one thread: a stream, a {@link ForwardChain} per (image size, batch)
 * built on first use, the least recently used closed beyond {@value #CHAINS} (a collection of many sizes must not
 * hold a chain for each), and the buffers the chains share. Images of one size go through together, a batch at a time.
 */
public final class OnednnForward implements AutoCloseable {
    /** Chains kept at once. */
    static final int CHAINS = 8;

    /** What the caller does with one image's values of one target (C × H × W channels first, or a vector). */
    public interface TargetConsumer {
        void accept(int image, int target, Shape shape, float[] values);
    }

    /**
     * One image's one target, read after a pass in peaks mode: every channel's maximum at once, and on request where
     * a channel peaks (what a scan needs only for the few channels whose maximum may enter its top k).
     */
    public interface TargetPeaks {
        Shape shape();

        /** Each channel's maximum over positions (a vector's values), {@code shape().channels()} of them. */
        float[] maxima();

        /**
         * The first position in row order (y × width + x) of channel {@code c}'s largest value, NaNs skipped, into
         * {@code at[0]}; returns that value (NaN for a channel of NaNs). Exactly what a search of the plain values does.
         */
        float locate(int c, int[] at);

        /**
         * Where oneDNN's max pool found each channel's maximum (y × width + x; the first in row order), into
         * {@code into}; false when it has none (a vector).
         */
        boolean positions(int[] into);

        /** Channel {@code c}'s value at {@code position} (y × width + x). */
        float valueAt(int c, int position);
    }

    /** What the caller does with one image's peaks of one target. */
    public interface PeaksConsumer {
        void accept(int image, int target, TargetPeaks peaks);
    }

    private final OnednnModel model;
    private final Graph cut;
    private final List<String> targets;
    private final int threads;
    private final dnnl_stream stream;
    private final Arenas arenas = new Arenas();
    private final Map<ChainKey, ForwardChain> chains = new LinkedHashMap<>(16, 0.75f, true);
    private float[] values = new float[0];

    OnednnForward(OnednnModel model, Graph graph, List<String> targets, int threads) {
        this.model = model;
        this.cut = graph.upTo(targets);
        this.targets = List.copyOf(targets);
        this.threads = threads;
        this.stream = Dnnl.stream(model.engine());
    }

    public List<String> targets() { return targets; }

    /**
     * One pass for {@code images} (all {@code width × height}, in the network's input channels, channels first);
     * {@code consumer} gets every image's every target. A size the network cannot take throws
     * {@link io.filterviz.model.graph.ShapeException} before anything runs.
     */
    public void forward(List<float[]> images, int width, int height, TargetConsumer consumer) {
        if (images.isEmpty()) return;
        checkSizes(images, width, height);
        OpenMpThreads.limitCallingThread(threads);
        ForwardChain chain = chain(width, height, images.size());
        chain.run(arenas, stream, images);
        for (int t = 0; t < targets.size(); t++) {
            Shape s = chain.shape(t);
            int n = (int) s.size();
            if (values.length < n) values = new float[n];
            for (int b = 0; b < images.size(); b++) {
                chain.read(t, b, values);
                consumer.accept(b, t, s, values);
            }
        }
    }

    /**
     * One pass for {@code images} as {@link #forward}, but {@code consumer} gets each target's channel maxima, which
     * oneDNN computes right after the layer (a max pool over the whole plane, on as many threads as the pass, whose
     * workspace holds where each maximum is), and a channel's peak position only when asked, in the layout the layer
     * left: no target is copied out whole.
     */
    public void peaks(List<float[]> images, int width, int height, PeaksConsumer consumer) {
        if (images.isEmpty()) return;
        checkSizes(images, width, height);
        OpenMpThreads.limitCallingThread(threads);
        ForwardChain chain = chain(width, height, images.size(), true);
        chain.run(arenas, stream, images);
        for (int b = 0; b < images.size(); b++) {
            for (int t = 0; t < targets.size(); t++) {
                Shape s = chain.shape(t);
                if (values.length < s.channels()) values = new float[Math.max(s.channels(), 2 * values.length)];
                chain.maxima(t, b, values);
                int image = b, target = t;
                float[] maxima = values;
                consumer.accept(b, t, new TargetPeaks() {
                    @Override
                    public Shape shape() { return s; }

                    @Override
                    public float[] maxima() { return maxima; }

                    @Override
                    public float locate(int c, int[] at) { return chain.locate(target, image, c, at); }

                    @Override
                    public boolean positions(int[] into) { return chain.positions(target, image, into); }

                    @Override
                    public float valueAt(int c, int position) { return chain.valueAt(target, image, c, position); }
                });
            }
        }
    }

    private ForwardChain chain(int width, int height, int batch) { return chain(width, height, batch, false); }

    private ForwardChain chain(int width, int height, int batch, boolean peaks) {
        ChainKey key = new ChainKey(width, height, batch, peaks);
        ForwardChain chain = chains.get(key);
        if (chain != null) return chain;
        cut.shapes(height, width); // a ShapeException for a size the network cannot take, before building
        chain = new ForwardChain(model, cut, targets, width, height, batch, peaks);
        chains.put(key, chain);
        if (chains.size() > CHAINS) {
            var eldest = chains.entrySet().iterator();
            eldest.next().getValue().close();
            eldest.remove();
        }
        return chain;
    }

    /** The chains built and kept (tests: the cache stays bounded). */
    int chainsKept() { return chains.size(); }

    @Override
    public void close() {
        chains.values().forEach(ForwardChain::close);
        chains.clear();
        arenas.close();
        dnnl_stream_destroy(stream);
    }

    private record ChainKey(int width, int height, int batch, boolean peaks) {}

    private void checkSizes(List<float[]> images, int width, int height) {
        int size = cut.inputChannels() * width * height;
        for (float[] image : images) {
            if (image.length != size) {
                throw new IllegalArgumentException("an image must hold " + cut.inputChannels() + " × " + height + " × " + width + " values");
            }
        }
    }
}
