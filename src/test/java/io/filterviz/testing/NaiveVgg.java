package io.filterviz.testing;

import io.filterviz.model.ConvWeights;
import io.filterviz.model.LayerSpec;
import io.filterviz.model.NetworkWeights;

/**
 * A deliberately plain double-precision VGG forward pass (loops, no libraries), the independent reference the
 * tests hold the real compute path to.
 */
public final class NaiveVgg {
    private NaiveVgg() {}

    /** Mean ReLU activation of {@code filter} at the target layer, for a channels-first 3×h×w input. */
    public static double loss(NetworkWeights weights, double[] image, int width, int height, int filter) {
        double[] x = image;
        int c = 3, h = height, w = width;
        for (LayerSpec layer : weights.layers()) {
            if (layer.isConv()) {
                ConvWeights cw = weights.conv(layer.name());
                boolean target = layer.name().equals(weights.target());
                x = convRelu(x, c, h, w, cw, target ? filter : -1);
                c = target ? 1 : cw.outChannels();
            } else {
                x = maxPool(x, c, h, w);
                h /= 2;
                w /= 2;
            }
        }
        double sum = 0;
        for (double v : x) sum += v;
        return sum / x.length;
    }

    /** 3×3 'same' convolution with zero padding, then ReLU; only output channel {@code only} when ≥ 0. */
    public static double[] convRelu(double[] x, int c, int h, int w, ConvWeights cw, int only) {
        int outs = only >= 0 ? 1 : cw.outChannels();
        double[] y = new double[outs * h * w];
        for (int o = 0; o < outs; o++) {
            int oc = only >= 0 ? only : o;
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    double acc = cw.bias()[oc];
                    for (int ky = 0; ky < 3; ky++) {
                        int yi = i + ky - 1;
                        if (yi < 0 || yi >= h) continue;
                        for (int kx = 0; kx < 3; kx++) {
                            int xj = j + kx - 1;
                            if (xj < 0 || xj >= w) continue;
                            for (int ic = 0; ic < c; ic++) {
                                acc += x[(ic * h + yi) * w + xj] * cw.kernel()[cw.index(ky, kx, ic, oc)];
                            }
                        }
                    }
                    y[(o * h + i) * w + j] = Math.max(0, acc);
                }
            }
        }
        return y;
    }

    public static double[] maxPool(double[] x, int c, int h, int w) {
        int oh = h / 2, ow = w / 2;
        double[] y = new double[c * oh * ow];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int a = 0; a < 2; a++) {
                        for (int b = 0; b < 2; b++) m = Math.max(m, x[(ch * h + 2 * i + a) * w + 2 * j + b]);
                    }
                    y[(ch * oh + i) * ow + j] = m;
                }
            }
        }
        return y;
    }
}
