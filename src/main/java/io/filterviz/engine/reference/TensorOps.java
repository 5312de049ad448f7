package io.filterviz.engine.reference;

import io.filterviz.model.graph.Binary;
import io.filterviz.model.graph.Broadcast;
import io.filterviz.model.graph.Concat;
import io.filterviz.model.graph.ConstantBinary;
import io.filterviz.model.graph.ConstantConcat;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.Gather;
import io.filterviz.model.graph.LayerNorm;
import io.filterviz.model.graph.MatMul;
import io.filterviz.model.graph.Op;
import io.filterviz.model.graph.ReduceMean;
import io.filterviz.model.graph.Reshape;
import io.filterviz.model.graph.Shape;
import io.filterviz.model.graph.Slice;
import io.filterviz.model.graph.Softmax;
import io.filterviz.model.graph.Transpose;

import java.util.List;

/**
 * The reference's operators on tensors of any rank (transformers' and Swin's), forward and input gradient in double
 * precision, row-major with the batch axis left out. Backward adds into the input gradients.
 */
final class TensorOps {
    private TensorOps() {}

    static boolean handles(Op op) {
        return op instanceof MatMul || op instanceof Transpose || op instanceof Reshape || op instanceof Slice
                || op instanceof Gather || op instanceof Binary || op instanceof ConstantBinary || op instanceof LayerNorm
                || op instanceof Softmax || op instanceof ReduceMean || op instanceof ConstantConcat;
    }

    static void forward(Op op, List<double[]> in, List<Shape> inShapes, Shape out, double[] y) {
        double[] x = in.get(0);
        Shape s = inShapes.get(0);
        if (op instanceof Reshape) {
            System.arraycopy(x, 0, y, 0, y.length);
        } else if (op instanceof Transpose t) {
            int[] map = transposeSource(t, s);
            for (int i = 0; i < y.length; i++) y[i] = x[map[i]];
        } else if (op instanceof Slice sl) {
            int[] map = sliceSource(sl, s, out);
            for (int i = 0; i < y.length; i++) y[i] = x[map[i]];
        } else if (op instanceof Gather g) {
            int[] map = gatherSource(g, s);
            for (int i = 0; i < y.length; i++) y[i] = x[map[i]];
        } else if (op instanceof Binary b) {
            int[] ia = Broadcast.sourceIndex(out.dims(), s.dims()), ib = Broadcast.sourceIndex(out.dims(), inShapes.get(1).dims());
            double[] x2 = in.get(1);
            for (int i = 0; i < y.length; i++) y[i] = b.apply(x[ia[i]], x2[ib[i]]);
        } else if (op instanceof ConstantBinary c) {
            int[] ic = Broadcast.sourceIndex(out.dims(), c.dims());
            for (int i = 0; i < y.length; i++) y[i] = c.apply(x[i], c.values()[ic[i]]);
        } else if (op instanceof MatMul) {
            matMul(in, inShapes, out, y, null, null);
        } else if (op instanceof LayerNorm ln) {
            int n = ln.scale().length;
            for (int r = 0; r < y.length / n; r++) {
                double mean = 0, var = 0;
                for (int i = 0; i < n; i++) mean += x[r * n + i];
                mean /= n;
                for (int i = 0; i < n; i++) var += (x[r * n + i] - mean) * (x[r * n + i] - mean);
                double inv = 1 / Math.sqrt(var / n + ln.epsilon());
                for (int i = 0; i < n; i++) y[r * n + i] = (x[r * n + i] - mean) * inv * ln.scale()[i] + ln.shift()[i];
            }
        } else if (op instanceof Softmax sm) {
            Lines lines = new Lines(s, sm.axis());
            for (int l = 0; l < lines.count; l++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int k = 0; k < lines.length; k++) max = Math.max(max, x[lines.at(l, k)]);
                for (int k = 0; k < lines.length; k++) sum += y[lines.at(l, k)] = Math.exp(x[lines.at(l, k)] - max);
                for (int k = 0; k < lines.length; k++) y[lines.at(l, k)] /= sum;
            }
        } else if (op instanceof ConstantConcat cc) {
            double[] c = new double[cc.values().length];
            for (int i = 0; i < c.length; i++) c[i] = cc.values()[i];
            List<double[]> parts = cc.constantFirst() ? List.of(c, x) : List.of(x, c);
            List<Shape> shapes = cc.constantFirst() ? List.of(cc.constantShape(s), s) : List.of(s, cc.constantShape(s));
            concat(new Concat(2, cc.axis()), parts, shapes, out, y, null, null);
        } else if (op instanceof ReduceMean rm) {
            Lines lines = new Lines(s, rm.axis());
            for (int l = 0; l < lines.count; l++) {
                double sum = 0;
                for (int k = 0; k < lines.length; k++) sum += x[lines.at(l, k)];
                y[l] = sum / lines.length;
            }
        } else {
            throw new IllegalArgumentException("no reference for " + op.type());
        }
    }

    static void backward(Op op, List<double[]> in, List<Shape> inShapes, Shape out, double[] dy, List<double[]> dIn) {
        double[] x = in.get(0), dx = dIn.get(0);
        Shape s = inShapes.get(0);
        if (op instanceof Reshape) {
            for (int i = 0; i < dy.length; i++) dx[i] += dy[i];
        } else if (op instanceof Transpose t) {
            int[] map = transposeSource(t, s);
            for (int i = 0; i < dy.length; i++) dx[map[i]] += dy[i];
        } else if (op instanceof Slice sl) {
            int[] map = sliceSource(sl, s, out);
            for (int i = 0; i < dy.length; i++) dx[map[i]] += dy[i];
        } else if (op instanceof Gather g) {
            int[] map = gatherSource(g, s);
            for (int i = 0; i < dy.length; i++) dx[map[i]] += dy[i];
        } else if (op instanceof Binary b) {
            int[] ia = Broadcast.sourceIndex(out.dims(), s.dims()), ib = Broadcast.sourceIndex(out.dims(), inShapes.get(1).dims());
            double[] x2 = in.get(1), dx2 = dIn.get(1);
            for (int i = 0; i < dy.length; i++) {
                double a = x[ia[i]], c = x2[ib[i]];
                switch (b.kind()) {
                    case ADD -> { dx[ia[i]] += dy[i]; dx2[ib[i]] += dy[i]; }
                    case SUB -> { dx[ia[i]] += dy[i]; dx2[ib[i]] -= dy[i]; }
                    case MUL -> { dx[ia[i]] += dy[i] * c; dx2[ib[i]] += dy[i] * a; }
                    case DIV -> { dx[ia[i]] += dy[i] / c; dx2[ib[i]] -= dy[i] * a / (c * c); }
                }
            }
        } else if (op instanceof ConstantBinary c) {
            int[] ic = Broadcast.sourceIndex(out.dims(), c.dims());
            for (int i = 0; i < dy.length; i++) dx[i] += dy[i] * c.derivative(x[i], c.values()[ic[i]]);
        } else if (op instanceof MatMul) {
            matMul(in, inShapes, out, null, dy, dIn);
        } else if (op instanceof LayerNorm ln) {
            int n = ln.scale().length;
            for (int r = 0; r < dy.length / n; r++) {
                double mean = 0, var = 0;
                for (int i = 0; i < n; i++) mean += x[r * n + i];
                mean /= n;
                for (int i = 0; i < n; i++) var += (x[r * n + i] - mean) * (x[r * n + i] - mean);
                double inv = 1 / Math.sqrt(var / n + ln.epsilon());
                double sumG = 0, sumGX = 0; // g = dy·scale; dx = inv·(g − mean(g) − x̂·mean(g·x̂))
                for (int i = 0; i < n; i++) {
                    double g = dy[r * n + i] * ln.scale()[i], xhat = (x[r * n + i] - mean) * inv;
                    sumG += g;
                    sumGX += g * xhat;
                }
                for (int i = 0; i < n; i++) {
                    double g = dy[r * n + i] * ln.scale()[i], xhat = (x[r * n + i] - mean) * inv;
                    dx[r * n + i] += inv * (g - sumG / n - xhat * sumGX / n);
                }
            }
        } else if (op instanceof Softmax sm) {
            Lines lines = new Lines(s, sm.axis());
            double[] y = new double[dy.length];
            forward(op, in, inShapes, out, y);
            for (int l = 0; l < lines.count; l++) {
                double dot = 0;
                for (int k = 0; k < lines.length; k++) dot += dy[lines.at(l, k)] * y[lines.at(l, k)];
                for (int k = 0; k < lines.length; k++) dx[lines.at(l, k)] += y[lines.at(l, k)] * (dy[lines.at(l, k)] - dot);
            }
        } else if (op instanceof ConstantConcat cc) {
            double[] ignored = new double[cc.values().length];
            List<double[]> grads = cc.constantFirst() ? List.of(ignored, dx) : List.of(dx, ignored);
            List<Shape> shapes = cc.constantFirst() ? List.of(cc.constantShape(s), s) : List.of(s, cc.constantShape(s));
            concat(new Concat(2, cc.axis()), null, shapes, out, null, dy, grads);
        } else if (op instanceof ReduceMean rm) {
            Lines lines = new Lines(s, rm.axis());
            for (int l = 0; l < lines.count; l++) {
                for (int k = 0; k < lines.length; k++) dx[lines.at(l, k)] += dy[l] / lines.length;
            }
        } else {
            throw new IllegalArgumentException("no reference for " + op.type());
        }
    }

    /** A dense layer on the last axis of every row (a transformer's Linear on each token). */
    static void denseRows(Dense d, double[] x, double[] y, double[] dy, double[] dx) {
        int rows = (y != null ? y.length : dy.length) / d.outUnits();
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < d.outUnits(); o++) {
                if (y != null) {
                    double sum = d.bias()[o];
                    for (int i = 0; i < d.inUnits(); i++) sum += d.weights()[o * d.inUnits() + i] * x[r * d.inUnits() + i];
                    y[r * d.outUnits() + o] = sum;
                } else {
                    double g = dy[r * d.outUnits() + o];
                    for (int i = 0; i < d.inUnits(); i++) dx[r * d.inUnits() + i] += d.weights()[o * d.inUnits() + i] * g;
                }
            }
        }
    }

    /** Forward (y given) or both input gradients (dy, dIn given) of a broadcast batched matrix product. */
    private static void matMul(List<double[]> in, List<Shape> inShapes, Shape out, double[] y, double[] dy, List<double[]> dIn) {
        Shape sa = inShapes.get(0), sb = inShapes.get(1);
        int m = sa.dim(sa.rank() - 2), k = sa.dim(sa.rank() - 1), n = sb.dim(sb.rank() - 1);
        int[] outBatch = java.util.Arrays.copyOf(out.dims(), out.rank() - 2);
        int[] ba = Broadcast.sourceIndex(outBatch.length == 0 ? new int[]{1} : outBatch,
                outBatch.length == 0 ? new int[]{1} : java.util.Arrays.copyOf(sa.dims(), sa.rank() - 2));
        int[] bb = Broadcast.sourceIndex(outBatch.length == 0 ? new int[]{1} : outBatch,
                outBatch.length == 0 ? new int[]{1} : java.util.Arrays.copyOf(sb.dims(), sb.rank() - 2));
        double[] a = in.get(0), b = in.get(1);
        for (int t = 0; t < ba.length; t++) {
            int offA = ba[t] * m * k, offB = bb[t] * k * n, offY = t * m * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    if (y != null) {
                        double sum = 0;
                        for (int p = 0; p < k; p++) sum += a[offA + i * k + p] * b[offB + p * n + j];
                        y[offY + i * n + j] = sum;
                    } else {
                        double g = dy[offY + i * n + j];
                        for (int p = 0; p < k; p++) {
                            dIn.get(0)[offA + i * k + p] += g * b[offB + p * n + j];
                            dIn.get(1)[offB + p * n + j] += g * a[offA + i * k + p];
                        }
                    }
                }
            }
        }
    }

    /** For each output index of a Transpose, the input index it reads. */
    private static int[] transposeSource(Transpose t, Shape in) {
        int rank = in.rank();
        long[] inStrides = in.strides();
        int[] outDims = new int[rank];
        long[] strides = new long[rank];
        for (int a = 0; a < rank; a++) {
            outDims[a] = in.dim(t.perm()[a]);
            strides[a] = inStrides[t.perm()[a]];
        }
        return walk(outDims, strides, 0);
    }

    private static int[] sliceSource(Slice sl, Shape in, Shape out) {
        long[] strides = in.strides();
        long[] range = sl.range(in.dim(sl.axis()));
        long base = range[0] * strides[sl.axis()];
        strides[sl.axis()] *= sl.step();
        return walk(out.dims(), strides, base);
    }

    private static int[] gatherSource(Gather g, Shape in) {
        long[] strides = in.strides();
        int size = in.dim(g.axis());
        int[] dims = in.dims();
        dims[g.axis()] = 1;
        int[] base = walk(dims, strides, 0); // the input with the gathered axis at index 0
        int count = g.indices().length;
        long outer = 1;
        for (int a = 0; a < g.axis(); a++) outer *= in.dim(a);
        int inner = (int) strides[g.axis()];
        int[] map = new int[(int) (outer * count * inner)];
        int at = 0;
        for (long o = 0; o < outer; o++) {
            for (int c = 0; c < count; c++) {
                for (int i = 0; i < inner; i++) map[at++] = base[(int) (o * inner + i)] + (int) (g.index(c, size) * strides[g.axis()]);
            }
        }
        return map;
    }

    /** Flat offsets base + Σ coord[a]·strides[a] over the row-major walk of {@code dims}. */
    private static int[] walk(int[] dims, long[] strides, long base) {
        long total = 1;
        for (int d : dims) total *= d;
        int[] map = new int[(int) total];
        int[] coord = new int[dims.length];
        for (int i = 0; i < map.length; i++) {
            long src = base;
            for (int a = 0; a < dims.length; a++) src += coord[a] * strides[a];
            map[i] = (int) src;
            for (int a = dims.length - 1; a >= 0; a--) {
                if (++coord[a] < dims[a]) break;
                coord[a] = 0;
            }
        }
        return map;
    }

    /** The lines of a tensor along one axis: line l's k-th value is at {@link #at}. */
    private static final class Lines {
        final int count, length;
        final long inner;

        Lines(Shape s, int axis) {
            length = s.dim(axis);
            long in = 1;
            for (int a = axis + 1; a < s.rank(); a++) in *= s.dim(a);
            inner = in;
            count = (int) (s.size() / length);
        }

        int at(int line, int k) {
            long outer = line / inner, i = line % inner;
            return (int) ((outer * length + k) * inner + i);
        }
    }

    /** Concatenation on any axis: input {@code p}'s values in the output, forward or backward. */
    static void concat(Concat c, List<double[]> in, List<Shape> inShapes, Shape out, double[] y, double[] dy, List<double[]> dIn) {
        long outer = 1;
        for (int a = 0; a < c.axis(); a++) outer *= out.dim(a);
        long outInner = out.size() / outer;
        long offset = 0;
        for (int p = 0; p < inShapes.size(); p++) {
            long block = inShapes.get(p).size() / outer;
            for (long o = 0; o < outer; o++) {
                for (long i = 0; i < block; i++) {
                    int src = (int) (o * block + i), dst = (int) (o * outInner + offset + i);
                    if (y != null) y[dst] = in.get(p)[src];
                    else dIn.get(p)[src] += dy[dst];
                }
            }
            offset += block;
        }
    }
}
