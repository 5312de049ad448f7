package io.filterviz.engine.onednn;

import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.lucid.LucidObjective;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Shape;
import org.bytedeco.dnnl.dnnl_stream;

import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_destroy;

/**
 * One task's compute path through oneDNN for one target: a stream, a primitive chain per image size and batch size
 * (built on first use and kept: the Keras schedule revisits the same nine sizes for every filter), and the buffers
 * those chains share. The model's cache of reordered weights is keyed by (node, layout), the chains by (size, batch,
 * {@link ChainKind}): the Lucid recipe's steps, plain and redirected, run chains of their own, so the Keras recipe's
 * stay as they were.
 */
final class OnednnFilterObjective implements FilterObjective, LucidObjective {
    private final OnednnModel model;
    private final Graph cut;
    private final String target;
    private final int filters;
    private final int threads;
    private final dnnl_stream stream;
    private final Arenas arenas = new Arenas();
    private final Map<ChainKey, PrimitiveChain> chains = new HashMap<>();
    /** The chains run since {@link #takeKernels} was last called. */
    private final Set<PrimitiveChain> used = Collections.newSetFromMap(new IdentityHashMap<>());

    /** @param cut the graph up to {@code target} */
    OnednnFilterObjective(OnednnModel model, Graph cut, String target, int threads) {
        Shape shape = cut.smallestShape(target);
        if (shape == null) throw new IllegalArgumentException(target + " has no output for any input size up to 4096 px");
        this.model = model;
        this.cut = cut;
        this.target = target;
        this.filters = shape.channels();
        this.threads = threads;
        this.stream = Dnnl.stream(model.engine());
    }

    @Override
    public float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient) {
        return lossesAndGradients(new float[][]{image}, width, height, new int[]{filter}, new float[][]{gradient})[0];
    }

    @Override
    public float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient, ReluGradient relu) {
        return lossesAndGradients(new float[][]{image}, width, height, new int[]{filter}, new float[][]{gradient}, relu)[0];
    }

    /** The batch in one pass: one chain per (size, batch size). */
    @Override
    public float[] lossesAndGradients(float[][] images, int width, int height, int[] filters, float[][] gradients) {
        return lossesAndGradients(images, width, height, filters, gradients, ChainKind.KERAS);
    }

    /** The batch in one pass for the Lucid recipe, with the ReLU gradient asked for: the redirected rule holds per image. */
    float[] lossesAndGradients(float[][] images, int width, int height, int[] filters, float[][] gradients,
                               ReluGradient relu) {
        return lossesAndGradients(images, width, height, filters, gradients,
                relu == ReluGradient.REDIRECTED ? ChainKind.LUCID_REDIRECTED : ChainKind.LUCID);
    }

    private float[] lossesAndGradients(float[][] images, int width, int height, int[] filters, float[][] gradients,
                                       ChainKind kind) {
        int batch = filters.length;
        if (batch < 1 || images.length != batch || gradients.length != batch) {
            throw new IllegalArgumentException("need as many images and gradients as filters (at least one)");
        }
        int channels = cut.inputChannels();
        for (int b = 0; b < batch; b++) {
            if (filters[b] < 0 || filters[b] >= this.filters) {
                throw new IllegalArgumentException("filter " + filters[b] + " not in [0, " + this.filters + ")");
            }
            if (images[b].length != channels * width * height || gradients[b].length != images[b].length) {
                throw new IllegalArgumentException("image and gradient must hold " + channels + " × " + height + " × "
                        + width + " values");
            }
        }
        OpenMpThreads.limitCallingThread(threads);
        PrimitiveChain chain = chains.computeIfAbsent(new ChainKey(width, height, batch, kind),
                k -> new PrimitiveChain(model, cut, target, width, height, batch, kind));
        used.add(chain);
        return chain.run(arenas, stream, images, filters, gradients);
    }

    @Override
    public int filters() { return filters; }

    /** The implementations oneDNN picked for the chains built so far (tests: which convolutions ran as Winograd). */
    List<String> implementations() {
        return chains.values().stream().flatMap(chain -> chain.implementations().stream()).toList();
    }

    @Override
    public String takeKernels() {
        String signature = KernelSignature.of(used.stream().flatMap(chain -> chain.implementations().stream()).toList());
        used.clear();
        return signature;
    }

    @Override
    public void close() {
        chains.values().forEach(PrimitiveChain::close);
        chains.clear();
        arenas.close();
        dnnl_stream_destroy(stream);
    }

    private record ChainKey(int width, int height, int batch, ChainKind kind) {}
}
