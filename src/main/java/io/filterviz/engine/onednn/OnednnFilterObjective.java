package io.filterviz.engine.onednn;

import io.filterviz.engine.FilterObjective;
import org.bytedeco.dnnl.dnnl_stream;

import io.filterviz.model.LayerSpec;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_destroy;

/**
 * One task's compute path through oneDNN for one target layer: a stream, a primitive chain per image size and batch size (built
 * on first use and kept: the Keras schedule revisits the same nine sizes for every filter), and the buffers those
 * chains share. The model's cache of reordered weights is keyed by (layer, layout), the chains by (size, batch) (the target is the objective's).
 */
final class OnednnFilterObjective implements FilterObjective {
    private final OnednnModel model;
    private final List<LayerSpec> layers;
    private final String target;
    private final int filters;
    private final int threads;
    private final dnnl_stream stream;
    private final Arenas arenas = new Arenas();
    private final Map<ChainKey, PrimitiveChain> chains = new HashMap<>();
    private int[] cachedFilters;
    private float[] filterKernels;
    private float[] filterBiases;

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
        return lossesAndGradients(new float[][]{image}, width, height, new int[]{filter}, new float[][]{gradient})[0];
    }

    /** The batch in one pass: one chain per (size, batch size), its target convolution holding the batch's filters. */
    @Override
    public float[] lossesAndGradients(float[][] images, int width, int height, int[] filters, float[][] gradients) {
        int batch = filters.length;
        if (batch < 1 || images.length != batch || gradients.length != batch) {
            throw new IllegalArgumentException("need as many images and gradients as filters (at least one)");
        }
        for (int b = 0; b < batch; b++) {
            if (filters[b] < 0 || filters[b] >= this.filters) {
                throw new IllegalArgumentException("filter " + filters[b] + " not in [0, " + this.filters + ")");
            }
            if (images[b].length != 3 * width * height || gradients[b].length != images[b].length) {
                throw new IllegalArgumentException("image and gradient must hold 3 × " + height + " × " + width + " values");
            }
        }
        OpenMpThreads.limitCallingThread(threads);
        PrimitiveChain chain = chains.computeIfAbsent(new ChainKey(width, height, batch),
                k -> new PrimitiveChain(model, layers, width, height, batch));
        if (!Arrays.equals(filters, cachedFilters)) {
            int size = chain.targetInChannels() * 9;
            filterKernels = new float[size * batch];
            filterBiases = new float[batch];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(model.kernel(target), filters[b] * size, filterKernels, b * size, size);
                filterBiases[b] = model.bias(target)[filters[b]];
            }
            cachedFilters = filters.clone();
        }
        return chain.run(arenas, stream, images, filterKernels, filterBiases, gradients);
    }

    @Override
    public int filters() { return filters; }

    /** The implementations oneDNN picked for the chains built so far (tests: which convolutions ran as Winograd). */
    List<String> implementations() {
        return chains.values().stream().flatMap(chain -> chain.implementations().stream()).toList();
    }

    @Override
    public void close() {
        chains.values().forEach(PrimitiveChain::close);
        chains.clear();
        arenas.close();
        dnnl_stream_destroy(stream);
    }

    private record ChainKey(int width, int height, int batch) {}
}
