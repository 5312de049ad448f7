package io.filterviz.model.rewrite;

import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.GraphBuilder;
import io.filterviz.model.graph.Node;

import java.util.List;

/**
 * Folds that leave one node where a file has two, applied as a reader adds the second: the arithmetic is the same
 * whichever file format it came from. A fold is only allowed where nothing but the folded node reads the tensor
 * folded away, which only the reader can tell (it knows the readers still to come).
 */
public final class GraphRewrites {
    private GraphRewrites() {}

    /**
     * Adds the batch normalisation of {@code x} as node {@code name} writing {@code output}; when {@code foldable}
     * and a convolution writes x, that convolution absorbs it and writes {@code output} instead.
     */
    public static void batchNormalization(GraphBuilder graph, String name, String x, BatchNormStatistics bn, String output,
                                          boolean foldable) {
        if (foldable && graph.producer(x).map(Node::op).orElse(null) instanceof Conv conv) {
            graph.replace(x, bn.foldInto(conv), output);
        } else {
            graph.add(new Node(name, bn.affine(), List.of(x), output));
        }
    }

    /**
     * Adds {@code bias} (one value per unit) to the dense layer that writes {@code x}, which then writes
     * {@code output}; false, and nothing done, when no dense layer writes x. Only where nothing else reads x.
     */
    public static boolean foldBias(GraphBuilder graph, String x, float[] bias, String output) {
        if (!(graph.producer(x).map(Node::op).orElse(null) instanceof Dense dense)) return false;
        float[] sum = dense.bias().clone();
        for (int k = 0; k < sum.length; k++) sum[k] += bias[k];
        graph.replace(x, new Dense(dense.outUnits(), dense.inUnits(), dense.weights(), sum), output);
        return true;
    }
}
