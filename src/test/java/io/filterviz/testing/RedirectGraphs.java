package io.filterviz.testing;

import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;

import java.util.List;

/**
 * Two tiny hand-built graphs for Lucid's redirected ReLU gradient, small enough that the expected gradients are
 * worked out by hand below (1 grey channel, 2 × 2 pixels, 1×1 convolutions, so every pixel is its own network), and
 * the cases with those values: which image, which filter, the loss and d loss / d pixel, plain and redirected.
 *
 * <p>{@link #relu}: pixel p → a = p − 10, b = −p − 10 (conv1) → ReLU → filter 0: 2a' − 3b' − 1, filter 1:
 * −2a' + 3b' − 1 (conv2) → ReLU (the target). {@link #relu6}: pixel p → a = p − 10, b = p + 10 → Clip(0, 6) →
 * filter 0: 2a' + 3b', filter 1: −2a' − 3b' (the target, no activation). n = 4 positions: the loss is a mean, so
 * the seed is 1/4 at each.
 */
public final class RedirectGraphs {
    private RedirectGraphs() {}

    /** image (row-major 2 × 2), filter, loss, plain gradient, redirected gradient. */
    public record Case(String what, float[] image, int filter, double loss, double[] plain, double[] redirected) {}

    public static final String TARGET = "target";

    public static Graph relu() {
        return new Graph("tiny-relu", "input", 1, 0, 0, List.of(
                new Node("conv1", conv(1, 2, new float[]{1, -1}, new float[]{-10, -10}), "input", "a"),
                new Node("relu1", Activation.relu(), "a", "a_relu"),
                new Node("conv2", conv(2, 2, new float[]{2, -3, -2, 3}, new float[]{-1, -1}), "a_relu", "b"),
                new Node("relu2", Activation.relu(), "b", TARGET)));
    }

    public static Graph relu6() {
        return new Graph("tiny-relu6", "input", 1, 0, 0, List.of(
                new Node("conv1", conv(1, 2, new float[]{1, 1}, new float[]{-10, 10}), "input", "a"),
                new Node("clip1", new Activation(Activation.Kind.CLIP, 0f, 6f), "a", "a_clip"),
                new Node("conv2", conv(2, 2, new float[]{2, 3, -2, -3}, new float[]{0, 0}), "a_clip", TARGET)));
    }

    private static Conv conv(int in, int out, float[] weights, float[] bias) {
        return Conv.simple(in, out, 1, 0, weights, bias);
    }

    public static List<Case> reluCases() {
        float[] dead = {1, 2, 3, 4};       // a < 0 and b < 0 everywhere: conv2 sees 0, both filters −1: all dead
        float[] oneLive = {0, 0, 0, 20};   // a = 10 > 0 at the last pixel only
        return List.of(
                // Every ReLU dead. Redirected: the target's ReLU passes the seed 1/4 (positive, asks for more), so
                // relu1 receives (2/4, −3/4) per pixel; below its bound it passes the positive 1/2 (channel a) and
                // blocks −3/4 (channel b); conv1 maps it back: 1 · 1/2 + (−1) · 0 = 1/2.
                new Case("all dead, filter 0", dead, 0, 0, zeros(), fill(0.5)),
                // Filter 1: relu1 receives (−2/4, 3/4): channel a blocked, b passes 3/4; back: (−1) · 3/4.
                new Case("all dead, filter 1", dead, 1, 0, zeros(), fill(-0.75)),
                // The target is live at the last pixel (2 · 10 − 1 = 19): its plain gradient lets something through,
                // so it is kept, zeros at the dead pixels included; relu1's too (a = 10 > 0 there).
                new Case("target live at one pixel", oneLive, 0, 19 / 4.0, last(0.5), last(0.5)),
                // Filter 1 is dead (−2a' + 3b' − 1 < 0 everywhere): redirected at the target, 1/4 everywhere, so relu1
                // receives (−1/2, 3/4) everywhere; its plain gradient passes −1/2 at the live unit (a, last pixel),
                // so relu1 keeps the plain one over its whole tensor: only that unit, and the pixel gets −1/2.
                new Case("target dead, the ReLU before it live at one unit", oneLive, 1, 0, zeros(), last(-0.5)));
    }

    public static List<Case> relu6Cases() {
        float[] saturated = {1, 2, 3, 4};  // a = p − 10 < 0 (below), b = p + 10 > 6 (above): Clip gives (0, 6)
        float[] oneInside = {1, 2, 3, 12}; // a = 2 at the last pixel: inside (0, 6)
        return List.of(
                // Clip's plain gradient is 0 everywhere. Filter 0 (2a' + 3b'): the incoming (2/4, 3/4) asks for more
                // of both; below, a passes 1/2; above, b blocks 3/4 (it cannot rise past 6). conv1: 1/2 + 0.
                new Case("both ends, filter 0", saturated, 0, 18, zeros(), fill(0.5)),
                // Filter 1 (−2a' − 3b'): (−1/2, −3/4); a below blocks −1/2; b above passes −3/4. conv1: 0 + 1 · (−3/4).
                new Case("both ends, filter 1", saturated, 1, -18, zeros(), fill(-0.75)),
                // One unit inside: its plain gradient passes, so the plain one is kept for the whole tensor.
                new Case("one unit inside, filter 0", oneInside, 0, (2 * 2 + 18 * 4) / 4.0, last(0.5), last(0.5)),
                new Case("one unit inside, filter 1", oneInside, 1, -(2 * 2 + 18 * 4) / 4.0, last(-0.5), last(-0.5)));
    }

    private static double[] zeros() { return new double[4]; }

    private static double[] fill(double v) { return new double[]{v, v, v, v}; }

    private static double[] last(double v) { return new double[]{0, 0, 0, v}; }
}
