package io.filterviz.engine.onednn;

import io.filterviz.engine.FilterObjective;
import org.bytedeco.dnnl.dnnl_stream;

import java.util.HashMap;
import java.util.Map;

import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_destroy;

/**
 * One task's compute path through oneDNN: a stream, a primitive chain per image size (built on first use and
 * kept: the seed's schedule revisits the same nine sizes for every filter), and the buffers those chains share.
 */
final class OnednnFilterObjective implements FilterObjective {
    private final OnednnModel model;
    private final int threads;
    private final dnnl_stream stream;
    private final Arenas arenas = new Arenas();
    private final Map<Long, PrimitiveChain> chains = new HashMap<>();
    private int cachedFilter = -1;
    private float[] filterKernel;

    OnednnFilterObjective(OnednnModel model, int threads) {
        this.model = model;
        this.threads = threads;
        this.stream = Dnnl.stream(model.engine());
    }

    @Override
    public float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient) {
        if (filter < 0 || filter >= model.filters()) {
            throw new IllegalArgumentException("filter " + filter + " not in [0, " + model.filters() + ")");
        }
        if (image.length != 3 * width * height || gradient.length != image.length) {
            throw new IllegalArgumentException("image and gradient must hold 3 × " + height + " × " + width + " values");
        }
        OpenMpThreads.limitCallingThread(threads);
        PrimitiveChain chain = chains.computeIfAbsent(((long) height << 32) | width,
                k -> new PrimitiveChain(model, width, height));
        if (filter != cachedFilter) {
            int size = chain.targetInChannels() * 9;
            filterKernel = new float[size];
            System.arraycopy(model.kernel(model.target()), filter * size, filterKernel, 0, size);
            cachedFilter = filter;
        }
        return chain.run(arenas, stream, image, filterKernel, model.bias(model.target())[filter], gradient);
    }

    @Override
    public int filters() { return model.filters(); }

    /** Which oneDNN implementation runs each primitive of the chain for this size, in order (for the bench). */
    java.util.List<String> implementations(int width, int height) {
        return chains.computeIfAbsent(((long) height << 32) | width, k -> new PrimitiveChain(model, width, height))
                .implementations();
    }

    @Override
    public void close() {
        chains.values().forEach(PrimitiveChain::close);
        chains.clear();
        arenas.close();
        dnnl_stream_destroy(stream);
    }
}
