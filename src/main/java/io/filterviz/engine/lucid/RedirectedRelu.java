package io.filterviz.engine.lucid;

import io.filterviz.model.graph.Activation;

import java.nio.FloatBuffer;

/**
 * Lucid's redirected ReLU gradient (optvis/overrides/redirected_relu_grad.py), the rule every engine applies at each
 * ReLU and Clip (ReLU6) when the render loop asks for it. Per image: the plain gradient of the activation is kept
 * when it is nonzero anywhere in the tensor; only where it is zero over the whole tensor (the unit, or every unit of
 * the layer, is dead for this image) is it replaced by the redirected one. The redirected gradient passes the
 * incoming one inside the bounds, and at a bound only in the direction that would move the input back inside: below
 * the lower bound a gradient that asks for a larger input (positive: this engine climbs, where Lucid's TensorFlow
 * minimises −objective and keeps negative ones), above the upper bound one that asks for a smaller input.
 *
 * <p>The rule reads its activation's input, or, for a ReLU, its output, which is the same thing for it: the output
 * is positive exactly where the input is, and at or below the bound otherwise (oneDNN's fused ReLU keeps only the
 * output). The plain derivative is {@link Activation#derivative}'s: 0 on the bounds themselves.
 */
public final class RedirectedRelu {
    private RedirectedRelu() {}

    /** Whether Lucid redirects this activation's gradient: a ReLU, or a Clip (ReLU6, or any other bounds). */
    public static boolean applies(Activation a) {
        return a.kind() == Activation.Kind.RELU || a.kind() == Activation.Kind.CLIP;
    }

    /** The redirected gradient of one unit with input {@code x} and incoming gradient {@code g}. */
    public static double redirected(Activation a, double x, double g) {
        if (x <= lower(a)) return Math.max(g, 0);
        if (a.kind() == Activation.Kind.CLIP && x >= a.beta()) return Math.min(g, 0);
        return g;
    }

    private static double lower(Activation a) {
        return a.kind() == Activation.Kind.CLIP ? a.alpha() : 0;
    }

    /**
     * One image's input gradient, added into {@code dx}: the plain one if it lets anything through, else the
     * redirected one. Double precision (the reference engine).
     */
    public static void addBackward(Activation a, double[] x, double[] dy, double[] dx) {
        boolean passes = false;
        for (int i = 0; i < dy.length && !passes; i++) passes = dy[i] * a.derivative(x[i]) != 0;
        for (int i = 0; i < dy.length; i++) {
            dx[i] += passes ? dy[i] * a.derivative(x[i]) : redirected(a, x[i], dy[i]);
        }
    }

    /**
     * The same for a batch of images in float, written (not added) into {@code dx}: {@code images} consecutive parts
     * of {@code size} values of {@code x}, {@code dy} and {@code dx}, one per image (a batch's plain layout).
     */
    public static void backward(Activation a, FloatBuffer x, FloatBuffer dy, FloatBuffer dx, int images, int size) {
        for (int b = 0; b < images; b++) {
            int from = b * size, to = from + size;
            boolean passes = false;
            for (int i = from; i < to && !passes; i++) passes = dy.get(i) * a.derivative(x.get(i)) != 0;
            for (int i = from; i < to; i++) {
                float g = dy.get(i);
                float xi = x.get(i);
                dx.put(i, passes ? (float) (g * a.derivative(xi)) : (float) redirected(a, xi, g));
            }
        }
    }

    /**
     * The rule on top of the plain gradient already in {@code dx} (an engine's own backward, which is 0 wherever the
     * plain derivative is): per image, if {@code dx} is nonzero anywhere it stays; where it is zero everywhere, it
     * becomes the redirected gradient of {@code x} (the input, or a ReLU's output) and {@code dy}. The three share one
     * layout, any element order, {@code images} consecutive parts of {@code size} values.
     */
    public static void redirectWhereBlocked(Activation a, FloatBuffer x, FloatBuffer dy, FloatBuffer dx, int images, int size) {
        for (int b = 0; b < images; b++) {
            int from = b * size, to = from + size;
            boolean passes = false;
            for (int i = from; i < to; i++) {
                if (dx.get(i) != 0) {
                    passes = true;
                    break;
                }
            }
            if (passes) continue;
            for (int i = from; i < to; i++) dx.put(i, (float) redirected(a, x.get(i), dy.get(i)));
        }
    }
}
