package io.filterviz.model.graph;

import java.util.Map;
import java.util.Optional;

/**
 * The forward FLOPs of one filter's objective: every convolution, dense layer and matrix product up to the target in
 * full, the convolution or vector dense layer that makes the target for a single output channel or unit (the rest of
 * its channels are never read). A gradient step costs about twice this; it is the driver's cost model between layers
 * (cheap operators are left out).
 */
public final class ObjectiveFlops {
    private ObjectiveFlops() {}

    public static double of(Graph graph, String target, int width, int height) {
        Graph cut = graph.upTo(target);
        Map<String, Shape> shapes = cut.shapes(height, width);
        String own = producingLayer(cut, target);
        double flops = 0;
        for (Node node : cut.nodes()) {
            boolean oneChannel = node.output().equals(own);
            if (node.op() instanceof Conv c) {
                Shape out = shapes.get(node.output());
                int channels = oneChannel ? 1 : c.outChannels();
                flops += 2.0 * out.height() * out.width() * (c.inChannels() / c.group()) * channels
                        * c.kernelHeight() * c.kernelWidth();
            } else if (node.op() instanceof Dense d) {
                Shape out = shapes.get(node.output());
                double rows = out.size() / d.outUnits();
                flops += 2.0 * rows * d.inUnits() * (oneChannel && out.vector() ? 1 : d.outUnits());
            } else if (node.op() instanceof MatMul) {
                Shape a = shapes.get(node.inputs().get(0));
                flops += 2.0 * shapes.get(node.output()).size() * a.dim(a.rank() - 1);
            }
        }
        return flops;
    }

    /**
     * The tensor of the convolution or dense layer whose channel the target is: the target itself, or what it reads
     * through channel-wise operators (an activation, a per-channel affine); null when there is none.
     */
    private static String producingLayer(Graph graph, String target) {
        String tensor = target;
        while (true) {
            Optional<Node> producer = graph.producer(tensor);
            if (producer.isEmpty()) return null;
            Op op = producer.get().op();
            if (op instanceof Conv || op instanceof Dense) return tensor;
            if (!(op instanceof Activation || op instanceof ChannelAffine)) return null;
            tensor = producer.get().inputs().get(0);
        }
    }
}
