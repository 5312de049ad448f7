package io.filterviz.engine.reference;

import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Add;
import io.filterviz.model.graph.ChannelAffine;
import io.filterviz.model.graph.Concat;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.Flatten;
import io.filterviz.model.graph.GlobalAveragePool;
import io.filterviz.model.graph.Mul;
import io.filterviz.model.graph.Op;
import io.filterviz.model.graph.Pad;
import io.filterviz.model.graph.Pool;
import io.filterviz.model.graph.Shape;

import java.util.Arrays;
import java.util.List;

/**
 * Each operator's forward pass and input gradient in double precision, as plain loops over NCHW (N = 1) arrays
 * ({@link TensorOps} for tensors of any rank): the oracle the fast engines are tested against. Backward adds into the input gradients, so a tensor read twice
 * collects both contributions.
 */
final class ReferenceOps {
    private ReferenceOps() {}

    static double[] forward(Op op, List<double[]> in, List<Shape> inShapes, Shape out) {
        double[] y = new double[(int) out.size()];
        double[] x = in.get(0);
        Shape s = inShapes.get(0);
        if (TensorOps.handles(op)) {
            TensorOps.forward(op, in, inShapes, out, y);
        } else if (op instanceof Conv c) {
            conv(c, x, s, y, out, null, null);
        } else if (op instanceof Activation a) {
            for (int i = 0; i < y.length; i++) y[i] = a.apply(x[i]);
        } else if (op instanceof ChannelAffine a) {
            int plane = s.height() * s.width();
            for (int c = 0; c < a.channels(); c++) {
                for (int p = 0; p < plane; p++) y[c * plane + p] = x[a.source()[c] * plane + p] * a.scale()[c] + a.shift()[c];
            }
        } else if (op instanceof Add) {
            double[] b = in.get(1);
            for (int i = 0; i < y.length; i++) y[i] = x[i] + b[i];
        } else if (op instanceof Mul) {
            double[] b = in.get(1);
            int plane = gatePlane(s, inShapes.get(1));
            for (int i = 0; i < y.length; i++) y[i] = x[i] * b[i / plane];
        } else if (op instanceof Concat c) {
            TensorOps.concat(c, in, inShapes, out, y, null, null);
        } else if (op instanceof Pool p) {
            pool(p, x, s, y, out, null, null);
        } else if (op instanceof GlobalAveragePool) {
            int plane = s.height() * s.width();
            for (int c = 0; c < s.channels(); c++) {
                double sum = 0;
                for (int i = 0; i < plane; i++) sum += x[c * plane + i];
                y[c] = sum / plane;
            }
        } else if (op instanceof Pad p) {
            Arrays.fill(y, p.value());
            for (int c = 0; c < s.channels(); c++) {
                for (int iy = 0; iy < s.height(); iy++) {
                    System.arraycopy(x, (c * s.height() + iy) * s.width(), y,
                            (c * out.height() + iy + p.pads()[0]) * out.width() + p.pads()[1], s.width());
                }
            }
        } else if (op instanceof Flatten) {
            System.arraycopy(x, 0, y, 0, y.length);
        } else if (op instanceof Dense d && !s.planar()) {
            TensorOps.denseRows(d, x, y, null, null);
        } else if (op instanceof Dense d) {
            for (int o = 0; o < d.outUnits(); o++) {
                double sum = d.bias()[o];
                for (int i = 0; i < d.inUnits(); i++) sum += d.weights()[o * d.inUnits() + i] * x[i];
                y[o] = sum;
            }
        } else {
            throw new IllegalArgumentException("no reference for " + op.type());
        }
        return y;
    }

    /**
     * Adds d loss / d input into {@code dIn} (one array per input, the input's size) given {@code dy}, the gradient
     * with respect to the output.
     */
    static void backward(Op op, List<double[]> in, List<Shape> inShapes, Shape out, double[] dy, List<double[]> dIn) {
        double[] x = in.get(0), dx = dIn.get(0);
        Shape s = inShapes.get(0);
        if (TensorOps.handles(op)) {
            TensorOps.backward(op, in, inShapes, out, dy, dIn);
        } else if (op instanceof Conv c) {
            conv(c, x, s, null, out, dy, dx);
        } else if (op instanceof Activation a) {
            for (int i = 0; i < dy.length; i++) dx[i] += dy[i] * a.derivative(x[i]);
        } else if (op instanceof ChannelAffine a) {
            int plane = s.height() * s.width();
            for (int c = 0; c < a.channels(); c++) {
                for (int p = 0; p < plane; p++) dx[a.source()[c] * plane + p] += dy[c * plane + p] * a.scale()[c];
            }
        } else if (op instanceof Add) {
            double[] db = dIn.get(1);
            for (int i = 0; i < dy.length; i++) {
                dx[i] += dy[i];
                db[i] += dy[i];
            }
        } else if (op instanceof Mul) {
            double[] b = in.get(1), db = dIn.get(1);
            int plane = gatePlane(s, inShapes.get(1));
            for (int i = 0; i < dy.length; i++) {
                dx[i] += dy[i] * b[i / plane];
                db[i / plane] += dy[i] * x[i];
            }
        } else if (op instanceof Concat c) {
            TensorOps.concat(c, in, inShapes, out, null, dy, dIn);
        } else if (op instanceof Pool p) {
            pool(p, x, s, null, out, dy, dx);
        } else if (op instanceof GlobalAveragePool) {
            int plane = s.height() * s.width();
            for (int i = 0; i < dx.length; i++) dx[i] += dy[i / plane] / plane;
        } else if (op instanceof Pad p) {
            for (int c = 0; c < s.channels(); c++) {
                for (int iy = 0; iy < s.height(); iy++) {
                    for (int ix = 0; ix < s.width(); ix++) {
                        dx[(c * s.height() + iy) * s.width() + ix] +=
                                dy[(c * out.height() + iy + p.pads()[0]) * out.width() + ix + p.pads()[1]];
                    }
                }
            }
        } else if (op instanceof Flatten) {
            for (int i = 0; i < dx.length; i++) dx[i] += dy[i];
        } else if (op instanceof Dense d && !s.planar()) {
            TensorOps.denseRows(d, x, null, dy, dx);
        } else if (op instanceof Dense d) {
            for (int o = 0; o < d.outUnits(); o++) {
                for (int i = 0; i < d.inUnits(); i++) dx[i] += d.weights()[o * d.inUnits() + i] * dy[o];
            }
        } else {
            throw new IllegalArgumentException("no reference for " + op.type());
        }
    }

    /** Positions per value of Mul's second input: 1 for an element-wise product, H·W for a per-channel gate. */
    private static int gatePlane(Shape a, Shape b) {
        return a.equals(b) ? 1 : a.height() * a.width();
    }

    /** Forward (y != null) or input gradient (dy, dx != null) of a convolution, one loop nest for both. */
    private static void conv(Conv c, double[] x, Shape s, double[] y, Shape out, double[] dy, double[] dx) {
        int[] pads = c.padsFor(s.height(), s.width());
        int inPerGroup = c.inChannels() / c.group(), outPerGroup = c.outChannels() / c.group();
        int kh = c.kernelHeight(), kw = c.kernelWidth(), h = s.height(), w = s.width();
        float[] weights = c.weights();
        for (int o = 0; o < c.outChannels(); o++) {
            int g = o / outPerGroup;
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++) {
                    int at = (o * out.height() + oy) * out.width() + ox;
                    double sum = c.bias()[o], grad = dy == null ? 0 : dy[at];
                    for (int ii = 0; ii < inPerGroup; ii++) {
                        int i = g * inPerGroup + ii;
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = oy * c.strideHeight() - pads[0] + ky * c.dilationHeight();
                            if (iy < 0 || iy >= h) continue;
                            for (int kx = 0; kx < kw; kx++) {
                                int ix = ox * c.strideWidth() - pads[1] + kx * c.dilationWidth();
                                if (ix < 0 || ix >= w) continue;
                                double weight = weights[((o * inPerGroup + ii) * kh + ky) * kw + kx];
                                int xi = (i * h + iy) * w + ix;
                                if (y != null) sum += weight * x[xi];
                                else dx[xi] += weight * grad;
                            }
                        }
                    }
                    if (y != null) y[at] = sum;
                }
            }
        }
    }

    /**
     * Forward or input gradient of max or average pooling. Windows start at {@code o·stride − padBegin}; max pooling
     * ignores padding (−∞) and sends the gradient to the first maximum; average pooling divides by the in-image
     * count, or with count_include_pad by the window clipped to the padded image (PyTorch's rule, which also holds
     * for ceil_mode windows that run past the padding).
     */
    private static void pool(Pool p, double[] x, Shape s, double[] y, Shape out, double[] dy, double[] dx) {
        int h = s.height(), w = s.width();
        int[] pads = p.pads();
        for (int c = 0; c < s.channels(); c++) {
            for (int oy = 0; oy < out.height(); oy++) {
                int y0 = oy * p.strideHeight() - pads[0];
                int y1 = Math.min(y0 + p.kernelHeight(), h + pads[2]);
                int ys = Math.max(y0, 0), ye = Math.min(y1, h);
                for (int ox = 0; ox < out.width(); ox++) {
                    int x0 = ox * p.strideWidth() - pads[1];
                    int x1 = Math.min(x0 + p.kernelWidth(), w + pads[3]);
                    int xs = Math.max(x0, 0), xe = Math.min(x1, w);
                    int at = (c * out.height() + oy) * out.width() + ox;
                    if (p.kind() == Pool.Kind.MAX) {
                        int best = -1;
                        for (int iy = ys; iy < ye; iy++) {
                            for (int ix = xs; ix < xe; ix++) {
                                int i = (c * h + iy) * w + ix;
                                if (best < 0 || x[i] > x[best]) best = i;
                            }
                        }
                        if (y != null) y[at] = best < 0 ? Double.NEGATIVE_INFINITY : x[best];
                        else if (best >= 0) dx[best] += dy[at];
                    } else {
                        int divisor = p.countIncludePad() ? (y1 - y0) * (x1 - x0) : (ye - ys) * (xe - xs);
                        if (y != null) {
                            double sum = 0;
                            for (int iy = ys; iy < ye; iy++) {
                                for (int ix = xs; ix < xe; ix++) sum += x[(c * h + iy) * w + ix];
                            }
                            y[at] = sum / divisor;
                        } else {
                            double g = dy[at] / divisor;
                            for (int iy = ys; iy < ye; iy++) {
                                for (int ix = xs; ix < xe; ix++) dx[(c * h + iy) * w + ix] += g;
                            }
                        }
                    }
                }
            }
        }
    }
}
