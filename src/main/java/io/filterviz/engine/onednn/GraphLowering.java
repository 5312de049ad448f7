package io.filterviz.engine.onednn;

import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Add;
import io.filterviz.model.graph.Binary;
import io.filterviz.model.graph.ChannelAffine;
import io.filterviz.model.graph.Concat;
import io.filterviz.model.graph.ConstantBinary;
import io.filterviz.model.graph.ConstantConcat;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.Flatten;
import io.filterviz.model.graph.Gather;
import io.filterviz.model.graph.GlobalAveragePool;
import io.filterviz.model.graph.LayerNorm;
import io.filterviz.model.graph.MatMul;
import io.filterviz.model.graph.Mul;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Op;
import io.filterviz.model.graph.Pad;
import io.filterviz.model.graph.Pool;
import io.filterviz.model.graph.ReduceMean;
import io.filterviz.model.graph.Reshape;
import io.filterviz.model.graph.Shape;
import io.filterviz.model.graph.Slice;
import io.filterviz.model.graph.Softmax;
import io.filterviz.model.graph.Transpose;

/**
 * Each operator of the graph form to the {@link Lowering} that turns it into primitives: the one place a node is
 * lowered, for the ascent's chains ({@link PrimitiveChain}, which also has the target's one-channel convolution) and
 * the scan's forward-only ones ({@link ForwardChain}) alike. What the engine cannot lower is refused in one line
 * naming the node.
 */
final class GraphLowering {
    private final ChainBuild build;
    final ConvolutionLowering convolutions;
    private final ElementwiseLowering elementwise;
    private final SpatialLowering spatial;
    private final LayoutLowering layout;
    private final TensorLowering tensors;

    GraphLowering(ChainBuild build) {
        this.build = build;
        convolutions = new ConvolutionLowering(build);
        elementwise = new ElementwiseLowering(build);
        spatial = new SpatialLowering(build);
        layout = new LayoutLowering(build);
        tensors = new TensorLowering(build);
    }

    /** Adds the node's forward steps and registers its backward ones. */
    void lower(Node node) {
        build.parts.label(node.name() + " forward");
        int before = build.backwardBuilders.size();
        lowerNode(node);
        for (int i = before; i < build.backwardBuilders.size(); i++) {
            Runnable builder = build.backwardBuilders.get(i);
            build.backwardBuilders.set(i, () -> {
                build.parts.label(node.name() + " backward");
                builder.run();
            });
        }
        build.parts.label("");
    }

    private void lowerNode(Node node) {
        Op op = node.op();
        if (build.foldedScales.contains(node.name())) return; // the MatMul before it scales its output
        Shape in = build.shapes.get(node.inputs().get(0));
        boolean image = in.isImage();
        if (op instanceof Conv c && image) {
            convolutions.convolution(node, c);
        } else if (op instanceof ChannelAffine && image) {
            convolutions.convolution(node, build.model.conv(node.name()));
        } else if (op instanceof Dense d && in.planar()) {
            convolutions.dense(node, d);
        } else if (op instanceof Dense d) {
            tensors.denseTokens(node, d);
        } else if (op instanceof Activation a) {
            if (build.fusedRelus.contains(node.name())) elementwise.fusedRelu(node);
            else elementwise.activation(node, a);
        } else if (op instanceof Add) {
            elementwise.add(node);
        } else if (op instanceof Mul) {
            elementwise.mul(node);
        } else if (op instanceof Pool p && image) {
            spatial.pool(node, p);
        } else if (op instanceof GlobalAveragePool && image) {
            spatial.pool(node, new Pool(Pool.Kind.AVERAGE, in.height(), in.width(), 1, 1, new int[4], false, false));
        } else if (op instanceof Pad p && image) {
            if (!build.foldedPads.containsValue(node)) spatial.pad(node, p);
        } else if (op instanceof Concat) {
            layout.concat(node);
        } else if (op instanceof ConstantConcat cc) {
            layout.constantConcat(node, cc);
        } else if (op instanceof Flatten) {
            layout.flatten(node);
        } else if (op instanceof Transpose t) {
            layout.transpose(node, t);
        } else if (op instanceof Reshape) {
            layout.reshape(node);
        } else if (op instanceof Slice s) {
            layout.slice(node, s);
        } else if (op instanceof Gather g) {
            layout.gather(node, g);
        } else if (op instanceof MatMul) {
            tensors.matMul(node);
        } else if (op instanceof Binary b) {
            tensors.binary(node, b);
        } else if (op instanceof ConstantBinary c) {
            tensors.constantBinary(node, c);
        } else if (op instanceof LayerNorm ln) {
            tensors.layerNorm(node, ln);
        } else if (op instanceof Softmax s) {
            tensors.softmax(node, s);
        } else if (op instanceof ReduceMean r) {
            tensors.reduceMean(node, r);
        } else {
            throw new IllegalArgumentException("the oneDNN engine cannot lower node " + node.name() + " (" + op.type()
                    + " of a " + in + " tensor)");
        }
    }
}
