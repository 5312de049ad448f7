package io.filterviz.engine.onednn;

import io.filterviz.engine.onednn.ChainParts.Value;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Shape;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * Every primitive of one step for one (target, image size, batch), built once from the graph cut at the target:
 * the forward pass in topological order (convolutions and Adds with a ReLU that is their only reader fused as a
 * post-op, pools in training mode, element-wise and binary operators, concatenation, inner products), then the input
 * gradient in reverse, with the gradients of a tensor that feeds several nodes summed. How the target is reached is
 * {@link TargetHead}'s choice; each operator family's primitives are a {@link Lowering}'s. Layouts are oneDNN's
 * ({@code format_tag::any}) where a primitive chooses; a reorder is inserted only where two primitives disagree, and
 * at the image's way in and the gradient's way out.
 *
 * <p>Data types: in a bf16 chain every convolution and inner product runs bf16, except those reading the image (or
 * what per-pixel operators such as the preprocessing made of it): pixels near 128 have a bf16 step of 1.0, as large
 * as an ascent step, and rounding them cost up to 27 % of a filter's final loss (PrecisionFidelityTest); those
 * layers are a small part of the FLOPs. Other operators run in the type of their input.
 */
final class PrimitiveChain implements AutoCloseable {
    private final OnednnModel model;
    private final ChainParts parts;
    private final Graph graph;
    private final TargetHead head;
    final int width;
    final int height;
    /** Images per step, each ascending its own filter of the target (the minibatch of every primitive). */
    final int batch;
    private final Shape targetShape;
    private final int targetChannels;
    /** The values of one unit per image: a plane of the target's convolution, or the target's positions. */
    private final int targetPlane;
    private ChainBuild build;
    private Value image;
    private Value gradient;

    /** Whether every ReLU and Clip back-propagates Lucid's redirected gradient (ElementwiseLowering, TargetHead). */
    final boolean redirectRelus;

    PrimitiveChain(OnednnModel model, Graph cut, String target, int width, int height, int batch) {
        this(model, cut, target, width, height, batch, ChainKind.KERAS);
    }

    PrimitiveChain(OnednnModel model, Graph cut, String target, int width, int height, int batch, ChainKind kind) {
        this.model = model;
        this.redirectRelus = kind.redirectRelus;
        this.parts = new ChainParts(model.engine());
        this.graph = cut;
        this.width = width;
        this.height = height;
        this.batch = batch;
        try {
            build = new ChainBuild(model, parts, cut, target, height, width, batch, kind);
            Shape t = build.shapes.get(target);
            this.targetShape = t;
            this.targetChannels = t.channels();
            this.head = build.head;
            this.targetPlane = head.oneChannel() ? t.height() * t.width() : (int) t.positions();
            build(target);
        } catch (RuntimeException | Error e) {
            close(); // free what was built before the failure
            throw e;
        }
    }

    private void build(String target) {
        GraphLowering lowering = new GraphLowering(build);
        image = parts.buffer(Dnnl.md(dnnl_f32, dnnl_nchw, batch, graph.inputChannels(), height, width));
        build.values.put(graph.input(), image);
        for (Node node : graph.nodes()) {
            if (head.oneChannel() && head.after().contains(node)) continue; // done in Java by the head
            if (head.oneChannel() && node == head.conv()) lowering.convolutions.targetConvolution(node);
            else lowering.lower(node);
        }
        parts.label("target");
        if (!head.oneChannel()) {
            dnnl_memory_desc_t plain = Dnnl.plain(dnnl_f32, build.dims(build.shapes.get(target)));
            build.targetOut = parts.reorderIfNeeded(build.forward, build.values.get(target), plain);
            build.seed = parts.buffer(plain);
            build.contribute(target, build.seed);
        }
        build.buildBackward();
        parts.label("image gradient");
        Value g = build.gradientOf(graph.input());
        if (g == null) throw new IllegalStateException("no gradient reaches the input of " + graph.name());
        gradient = parts.reorderIfNeeded(build.backward, g, image.md());
        List<Value> pinned = new ArrayList<>(List.of(image, gradient, build.targetOut, build.seed));
        parts.pack(List.of(build.filterLoad, build.forward, build.backward), pinned);
    }

    /**
     * One step for the batch. Image i (channels × height × width, channels first) ascends channel {@code filters[i]}
     * of the target. Returns each image's loss (the mean of its channel, or its unit of a vector) and writes
     * d loss_i / d image_i into {@code gradientsOut[i]}.
     */
    float[] run(Arenas arenas, dnnl_stream stream, float[][] imagesIn, int[] filters, float[][] gradientsOut) {
        parts.bind(arenas);
        int imageSize = graph.inputChannels() * width * height;
        for (int b = 0; b < batch; b++) image.buffer().floats().position((long) b * imageSize).put(imagesIn[b]);
        if (head.oneChannel() && !java.util.Arrays.equals(filters, loadedFilters)) {
            loadFilters(filters, stream);
            loadedFilters = filters.clone();
        }
        ChainParts.execute(build.forward, stream);
        Dnnl.check(dnnl_stream_wait(stream), "stream_wait");

        float[] losses = new float[batch];
        Value seed = build.seed;
        FloatPointer out = build.targetOut.buffer().floats();
        FloatPointer seedOut = seed.buffer().floats();
        int n = targetPlane;
        float[] plane = new float[n];
        float[] planeSeed = new float[n];
        if (head.oneChannel()) {
            // The target is batch × batch planes (image, filter); image b's loss is its plane b, and only that plane
            // gets a gradient, so the backward pass gives each image the gradient of its own loss.
            Pointer.memset(seed.buffer().pointer(), 0, seed.buffer().bytes);
            for (int b = 0; b < batch; b++) {
                int at = (b * batch + b) * n;
                out.position(at).get(plane);
                losses[b] = (float) head.lossAndSeed(plane, filters[b], planeSeed, redirectRelus);
                seedOut.position(at).put(planeSeed);
            }
        } else {
            // The whole target, plain: image b's unit filters[b] is every value at that index of the unit axis, in
            // runs of `inner` values (the axes after it), one run per index of the axes before it.
            Pointer.memset(seed.buffer().pointer(), 0, seed.buffer().bytes);
            int inner = (int) targetShape.inner(), outer = n / inner;
            long size = targetShape.size();
            float[] run = new float[inner], runSeed = new float[inner];
            java.util.Arrays.fill(runSeed, 1f / n);
            for (int b = 0; b < batch; b++) {
                double sum = 0;
                for (int o = 0; o < outer; o++) {
                    long at = b * size + ((long) o * targetChannels + filters[b]) * inner;
                    out.position(at).get(run);
                    for (float v : run) sum += v;
                    seedOut.position(at).put(runSeed);
                }
                losses[b] = (float) (sum / n);
            }
        }
        ChainParts.execute(build.backward, stream);
        Dnnl.check(dnnl_stream_wait(stream), "stream_wait");
        for (int b = 0; b < batch; b++) gradient.buffer().floats().position((long) b * imageSize).get(gradientsOut[b]);
        return losses;
    }

    /** The filters whose weights the chain holds (its own memory, {@link ChainParts#owned}), or null before the first. */
    private int[] loadedFilters;

    private void loadFilters(int[] filters, dnnl_stream stream) {
        Conv c = model.conv(head.conv().name());
        int size = c.inChannels() * c.kernelHeight() * c.kernelWidth();
        float[] kernels = new float[size * batch];
        float[] biases = new float[batch];
        for (int b = 0; b < batch; b++) {
            int channel = head.convChannel(filters[b]);
            System.arraycopy(c.weights(), channel * size, kernels, b * size, size);
            biases[b] = c.bias()[channel];
        }
        build.filterWeights.buffer().floats().put(kernels);
        build.filterBias.buffer().floats().put(biases);
        ChainParts.execute(build.filterLoad, stream);
    }

    int targetChannels() { return targetChannels; }

    List<String> implementations() { return parts.implementations(); }

    @Override
    public void close() { parts.close(); }
}
