package io.filterviz.model.graph;

import java.util.List;

/**
 * The product of two computed tensors (attention's Q·Kᵀ and weights·V), batch axis left out: the last two axes
 * multiply ([..., M, K] · [..., K, N] → [..., M, N]), the axes before them broadcast as numpy's. Both inputs need
 * rank 2 or more. The output's units lie along its last axis.
 */
public record MatMul() implements Op {
    @Override
    public String type() { return "MatMul"; }

    @Override
    public int arity() { return 2; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape a = inputs.get(0), b = inputs.get(1);
        if (a.rank() < 2 || b.rank() < 2) throw new ShapeException("MatMul of " + a + " and " + b + " needs two matrices");
        int k = a.dim(a.rank() - 1);
        if (b.dim(b.rank() - 2) != k) throw new ShapeException("MatMul of " + a + " and " + b + ": inner sizes differ");
        int[] batchA = java.util.Arrays.copyOf(a.dims(), a.rank() - 2), batchB = java.util.Arrays.copyOf(b.dims(), b.rank() - 2);
        int[] batch = Broadcast.dims(batchA, batchB, "MatMul of " + a + " and " + b);
        int[] dims = java.util.Arrays.copyOf(batch, batch.length + 2);
        dims[batch.length] = a.dim(a.rank() - 2);
        dims[batch.length + 1] = b.dim(b.rank() - 1);
        return Shape.channelsLast(dims);
    }
}
