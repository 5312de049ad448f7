package io.filterviz.examples;

import io.filterviz.engine.reference.ReferenceGraph;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Shape;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@link ActivationScan} on the double-precision reference engine: slow, exact, the oracle for faster engines. */
public final class ReferenceScan implements ActivationScan {
    private final Graph graph;
    private final List<String> targets;
    private final ReferenceGraph engine;

    /** @param graph the network with its preprocessing prepended (its input takes pixels 0–255) */
    public ReferenceScan(Graph graph, List<String> targets) {
        this.graph = upTo(graph, targets);
        this.targets = List.copyOf(targets);
        this.engine = new ReferenceGraph(this.graph);
    }

    @Override
    public List<String> targets() { return targets; }

    @Override
    public List<ChannelPeaks> scan(float[] pixels, int height, int width) {
        double[] image = new double[pixels.length];
        for (int i = 0; i < pixels.length; i++) image[i] = pixels[i];
        Map<String, Shape> shapes = graph.shapes(height, width);
        Map<String, double[]> values = engine.forward(image, height, width);
        List<ChannelPeaks> peaks = new ArrayList<>(targets.size());
        for (String target : targets) peaks.add(ChannelPeaks.of(target, shapes.get(target), values.get(target)));
        return peaks;
    }

    /** The nodes every target needs, in order: one forward pass serves them all and nothing after them runs. */
    static Graph upTo(Graph graph, List<String> targets) {
        Set<String> needed = new HashSet<>(targets);
        for (String t : targets) if (!graph.hasTensor(t)) throw new IllegalArgumentException("no tensor " + t + " in " + graph.name());
        List<Node> kept = new ArrayList<>();
        for (int i = graph.nodes().size() - 1; i >= 0; i--) {
            Node node = graph.nodes().get(i);
            if (needed.contains(node.output())) {
                kept.add(node);
                needed.addAll(node.inputs());
            }
        }
        Collections.reverse(kept);
        return new Graph(graph.name(), graph.input(), graph.inputChannels(), graph.fixedHeight(), graph.fixedWidth(), kept);
    }
}
