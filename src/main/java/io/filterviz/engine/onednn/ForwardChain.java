package io.filterviz.engine.onednn;

import io.filterviz.engine.onednn.ChainParts.Value;
import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Add;
import io.filterviz.model.graph.ChannelAffine;
import io.filterviz.model.graph.Concat;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.Flatten;
import io.filterviz.model.graph.GlobalAveragePool;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Mul;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Op;
import io.filterviz.model.graph.Pad;
import io.filterviz.model.graph.Pool;
import io.filterviz.model.graph.Shape;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_stream;

import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * The forward pass alone, for one (image size, batch): the graph cut at several targets, inference primitives (no
 * pooling workspace, no backward), a ReLU fused where nothing but it reads a tensor that is not a target, and each
 * target reordered into a plain channels-first f32 buffer that Java reads after the pass. What a scan of a
 * collection runs; the ascent's {@link PrimitiveChain} is the same lowering with a backward pass.
 */
final class ForwardChain implements AutoCloseable {
    private final ChainParts parts;
    private final Graph graph;
    final int width;
    final int height;
    final int batch;
    private final List<String> targets;
    private final List<Shape> targetShapes = new ArrayList<>();
    private final List<Value> targetOut = new ArrayList<>();
    private ChainBuild build;
    private Value image;

    ForwardChain(OnednnModel model, Graph cut, List<String> targets, int width, int height, int batch) {
        this.parts = new ChainParts(model.engine());
        this.graph = cut;
        this.width = width;
        this.height = height;
        this.batch = batch;
        this.targets = List.copyOf(targets);
        try {
            build = ChainBuild.forwardOnly(model, parts, cut, targets, height, width, batch);
            lower(model);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private void lower(OnednnModel model) {
        ConvolutionLowering convolutions = new ConvolutionLowering(build);
        ElementwiseLowering elementwise = new ElementwiseLowering(build);
        SpatialLowering spatial = new SpatialLowering(build);
        LayoutLowering layout = new LayoutLowering(build);
        image = parts.buffer(Dnnl.md(dnnl_f32, dnnl_nchw, batch, graph.inputChannels(), height, width));
        build.values.put(graph.input(), image);
        for (Node node : graph.nodes()) {
            Op op = node.op();
            if (op instanceof Conv c) {
                convolutions.convolution(node, c);
            } else if (op instanceof ChannelAffine) {
                convolutions.convolution(node, model.conv(node.name()));
            } else if (op instanceof Dense d) {
                convolutions.dense(node, d);
            } else if (op instanceof Activation a) {
                if (build.fusedRelus.contains(node.name())) elementwise.fusedRelu(node);
                else elementwise.activation(node, a);
            } else if (op instanceof Add) {
                elementwise.add(node);
            } else if (op instanceof Mul) {
                elementwise.mul(node);
            } else if (op instanceof Pool p) {
                spatial.pool(node, p);
            } else if (op instanceof GlobalAveragePool) {
                Shape in = build.shapes.get(node.inputs().get(0));
                spatial.pool(node, new Pool(Pool.Kind.AVERAGE, in.height(), in.width(), 1, 1, new int[4], false, false));
            } else if (op instanceof Pad p) {
                if (!build.foldedPads.containsValue(node)) spatial.pad(node, p);
            } else if (op instanceof Concat) {
                layout.concat(node);
            } else if (op instanceof Flatten) {
                layout.flatten(node);
            } else {
                throw new IllegalArgumentException("the oneDNN engine has no " + op.type() + " (node " + node.name() + ")");
            }
        }
        List<Value> pinned = new ArrayList<>(List.of(image));
        for (String target : targets) {
            Shape shape = build.shapes.get(target);
            dnnl_memory_desc_t plain = Dnnl.plain(dnnl_f32, build.dims(shape));
            Value out = parts.reorderIfNeeded(build.forward, build.values.get(target), plain);
            targetShapes.add(shape);
            targetOut.add(out);
            pinned.add(out);
        }
        parts.pack(List.of(build.forward), pinned);
    }

    /**
     * The forward pass for up to {@code batch} images (C × H × W each, channels first); the rest of the batch keeps
     * what it held. Afterwards {@link #read} gives each target's values.
     */
    void run(Arenas arenas, dnnl_stream stream, List<float[]> images) {
        if (images.size() > batch) throw new IllegalArgumentException(images.size() + " images for a batch of " + batch);
        parts.bind(arenas);
        int imageSize = graph.inputChannels() * width * height;
        for (int b = 0; b < images.size(); b++) image.buffer().floats().position((long) b * imageSize).put(images.get(b));
        ChainParts.execute(build.forward, stream);
        Dnnl.check(dnnl_stream_wait(stream), "stream_wait");
    }

    Shape shape(int target) { return targetShapes.get(target); }

    /** Image {@code b}'s values of target {@code target} (C × H × W, channels first) into {@code into}. */
    void read(int target, int b, float[] into) {
        Shape s = targetShapes.get(target);
        long size = (long) s.channels() * s.height() * s.width();
        targetOut.get(target).buffer().floats().position(b * size).get(into, 0, (int) size);
    }

    List<String> implementations() { return parts.implementations(); }

    @Override
    public void close() { parts.close(); }
}
