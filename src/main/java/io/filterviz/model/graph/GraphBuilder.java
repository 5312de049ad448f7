package io.filterviz.model.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A graph as a reader writes it, node by node, for the readers' choices that depend on what is already there: the
 * node that writes a tensor (to fold into it) and, for a fixed-size input, a tensor's shape. Each node's shape is
 * computed once, when a shape at or after it is first asked for; {@link #build} makes the {@link Graph}, which checks
 * the whole.
 */
public final class GraphBuilder {
    private final String input;
    private final int inputChannels, fixedHeight, fixedWidth;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Integer> producers = new HashMap<>();
    /** Shapes computed so far, per input size (the fixed size, or the probe size of a free-size network). */
    private final Map<List<Integer>, Sized> sized = new HashMap<>();

    /** @param fixedHeight 0 when the network takes any size, else the only input height it takes (likewise width) */
    public GraphBuilder(String input, int inputChannels, int fixedHeight, int fixedWidth) {
        this.input = input;
        this.inputChannels = inputChannels;
        this.fixedHeight = fixedHeight;
        this.fixedWidth = fixedWidth;
    }

    public void add(Node node) {
        nodes.add(node);
        producers.put(node.output(), nodes.size() - 1);
    }

    public boolean isEmpty() { return nodes.isEmpty(); }

    public boolean fixedSize() { return fixedHeight > 0; }

    /** The node that writes {@code tensor}; empty for the input and for tensors no node writes (yet). */
    public Optional<Node> producer(String tensor) {
        Integer at = producers.get(tensor);
        return at == null ? Optional.empty() : Optional.of(nodes.get(at));
    }

    /**
     * Gives the node that writes {@code tensor} another operator (same name and inputs) and output: a rewrite that
     * absorbs the node reading {@code tensor}, which therefore no node may read yet.
     */
    public void replace(String tensor, Op op, String output) {
        Integer at = producers.get(tensor);
        if (at == null) throw new IllegalArgumentException("no node writes " + tensor);
        if (nodes.stream().anyMatch(n -> n.inputs().contains(tensor))) {
            throw new IllegalStateException("cannot rewrite the node writing " + tensor + ": a node reads it");
        }
        Node old = nodes.get(at);
        nodes.set(at, new Node(old.name(), op, old.inputs(), output));
        producers.remove(tensor);
        producers.put(output, at);
        for (Sized s : sized.values()) s.forgetFrom(at, tensor);
    }

    /**
     * The shape of {@code tensor} at the fixed input size (null for a tensor no node writes);
     * {@link ShapeException} when a node so far does not fit, with {@link Graph#shapes}' message.
     */
    public Shape shape(String tensor) {
        if (!fixedSize()) throw new IllegalStateException("the input size is free: tensors have no shape before it is chosen");
        return shapeAt(tensor, fixedHeight, fixedWidth);
    }

    /**
     * The shape of {@code tensor} for an input of this size: what a free-size network's reader asks at a probe size
     * for what does not depend on the size (ranks, where the units lie).
     */
    public Shape shapeAt(String tensor, int height, int width) {
        return sized.computeIfAbsent(List.of(height, width), k -> new Sized(height, width)).shape(tensor);
    }

    /** The shapes of the nodes at one input size, computed in order as far as asked. */
    private final class Sized {
        private final int height, width;
        private final Map<String, Shape> shapes = new HashMap<>();
        private int shaped;
        /** Why node {@code shaped} does not fit, as {@link Graph#shapes} says it; null while every node so far fits. */
        private String misfit;

        Sized(int height, int width) {
            this.height = height;
            this.width = width;
            shapes.put(input, Shape.image(inputChannels, height, width));
        }

        /** Node {@code at} changed (it wrote {@code tensor}): its shape and those after it are computed anew. */
        void forgetFrom(int at, String tensor) {
            if (at < shaped || at == shaped && misfit != null) {
                for (int i = at; i < shaped; i++) shapes.remove(nodes.get(i).output());
                shapes.remove(tensor);
                shaped = at;
                misfit = null;
            }
        }

        Shape shape(String tensor) {
            while (misfit == null && shaped < nodes.size()) {
                Node node = nodes.get(shaped);
                List<Shape> in = new ArrayList<>();
                for (String t : node.inputs()) {
                    Shape s = shapes.get(t);
                    if (s == null) throw new IllegalArgumentException("node " + node.name() + " reads " + t + " before anything writes it");
                    in.add(s);
                }
                try {
                    shapes.put(node.output(), node.op().outputShape(in));
                    shaped++;
                } catch (ShapeException e) {
                    misfit = "at " + height + "×" + width + " px, node " + node.name() + " (" + node.op().type() + "): "
                            + e.getMessage();
                }
            }
            if (misfit != null) throw new ShapeException(misfit);
            return shapes.get(tensor);
        }
    }

    public Graph build(String name) {
        return new Graph(name, input, inputChannels, fixedHeight, fixedWidth, nodes);
    }
}
