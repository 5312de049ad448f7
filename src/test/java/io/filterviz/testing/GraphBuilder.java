package io.filterviz.testing;

import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Add;
import io.filterviz.model.graph.ChannelAffine;
import io.filterviz.model.graph.Concat;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.Flatten;
import io.filterviz.model.graph.GlobalAveragePool;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Mul;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Op;
import io.filterviz.model.graph.Pad;
import io.filterviz.model.graph.Pool;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Small graphs with random weights for the engine tests, written as code reads: {@code x = b.conv(x, 8, 3, 1, 1)}.
 * Each call adds one node named after its output tensor and returns that tensor's name. Weights are He-normal with
 * biases around 0.1, so about half of every ReLU's inputs are positive.
 */
public final class GraphBuilder {
    private final String name;
    private final int inputChannels;
    private final SplittableRandom random;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Integer> channels = new HashMap<>();
    private int fixedHeight, fixedWidth;

    public GraphBuilder(String name, int inputChannels, long seed) {
        this.name = name;
        this.inputChannels = inputChannels;
        this.random = new SplittableRandom(seed);
        channels.put("input", inputChannels);
    }

    public static String input() { return "input"; }

    public GraphBuilder fixedSize(int height, int width) {
        fixedHeight = height;
        fixedWidth = width;
        return this;
    }

    public String conv(String in, int out, int kernel, int stride, int pad) {
        return conv(in, out, kernel, kernel, stride, new int[]{pad, pad, pad, pad}, null, 1, 1);
    }

    /** Any convolution: pads top, left, bottom, right (or SAME_UPPER / SAME_LOWER), dilation, group. */
    public String conv(String in, int out, int kernelH, int kernelW, int stride, int[] pads, String same, int dilation,
                       int group) {
        int c = channels.get(in);
        int fanIn = c / group * kernelH * kernelW;
        float[] w = gaussian(out * fanIn, Math.sqrt(2.0 / fanIn));
        float[] b = uniform(out, 0.0, 0.2);
        return add(new Conv(out, c, kernelH, kernelW, stride, stride, pads, same, dilation, dilation, group, w, b), out, in);
    }

    public String act(String in, Activation.Kind kind, float alpha, float beta) {
        return add(new Activation(kind, alpha, beta), channels.get(in), in);
    }

    public String relu(String in) { return act(in, Activation.Kind.RELU, 0, 0); }

    /** A BatchNormalization no convolution absorbed: scale around 1, shift around 0. */
    public String affine(String in) {
        int c = channels.get(in);
        return add(ChannelAffine.of(uniform(c, 0.5, 1.5), uniform(c, -0.3, 0.3)), c, in);
    }

    public String affine(String in, int[] source, float[] scale, float[] shift) {
        return add(new ChannelAffine(source, scale, shift), channels.get(in), in);
    }

    public String maxPool(String in, int kernel, int stride, int pad, boolean ceil) {
        return add(new Pool(Pool.Kind.MAX, kernel, kernel, stride, stride, new int[]{pad, pad, pad, pad}, ceil, false),
                channels.get(in), in);
    }

    public String avgPool(String in, int kernel, int stride, int pad, boolean ceil, boolean countIncludePad) {
        return add(new Pool(Pool.Kind.AVERAGE, kernel, kernel, stride, stride, new int[]{pad, pad, pad, pad}, ceil,
                countIncludePad), channels.get(in), in);
    }

    public String globalAveragePool(String in) { return add(new GlobalAveragePool(), channels.get(in), in); }

    public String sum(String a, String b) { return add(new Add(), channels.get(a), a, b); }

    public String mul(String a, String b) { return add(new Mul(), channels.get(a), a, b); }

    public String concat(String... inputs) {
        int c = 0;
        for (String in : inputs) c += channels.get(in);
        return add(new Concat(inputs.length), c, inputs);
    }

    public String pad(String in, int[] pads, float value) { return add(new Pad(pads, value), channels.get(in), in); }

    /** Flatten: the channel count of the result is only known per size; dense() needs it given. */
    public String flatten(String in, int units) { return add(new Flatten(), units, in); }

    public String dense(String in, int out) {
        int units = channels.get(in);
        float[] w = gaussian(out * units, Math.sqrt(2.0 / units));
        return add(new Dense(out, units, w, uniform(out, -0.1, 0.1)), out, in);
    }

    public Graph build() {
        return new Graph(name, "input", inputChannels, fixedHeight, fixedWidth, nodes);
    }

    private String add(Op op, int outChannels, String... inputs) {
        String output = op.type().toLowerCase() + "_" + nodes.size();
        nodes.add(new Node(output, op, List.of(inputs), output));
        channels.put(output, outChannels);
        return output;
    }

    private float[] gaussian(int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (random.nextGaussian() * std);
        return v;
    }

    private float[] uniform(int n, double low, double high) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (low + random.nextDouble() * (high - low));
        return v;
    }
}
