package io.filterviz.model.graph;

import java.util.List;

/**
 * A 2-D convolution, ONNX's Conv: weights OIHW with I = inChannels / group, one bias per output channel (zeros when
 * the file has none). Pads are explicit (ONNX's auto_pad resolved by the loader for a given size is not possible for
 * SAME_* with free sizes, so the loader keeps SAME_* as {@link #samePadding}).
 *
 * @param pads        top, left, bottom, right
 * @param samePadding null for explicit pads, else "SAME_UPPER" or "SAME_LOWER" (pads computed per input size)
 * @param weights     OIHW, or {@link #NO_WEIGHTS} in a graph read for its structure only (listings, the driver's checks)
 */
public record Conv(int outChannels, int inChannels, int kernelHeight, int kernelWidth, int strideHeight,
                   int strideWidth, int[] pads, String samePadding, int dilationHeight, int dilationWidth, int group,
                   float[] weights, float[] bias) implements Op {
    /** The weights of a convolution read for its shapes only; no engine runs it. */
    public static final float[] NO_WEIGHTS = new float[0];

    public Conv {
        if (group < 1 || inChannels % group != 0 || outChannels % group != 0) {
            throw new IllegalArgumentException("group " + group + " does not divide " + inChannels + " → " + outChannels);
        }
        long expected = (long) outChannels * (inChannels / group) * kernelHeight * kernelWidth;
        if (weights.length != expected && weights.length != 0) {
            throw new IllegalArgumentException("weights hold " + weights.length + " values, expected " + expected);
        }
        if (bias.length != outChannels) {
            throw new IllegalArgumentException("bias holds " + bias.length + " values, expected " + outChannels);
        }
    }

    /** A square kernel, stride 1, symmetric padding, no dilation, no group: VGG's convolutions. */
    public static Conv simple(int in, int out, int kernel, int pad, float[] weights, float[] bias) {
        return new Conv(out, in, kernel, kernel, 1, 1, new int[]{pad, pad, pad, pad}, null, 1, 1, 1, weights, bias);
    }

    /** False in a graph read for its structure only. */
    public boolean hasWeights() { return weights.length > 0; }

    @Override
    public String type() { return "Conv"; }

    @Override
    public int arity() { return 1; }

    /** Pads (top, left, bottom, right) for an input of this size: the explicit ones, or SAME_* resolved. */
    public int[] padsFor(int height, int width) {
        if (samePadding == null) return pads;
        int[] h = same(height, strideHeight, kernelHeight, dilationHeight);
        int[] w = same(width, strideWidth, kernelWidth, dilationWidth);
        return new int[]{h[0], w[0], h[1], w[1]};
    }

    private int[] same(int size, int stride, int kernel, int dilation) {
        int out = (size + stride - 1) / stride;
        int total = Math.max(0, (out - 1) * stride + (kernel - 1) * dilation + 1 - size);
        int small = total / 2, large = total - small;
        return samePadding.equals("SAME_UPPER") ? new int[]{small, large} : new int[]{large, small};
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = inputs.get(0);
        if (in.vector()) throw new ShapeException("Conv needs an image, got a vector " + in);
        if (in.channels() != inChannels) {
            throw new ShapeException("Conv expects " + inChannels + " input channels, got " + in.channels());
        }
        int[] p = padsFor(in.height(), in.width());
        int h = Windows.out(in.height(), kernelHeight, strideHeight, p[0], p[2], dilationHeight, false);
        int w = Windows.out(in.width(), kernelWidth, strideWidth, p[1], p[3], dilationWidth, false);
        if (h < 1 || w < 1) throw new ShapeException("Conv input " + in + " is smaller than its kernel");
        return Shape.image(outChannels, h, w);
    }
}
