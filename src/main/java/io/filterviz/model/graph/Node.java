package io.filterviz.model.graph;

import java.util.List;

/** One operator applied to named tensors, producing one named tensor. */
public record Node(String name, Op op, List<String> inputs, String output) {
    public Node {
        inputs = List.copyOf(inputs);
        if (inputs.size() != op.arity()) {
            throw new IllegalArgumentException(name + ": " + op.type() + " takes " + op.arity() + " inputs, got " + inputs.size());
        }
    }

    public Node(String name, Op op, String input, String output) { this(name, op, List.of(input), output); }
}
