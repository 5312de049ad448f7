package io.filterviz.engine.onednn;

import io.filterviz.engine.FilterObjective;
import org.bytedeco.dnnl.dnnl_stream;

import io.filterviz.model.LayerSpec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_destroy;

/**
 * One task's compute path through oneDNN for one target layer: a stream, a primitive chain per image size (built
 * on first use and kept: the Keras schedule revisits the same nine sizes for every filter), and the buffers those
 * chains share. The model's cache of reordered weights is keyed by (layer, layout), the chains by (target, size).
 */
final class OnednnFilterObjective implements FilterObjective {
    private final OnednnModel model;
    private final List<LayerSpec> layers;
    private final String target;
    private final int filters;
    private final int threads;
    private final dnnl_stream stream;
    private final Arenas arenas = new Arenas();
    private final Map<Long, PrimitiveChain> chains = new HashMap<>();
    private int cachedFilter = -1;
    private float[] filterKernel;

    /** @param layers the layers up to the target, the target last */
    OnednnFilterObjective(OnednnModel model, List<LayerSpec> layers, int threads) {
        this.model = model;
        this.layers = layers;
        this.target = layers.get(layers.size() - 1).name();
        this.filters = layers.get(layers.size() - 1).outChannels();
        this.threads = threads;
        this.stream = Dnnl.stream(model.engine());
    }

    @Override
    public float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient) {
        if (filter < 0 || filter >= filters) {
            throw new IllegalArgumentException("filter " + filter + " not in [0, " + filters + ")");
        }
        if (image.length != 3 * width * height || gradient.length != image.length) {
            throw new IllegalArgumentException("image and gradient must hold 3 × " + height + " × " + width + " values");
        }
        OpenMpThreads.limitCallingThread(threads);
        PrimitiveChain chain = chains.computeIfAbsent(((long) height << 32) | width,
                k -> new PrimitiveChain(model, layers, width, height));
        if (filter != cachedFilter) {
            int size = chain.targetInChannels() * 9;
            filterKernel = new float[size];
            System.arraycopy(model.kernel(target), filter * size, filterKernel, 0, size);
            cachedFilter = filter;
        }
        return chain.run(arenas, stream, image, filterKernel, model.bias(target)[filter], gradient);
    }

    @Override
    public int filters() { return filters; }

    @Override
    public void close() {
        chains.values().forEach(PrimitiveChain::close);
        chains.clear();
        arenas.close();
        dnnl_stream_destroy(stream);
    }
}
