package io.filterviz.engine.reference;

import io.filterviz.engine.lucid.RedirectedRelu;
import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Shape;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A graph run in double precision with plain loops: forward in topological order, the input gradient in reverse with
 * gradients summed where a tensor feeds several nodes. The oracle for the fast engines, and a (slow) engine itself.
 * The objective is the filter visualisation's: the mean of one unit over every other axis ({@link Shape#unitAxis}): a
 * channel of an image, a channel over a transformer's tokens, one unit of a vector.
 */
public final class ReferenceGraph {
    private final Graph graph;

    public ReferenceGraph(Graph graph) { this.graph = graph; }

    /** The loss and d loss / d input image (the graph's input, C × H × W). */
    public record Result(double loss, double[] gradient) {}

    /**
     * The heap one objective takes for its tensors at {@code height}×{@code width}: every tensor up to the targets
     * in double precision, once for its values and once for its gradient (the weights stay the graph's floats).
     */
    public static long heapBytes(Graph graph, java.util.Collection<String> targets, int height, int width) {
        long values = 0;
        for (String target : targets) {
            Graph cut = graph.upTo(target);
            long sum = 0;
            for (Shape s : cut.shapes(height, width).values()) sum += s.size();
            values = Math.max(values, sum);
        }
        return 2 * Double.BYTES * values;
    }

    /** Every tensor's values for this image (C × H × W, channels first), the input included. */
    public Map<String, double[]> forward(double[] image, int height, int width) {
        return forward(graph, graph.shapes(height, width), image);
    }

    /** The mean of {@code channel} of {@code target} (one unit if it is a vector) and its gradient. */
    public Result lossAndGradient(String target, int channel, double[] image, int height, int width) {
        return lossAndGradient(target, channel, image, height, width, false);
    }

    /**
     * As {@link #lossAndGradient(String, int, double[], int, int)}, with Lucid's redirected gradient at every ReLU and
     * Clip when {@code redirectRelus} ({@link RedirectedRelu}).
     */
    public Result lossAndGradient(String target, int channel, double[] image, int height, int width, boolean redirectRelus) {
        Graph cut = graph.upTo(target);
        Map<String, Shape> shapes = cut.shapes(height, width);
        Shape out = shapes.get(target);
        if (channel < 0 || channel >= out.channels()) {
            throw new IllegalArgumentException(target + " has " + out.channels() + " channels, no " + channel);
        }
        Map<String, double[]> values = forward(cut, shapes, image);
        double[] seed = new double[(int) out.size()];
        double loss = 0, weight = 1.0 / out.positions();
        double[] y = values.get(target);
        for (int i = 0; i < seed.length; i++) {
            if (out.unitOf(i) != channel) continue;
            loss += y[i];
            seed[i] = weight;
        }
        loss *= weight;

        Map<String, double[]> grads = new HashMap<>();
        grads.put(target, seed);
        List<Node> nodes = cut.nodes();
        for (int k = nodes.size() - 1; k >= 0; k--) {
            Node node = nodes.get(k);
            double[] dy = grads.get(node.output());
            if (dy == null) continue; // nothing downstream of the target reads it
            List<double[]> in = new ArrayList<>(), dIn = new ArrayList<>();
            List<Shape> inShapes = new ArrayList<>();
            for (String t : node.inputs()) {
                in.add(values.get(t));
                inShapes.add(shapes.get(t));
                dIn.add(grads.computeIfAbsent(t, name -> new double[(int) shapes.get(name).size()]));
            }
            if (redirectRelus && node.op() instanceof Activation a && RedirectedRelu.applies(a)) {
                RedirectedRelu.addBackward(a, in.get(0), dy, dIn.get(0));
            } else {
                ReferenceOps.backward(node.op(), in, inShapes, shapes.get(node.output()), dy, dIn);
            }
        }
        double[] gradient = grads.get(cut.input());
        return new Result(loss, gradient != null ? gradient : new double[(int) shapes.get(cut.input()).size()]);
    }

    private static Map<String, double[]> forward(Graph graph, Map<String, Shape> shapes, double[] image) {
        Shape input = shapes.get(graph.input());
        if (image.length != input.size()) {
            throw new IllegalArgumentException("image holds " + image.length + " values, the input " + input + " needs " + input.size());
        }
        Map<String, double[]> values = new HashMap<>();
        values.put(graph.input(), image);
        for (Node node : graph.nodes()) {
            List<double[]> in = node.inputs().stream().map(values::get).toList();
            List<Shape> inShapes = node.inputs().stream().map(shapes::get).toList();
            values.put(node.output(), ReferenceOps.forward(node.op(), in, inShapes, shapes.get(node.output())));
        }
        return values;
    }
}
