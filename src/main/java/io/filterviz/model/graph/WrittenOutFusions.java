package io.filterviz.model.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Operators that exporters write out as arithmetic, put back together so that an engine runs one primitive:
 * PyTorch's exact GELU (Div by √2, Erf, Add 1, Mul by x, Mul by ½) and a LayerNorm before opset 17 (ReduceMean,
 * Sub, Pow 2, ReduceMean, Add ε, Sqrt, Div, then Mul by its scale and Add its shift). The fused node keeps the name
 * and output tensor of the pattern's last node, the tensor a user names with --layer. A pattern whose inner tensors
 * anything else reads is left as it is; the engines run both forms.
 */
public final class WrittenOutFusions {
    private static final double TOLERANCE = 1e-5;

    private WrittenOutFusions() {}

    /** The graph with its written-out GELUs and LayerNorms fused; tensors in {@code keep} stay (a requested target). */
    public static Graph apply(Graph graph, Set<String> keep) {
        List<Node> fused = new Pass(graph.nodes(), keep, graph.listingShapes()).run();
        return new Graph(graph.name(), graph.input(), graph.inputChannels(), graph.fixedHeight(), graph.fixedWidth(), fused);
    }

    private static final class Pass {
        private final List<Node> nodes;
        private final Set<String> keep;
        private final Map<String, Node> producers = new HashMap<>();
        private final Map<String, Integer> readers = new HashMap<>();
        private final Set<Node> removed = new HashSet<>();
        private final Map<Node, Node> replaced = new HashMap<>();
        private final Map<String, Shape> shapes;

        Pass(List<Node> nodes, Set<String> keep, Map<String, Shape> shapes) {
            this.nodes = nodes;
            this.keep = keep;
            this.shapes = shapes;
            for (Node n : nodes) {
                producers.put(n.output(), n);
                for (String in : n.inputs()) readers.merge(in, 1, Integer::sum);
            }
        }

        List<Node> run() {
            for (Node n : nodes) {
                if (removed.contains(n)) continue;
                gelu(n);
                layerNorm(n);
            }
            List<Node> out = new ArrayList<>();
            for (Node n : nodes) {
                if (removed.contains(n)) continue;
                out.add(replaced.getOrDefault(n, n));
            }
            return out;
        }

        /** Mul(Mul(x, Add(Erf(Div(x, √2)), 1)), ½), the two Muls in either order of operands. */
        private void gelu(Node last) {
            if (!scalar(last.op(), Binary.Kind.MUL, 0.5)) return;
            Optional<Node> mul = inner(last.inputs().get(0));
            if (mul.isEmpty() || !isProduct(mul.get().op()) || mul.get().inputs().size() != 2) return;
            for (int side = 0; side < 2; side++) {
                String x = mul.get().inputs().get(side);
                Optional<Node> add = inner(mul.get().inputs().get(1 - side));
                if (add.isEmpty() || !scalar(add.get().op(), Binary.Kind.ADD, 1)) continue;
                Optional<Node> erf = inner(add.get().inputs().get(0));
                if (erf.isEmpty() || !(erf.get().op() instanceof Activation a && a.kind() == Activation.Kind.ERF)) continue;
                Optional<Node> div = inner(erf.get().inputs().get(0));
                if (div.isEmpty() || !div.get().inputs().get(0).equals(x)) continue;
                boolean byRoot2 = scalar(div.get().op(), Binary.Kind.DIV, Math.sqrt(2))
                        || scalar(div.get().op(), Binary.Kind.MUL, Math.sqrt(0.5));
                if (!byRoot2) continue;
                fuse(last, new Node(last.name(), Activation.gelu(), x, last.output()), div.get(), erf.get(), add.get(), mul.get());
                return;
            }
        }

        /** Div(Sub(x, mean), Sqrt(Add(mean(Sub²), ε))) on the last axis, then an optional Mul by the scale and Add of the shift. */
        private void layerNorm(Node div) {
            if (!(div.op() instanceof Binary b && b.kind() == Binary.Kind.DIV)) return;
            Optional<Node> sub = producer(div.inputs().get(0)), sqrt = inner(div.inputs().get(1));
            if (sub.isEmpty() || sqrt.isEmpty() || !(sub.get().op() instanceof Binary s && s.kind() == Binary.Kind.SUB)) return;
            if (!(sqrt.get().op() instanceof Activation a && a.kind() == Activation.Kind.SQRT)) return;
            Optional<Node> eps = inner(sqrt.get().inputs().get(0));
            if (eps.isEmpty() || !(eps.get().op() instanceof ConstantBinary e && e.kind() == Binary.Kind.ADD && e.values().length == 1)) return;
            Optional<Node> var = inner(eps.get().inputs().get(0));
            if (var.isEmpty() || !(var.get().op() instanceof ReduceMean v)) return;
            Optional<Node> square = inner(var.get().inputs().get(0));
            String centred = sub.get().output(), x = sub.get().inputs().get(0);
            if (square.isEmpty() || !isProduct(square.get().op()) || !square.get().inputs().equals(List.of(centred, centred))) return;
            Optional<Node> mean = inner(sub.get().inputs().get(1));
            if (mean.isEmpty() || !(mean.get().op() instanceof ReduceMean m) || !mean.get().inputs().get(0).equals(x)) return;
            Shape shape = shapes.get(x);
            if (shape == null || m.axis() != shape.rank() - 1 || v.axis() != m.axis()) return;
            // the centred tensor is read by the square (twice) and the Div, nothing else
            if (readers.getOrDefault(centred, 0) != 3 || keep.contains(centred)) return;
            int channels = shape.dim(shape.rank() - 1);
            List<Node> parts = new ArrayList<>(List.of(mean.get(), sub.get(), square.get(), var.get(), eps.get(), sqrt.get()));
            Node last = div;
            float[] scale = filled(channels, 1f), shift = filled(channels, 0f);
            Optional<Node> next = soleReader(last);
            if (next.isPresent() && perChannel(next.get().op(), Binary.Kind.MUL, channels)) {
                scale = ((ConstantBinary) next.get().op()).values();
                parts.add(last);
                last = next.get();
                next = soleReader(last);
            }
            if (next.isPresent() && perChannel(next.get().op(), Binary.Kind.ADD, channels)) {
                shift = ((ConstantBinary) next.get().op()).values();
                parts.add(last);
                last = next.get();
            }
            float epsilon = ((ConstantBinary) eps.get().op()).values()[0];
            fuse(last, new Node(last.name(), new LayerNorm(epsilon, scale, shift), x, last.output()), parts.toArray(Node[]::new));
        }

        private Optional<Node> soleReader(Node node) {
            if (readers.getOrDefault(node.output(), 0) != 1 || keep.contains(node.output())) return Optional.empty();
            return nodes.stream().filter(n -> !removed.contains(n) && n.inputs().contains(node.output())).findFirst();
        }

        private void fuse(Node last, Node fused, Node... inner) {
            for (Node n : inner) if (n != last) removed.add(n);
            replaced.put(last, fused);
        }

        /** The producer of a tensor only one node reads and no one asked to keep. */
        private Optional<Node> inner(String tensor) {
            if (readers.getOrDefault(tensor, 0) != 1 || keep.contains(tensor)) return Optional.empty();
            return producer(tensor);
        }

        private Optional<Node> producer(String tensor) {
            Node n = producers.get(tensor);
            return n == null || removed.contains(n) ? Optional.empty() : Optional.of(n);
        }
    }

    private static boolean isProduct(Op op) {
        return op instanceof Mul || op instanceof Binary b && b.kind() == Binary.Kind.MUL;
    }

    /** x op c for one constant c (within float rounding of {@code value}). */
    private static boolean scalar(Op op, Binary.Kind kind, double value) {
        return op instanceof ConstantBinary c && c.kind() == kind && !c.constantFirst() && c.values().length == 1
                && Math.abs(c.values()[0] - value) <= TOLERANCE * Math.abs(value);
    }

    /** x op c with c one value per channel of the last axis. */
    private static boolean perChannel(Op op, Binary.Kind kind, int channels) {
        return op instanceof ConstantBinary c && c.kind() == kind && !c.constantFirst() && c.dims().length == 1
                && c.values().length == channels;
    }

    private static float[] filled(int n, float v) {
        float[] f = new float[n];
        java.util.Arrays.fill(f, v);
        return f;
    }
}
