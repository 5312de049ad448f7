package io.filterviz.model.rewrite;

import io.filterviz.model.graph.ChannelAffine;
import io.filterviz.model.graph.Conv;

/**
 * A batch normalisation at inference, {@code y = gamma·(x − mean)/√(variance + epsilon) + beta} per channel, as a
 * per-channel affine or folded into the convolution before it. Both forms take the factor in double and round once.
 */
public record BatchNormStatistics(float[] gamma, float[] beta, float[] mean, float[] variance, double epsilon) {
    public int channels() { return mean.length; }

    private double scale(int c) { return gamma[c] / Math.sqrt((double) variance[c] + epsilon); }

    public ChannelAffine affine() {
        float[] scale = new float[channels()], shift = new float[channels()];
        for (int c = 0; c < scale.length; c++) {
            double s = scale(c);
            scale[c] = (float) s;
            shift[c] = (float) (beta[c] - mean[c] * s);
        }
        return ChannelAffine.of(scale, shift);
    }

    /**
     * {@code conv} followed by this: each output channel's kernel scaled, the rest in its bias. A convolution read
     * without weights stays without (there is nothing to scale).
     */
    public Conv foldInto(Conv conv) {
        float[] weights = conv.weights().clone();
        int perOutput = weights.length / conv.outChannels();
        float[] bias = new float[channels()];
        for (int o = 0; o < bias.length; o++) {
            double s = scale(o);
            for (int i = o * perOutput; i < (o + 1) * perOutput; i++) weights[i] = (float) (weights[i] * s);
            bias[o] = (float) ((conv.bias()[o] - mean[o]) * s + beta[o]);
        }
        return new Conv(conv.outChannels(), conv.inChannels(), conv.kernelHeight(), conv.kernelWidth(),
                conv.strideHeight(), conv.strideWidth(), conv.pads(), conv.samePadding(), conv.dilationHeight(),
                conv.dilationWidth(), conv.group(), weights, bias);
    }
}
