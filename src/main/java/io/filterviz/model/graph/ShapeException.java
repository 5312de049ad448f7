package io.filterviz.model.graph;

/** Input shapes an operator cannot take, for example an image smaller than a kernel. */
public class ShapeException extends RuntimeException {
    public ShapeException(String message) { super(message); }
}
