package io.filterviz.examples;

import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.Flatten;
import io.filterviz.model.graph.GlobalAveragePool;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Pad;
import io.filterviz.model.graph.Pool;
import io.filterviz.model.graph.Shape;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The input pixels one position of a tensor depends on, as the smallest box holding them. Every operator acts on rows
 * and columns separately, so the rows (and the columns) each tensor position depends on are carried back from the
 * target to the input as sets, through every path: a window's taps by its kernel, stride, pads and dilation, only
 * those that land inside the tensor (padding is a constant, it depends on no pixel; a dilated kernel has gaps). A
 * global operator (average pool, flatten, dense) sees its whole input.
 */
public final class ReceptiveField {
    private ReceptiveField() {}

    /** Inclusive pixel bounds in the input image. */
    public record Box(int top, int left, int bottom, int right) implements java.io.Serializable {
        public int height() { return bottom - top + 1; }

        public int width() { return right - left + 1; }
    }

    /** The rows and the columns of a tensor that a position depends on. */
    private record Reach(BitSet rows, BitSet cols) {
        static Reach all(Shape s) {
            BitSet rows = new BitSet(), cols = new BitSet();
            rows.set(0, s.height());
            cols.set(0, s.width());
            return new Reach(rows, cols);
        }

        boolean empty() { return rows.isEmpty() || cols.isEmpty(); }

        Reach join(Reach o) {
            BitSet r = (BitSet) rows.clone(), c = (BitSet) cols.clone();
            r.or(o.rows);
            c.or(o.cols);
            return new Reach(r, c);
        }
    }

    /**
     * The box of input pixels that position (x, y) of {@code target} sees, for an input of {@code height × width};
     * the whole image for a vector's unit (x = y = −1) or where no window reaches a pixel.
     */
    public static Box of(Graph graph, String target, int height, int width, int x, int y) {
        Box whole = new Box(0, 0, height - 1, width - 1);
        Graph cut = graph.upTo(target);
        Map<String, Shape> shapes = cut.shapes(height, width);
        if (shapes.get(target).vector()) return whole;
        Map<String, Reach> reach = new HashMap<>();
        BitSet rows = new BitSet(), cols = new BitSet();
        rows.set(y);
        cols.set(x);
        reach.put(target, new Reach(rows, cols));
        List<Node> nodes = cut.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node node = nodes.get(i);
            Reach out = reach.get(node.output());
            if (out == null) continue;
            for (String input : node.inputs()) {
                Reach seen = inputReach(node, out, shapes.get(input));
                if (!seen.empty()) reach.merge(input, seen, Reach::join);
            }
        }
        Reach pixels = reach.get(cut.input());
        if (pixels == null) return whole;
        return new Box(pixels.rows.nextSetBit(0), pixels.cols.nextSetBit(0), pixels.rows.length() - 1, pixels.cols.length() - 1);
    }

    private static Reach inputReach(Node node, Reach out, Shape in) {
        if (node.op() instanceof Conv c) {
            int[] p = c.padsFor(in.height(), in.width());
            return new Reach(taps(out.rows, c.strideHeight(), p[0], c.kernelHeight(), c.dilationHeight(), in.height()),
                    taps(out.cols, c.strideWidth(), p[1], c.kernelWidth(), c.dilationWidth(), in.width()));
        }
        if (node.op() instanceof Pool p) {
            return new Reach(taps(out.rows, p.strideHeight(), p.pads()[0], p.kernelHeight(), 1, in.height()),
                    taps(out.cols, p.strideWidth(), p.pads()[1], p.kernelWidth(), 1, in.width()));
        }
        if (node.op() instanceof Pad p) {
            return new Reach(taps(out.rows, 1, p.pads()[0], 1, 1, in.height()), taps(out.cols, 1, p.pads()[1], 1, 1, in.width()));
        }
        if (node.op() instanceof GlobalAveragePool || node.op() instanceof Flatten || node.op() instanceof Dense
                || (in.height() == 1 && in.width() == 1)) { // a 1×1 gate, or a vector: all of it
            return Reach.all(in);
        }
        return out; // element-wise (activation, affine, add, concatenation, gate): the same positions
    }

    /** The input indices that the windows at {@code out} read and that lie inside the input. */
    private static BitSet taps(BitSet out, int stride, int pad, int kernel, int dilation, int size) {
        BitSet in = new BitSet(size);
        for (int o = out.nextSetBit(0); o >= 0; o = out.nextSetBit(o + 1)) {
            for (int j = 0; j < kernel; j++) {
                int i = o * stride - pad + j * dilation;
                if (i >= 0 && i < size) in.set(i);
            }
        }
        return in;
    }
}
