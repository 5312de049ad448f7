package io.filterviz.model.graph;

import java.util.List;

/** The element-wise sum of two tensors of one shape (ResNet's skip connections). */
public record Add() implements Op {
    @Override
    public String type() { return "Add"; }

    @Override
    public int arity() { return 2; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        if (!inputs.get(0).equals(inputs.get(1))) {
            throw new ShapeException("Add needs two tensors of one shape, got " + inputs.get(0) + " and " + inputs.get(1));
        }
        return inputs.get(0);
    }

    @Override
    public boolean keepsNonNegative() { return true; }
}
