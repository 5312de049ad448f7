package io.filterviz.engine.onednn;

import io.filterviz.engine.lucid.RedirectedRelu;
import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.ChannelAffine;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Op;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a chain reaches its target. When the target is a convolution (group 1) followed only by per-channel operators
 * (activations, affines) that nothing else reads, a filter's loss needs one output channel of that convolution: the
 * chain computes only the batch's filters (a convolution with one output channel per image) and applies the
 * per-channel operators here, in Java, on those planes; a ReLU right after the convolution is fused into it, as it
 * always was for VGG16. This is what keeps the deepest layers cheap. Any other target is computed whole, and only
 * the chosen channel is seeded.
 *
 * @param conv the target's convolution node, or null when the target is computed whole
 * @param after the per-channel nodes from the convolution to the target, in order (the fused ReLU first, if any)
 * @param fusedRelu whether {@code after} starts with a ReLU that the convolution applies as a post-op
 */
record TargetHead(Node conv, List<Node> after, boolean fusedRelu) {

    static TargetHead of(Graph cut, String target) {
        List<Node> after = new ArrayList<>();
        String tensor = target;
        while (true) {
            Optional<Node> producer = cut.producer(tensor);
            if (producer.isEmpty()) return whole();
            Node node = producer.get();
            Op op = node.op();
            if (op instanceof Conv c) {
                if (c.group() != 1) return whole();
                boolean relu = !after.isEmpty() && isPlainRelu(after.get(0).op());
                return new TargetHead(node, List.copyOf(after), relu);
            }
            if (!(op instanceof Activation) && !(op instanceof ChannelAffine)) return whole();
            String input = node.inputs().get(0);
            if (cut.consumers(input).size() != 1) return whole();
            after.add(0, node);
            tensor = input;
        }
    }

    static TargetHead whole() { return new TargetHead(null, List.of(), false); }

    static boolean isPlainRelu(Op op) {
        return op instanceof Activation a && a.kind() == Activation.Kind.RELU;
    }

    boolean oneChannel() { return conv != null; }

    /** The convolution's output channel that feeds channel {@code filter} of the target. */
    int convChannel(int filter) {
        int c = filter;
        for (int k = after.size() - 1; k >= 0; k--) {
            if (after.get(k).op() instanceof ChannelAffine a) c = a.source()[c];
        }
        return c;
    }

    /**
     * The mean of the target's channel {@code filter} from its convolution's plane {@code z} (n values, after the
     * fused ReLU if any), and into {@code seed} its gradient with respect to that plane.
     */
    double lossAndSeed(float[] z, int filter, float[] seed) {
        return lossAndSeed(z, filter, seed, false);
    }

    /** As {@link #lossAndSeed(float[], int, float[])}, with Lucid's redirected gradient at ReLUs and Clips if asked. */
    double lossAndSeed(float[] z, int filter, float[] seed, boolean redirectRelus) {
        if (redirectRelus && after.stream().anyMatch(n -> n.op() instanceof Activation a && RedirectedRelu.applies(a))) {
            return redirectedLossAndSeed(z, filter, seed);
        }
        int n = z.length;
        List<Node> ops = fusedRelu ? after.subList(1, after.size()) : after;
        if (ops.isEmpty()) {
            // The VGG16 case, exactly as before graphs: the mean of the ReLU's output, and 1/n where it is positive.
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += z[i];
                seed[i] = !fusedRelu || z[i] > 0 ? 1f / n : 0f;
            }
            return sum / n;
        }
        int[] channel = new int[ops.size()];
        int c = filter;
        for (int k = ops.size() - 1; k >= 0; k--) {
            channel[k] = c;
            if (ops.get(k).op() instanceof ChannelAffine a) c = a.source()[c];
        }
        double[] inputs = new double[ops.size()];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double v = z[i];
            for (int k = 0; k < ops.size(); k++) {
                inputs[k] = v;
                v = apply(ops.get(k).op(), channel[k], v);
            }
            sum += v;
            double d = 1.0 / n;
            for (int k = ops.size() - 1; k >= 0; k--) d *= derivative(ops.get(k).op(), channel[k], inputs[k]);
            if (fusedRelu && z[i] <= 0) d = 0;
            seed[i] = (float) d;
        }
        return sum / n;
    }

    /**
     * The loss and seed with every ReLU and Clip of the head, the fused ReLU included, given Lucid's redirected
     * gradient ({@link RedirectedRelu}): the plane is all the target's tensor holds for this image (its other
     * channels get no gradient), so the rule's "zero over the whole tensor" is zero over the plane. A fused ReLU's
     * input is known only through its output z, which is all the rule needs.
     */
    private double redirectedLossAndSeed(float[] z, int filter, float[] seed) {
        int n = z.length, count = after.size();
        int[] channel = new int[count];
        int c = filter;
        for (int k = count - 1; k >= 0; k--) {
            channel[k] = c;
            if (after.get(k).op() instanceof ChannelAffine a) c = a.source()[c];
        }
        // inputs[k][i]: what op k reads at position i (the fused ReLU reads its own output z).
        double[][] inputs = new double[count][n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double v = z[i];
            for (int k = fusedRelu ? 1 : 0; k < count; k++) {
                inputs[k][i] = v;
                v = apply(after.get(k).op(), channel[k], v);
            }
            if (fusedRelu) inputs[0][i] = z[i];
            sum += v;
        }
        double[] g = new double[n];
        java.util.Arrays.fill(g, 1.0 / n);
        for (int k = count - 1; k >= 0; k--) {
            Op op = after.get(k).op();
            double[] x = inputs[k];
            if (op instanceof Activation a && RedirectedRelu.applies(a)) {
                double[] dx = new double[n];
                RedirectedRelu.addBackward(a, x, g, dx);
                g = dx;
            } else {
                for (int i = 0; i < n; i++) g[i] *= derivative(op, channel[k], x[i]);
            }
        }
        for (int i = 0; i < n; i++) seed[i] = (float) g[i];
        return sum / n;
    }

    private static double apply(Op op, int channel, double x) {
        if (op instanceof ChannelAffine a) return x * a.scale()[channel] + a.shift()[channel];
        return ((Activation) op).apply(x);
    }

    private static double derivative(Op op, int channel, double x) {
        if (op instanceof ChannelAffine a) return a.scale()[channel];
        return ((Activation) op).derivative(x);
    }
}
