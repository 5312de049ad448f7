package io.filterviz.model.graph;

import org.apache.commons.math3.special.Erf;

import java.util.List;

/**
 * An element-wise activation. {@code alpha} and {@code beta} are the operator's numbers: LeakyRelu's slope (alpha),
 * Clip's bounds (alpha = min, beta = max), HardSigmoid's max(0, min(1, alpha·x + beta)).
 */
public record Activation(Kind kind, float alpha, float beta) implements Op {
    public enum Kind { RELU, LEAKY_RELU, CLIP, SIGMOID, HARD_SIGMOID, HARD_SWISH, GELU, ERF, TANH, SQRT }

    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    public static Activation relu() { return new Activation(Kind.RELU, 0f, 0f); }

    /** x · Φ(x), Φ the normal distribution (PyTorch's exact GELU, exported as Div, Erf, Add, Mul, Mul). */
    public static Activation gelu() { return new Activation(Kind.GELU, 0f, 0f); }

    public static Activation of(Kind kind) { return new Activation(kind, 0f, 0f); }

    @Override
    public String type() {
        return switch (kind) {
            case RELU -> "Relu";
            case LEAKY_RELU -> "LeakyRelu";
            case CLIP -> "Clip";
            case SIGMOID -> "Sigmoid";
            case HARD_SIGMOID -> "HardSigmoid";
            case HARD_SWISH -> "HardSwish";
            case GELU -> "Gelu";
            case ERF -> "Erf";
            case TANH -> "Tanh";
            case SQRT -> "Sqrt";
        };
    }

    @Override
    public int arity() { return 1; }

    @Override
    public Shape outputShape(List<Shape> inputs) { return inputs.get(0); }

    /** ReLU and a Clip at a lower bound of 0 or more cannot output a negative value, whatever their input. */
    public boolean nonNegativeOutput() {
        return kind == Kind.RELU || kind == Kind.HARD_SIGMOID || kind == Kind.SIGMOID || kind == Kind.SQRT
                || (kind == Kind.CLIP && alpha >= 0);
    }

    @Override
    public boolean keepsNonNegative() { return true; }

    /** The activation of one value, in double precision (the reference). */
    public double apply(double x) {
        return switch (kind) {
            case RELU -> Math.max(0, x);
            case LEAKY_RELU -> x >= 0 ? x : alpha * x;
            case CLIP -> Math.min(beta, Math.max(alpha, x));
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case HARD_SIGMOID -> Math.max(0, Math.min(1, alpha * x + beta));
            case HARD_SWISH -> x * Math.max(0, Math.min(1, x / 6 + 0.5));
            case GELU -> x * 0.5 * (1 + Erf.erf(x * SQRT_HALF));
            case ERF -> Erf.erf(x);
            case TANH -> Math.tanh(x);
            case SQRT -> Math.sqrt(x);
        };
    }

    /**
     * The derivative at {@code x}, in double precision (the reference), with PyTorch's choice at the kinks: ReLU's is
     * 0 at 0, a Clip's (ReLU6, hardtanh) and HardSigmoid's are 0 on their bounds, HardSwish's is x/3 + 0.5 on [−3, 3].
     */
    public double derivative(double x) {
        return switch (kind) {
            case RELU -> x > 0 ? 1 : 0;
            case LEAKY_RELU -> x > 0 ? 1 : alpha;
            case CLIP -> x > alpha && x < beta ? 1 : 0;
            case SIGMOID -> {
                double s = 1 / (1 + Math.exp(-x));
                yield s * (1 - s);
            }
            case HARD_SIGMOID -> {
                double y = alpha * x + beta;
                yield y > 0 && y < 1 ? alpha : 0;
            }
            case HARD_SWISH -> x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1;
            case GELU -> 0.5 * (1 + Erf.erf(x * SQRT_HALF)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
            case ERF -> 2 / Math.sqrt(Math.PI) * Math.exp(-x * x);
            case TANH -> 1 - Math.tanh(x) * Math.tanh(x);
            case SQRT -> 0.5 / Math.sqrt(x);
        };
    }
}
