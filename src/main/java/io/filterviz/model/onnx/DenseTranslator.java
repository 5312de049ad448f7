package io.filterviz.model.onnx;

import io.filterviz.model.graph.Dense;

import java.util.Arrays;
import java.util.List;

/** Gemm and MatMul of a vector (or a C×1×1 tensor) by a constant matrix: a dense layer. */
final class DenseTranslator implements OnnxTranslator {
    @Override
    public List<String> opTypes() { return List.of("Gemm", "MatMul"); }

    @Override
    public void translate(OnnxNode n, Translation t) {
        if (n.opType().equals("Gemm")) gemm(n, t);
        else matMul(n, t);
    }

    private static void gemm(OnnxNode n, Translation t) {
        n.allowOnly("alpha", "beta", "transA", "transB", "broadcast");
        if (n.integer("transA", 0) != 0) throw n.fail("has transA=1; only transB is supported");
        String x = t.runtime(n, 0);
        Constant b = t.constantInput(n, 1, "B");
        if (b.rank() != 2) throw n.fail("has a " + b.rank() + "-D B; a 2-D constant matrix is supported");
        boolean transB = n.integer("transB", 0) != 0;
        int in = (int) b.dims()[transB ? 1 : 0], out = (int) b.dims()[transB ? 0 : 1];
        float alpha = n.real("alpha", 1f), beta = n.real("beta", 1f);
        float[] w = t.weights() ? outByIn(b.floats(), in, out, transB, alpha) : Dense.NO_WEIGHTS;
        float[] bias = new float[out];
        if (n.inputCount() > 2 && !n.input(2).isEmpty()) {
            Constant c = t.constantInput(n, 2, "C");
            long[] core = c.core();
            if (!(core.length == 0 || core.length == 1 && core[0] == out) || c.rank() > 2) {
                throw n.fail("has C of shape " + Arrays.toString(c.dims()) + "; supported: a scalar or one value per output");
            }
            float[] v = c.floats();
            for (int k = 0; k < out; k++) bias[k] = beta * v[core.length == 0 ? 0 : k];
        }
        dense(n, t, x, new Dense(out, in, w, bias));
    }

    private static void matMul(OnnxNode n, Translation t) {
        n.allowOnly();
        if (t.isConstant(n.input(0))) throw n.fail("multiplies a constant by a computed tensor; supported: a vector times a constant matrix");
        String x = t.runtime(n, 0);
        if (!t.isConstant(n.input(1))) {
            product(n, t, x, t.runtime(n, 1));
            return;
        }
        Constant b = t.constantInput(n, 1, "B");
        if (b.rank() != 2) throw n.fail("has a " + b.rank() + "-D B; a 2-D constant matrix is supported");
        int in = (int) b.dims()[0], out = (int) b.dims()[1];
        dense(n, t, x, new Dense(out, in, t.weights() ? outByIn(b.floats(), in, out, false, 1f) : Dense.NO_WEIGHTS, new float[out]));
    }

    /** Attention's products of two computed tensors, batched over their leading axes. */
    private static void product(OnnxNode n, Translation t, String a, String b) {
        TensorInfo ia = t.info(a), ib = t.info(b);
        if (ia.rank() < 2 || ib.rank() < 2) throw n.fail("multiplies a vector; two computed matrices (rank 2 or more) are supported");
        boolean batched = ia.batched() && ib.batched() && ia.rank() == ib.rank() && ia.rank() > 2;
        String sa = batched ? a : TensorTranslator.unbatched(n, t, a), sb = batched ? b : TensorTranslator.unbatched(n, t, b);
        t.emitTensor(n.name(), new io.filterviz.model.graph.MatMul(), List.of(sa, sb), n.output(0), batched, n);
    }

    private static void dense(OnnxNode n, Translation t, String x, Dense dense) {
        TensorInfo info = t.info(x);
        if (!info.planar() || info.rank() > 2 && !info.global()) {
            // a Linear on the last axis of every token, or of every position of a channels-last plane
            if (info.planar()) throw n.fail("takes the image " + x + "; supported: a vector, a C×1×1 tensor, or tokens × channels");
            long[] dims = t.onnxDims(n, x);
            if (dims[dims.length - 1] != dense.inUnits()) {
                throw n.fail("takes " + dense.inUnits() + " values on the last axis, " + x + " has " + dims[dims.length - 1]);
            }
            t.emitTensor(n.name(), dense, List.of(x), n.output(0), info.batched(), n);
            return;
        }
        if (info.rank() != 2 && !info.global()) {
            throw n.fail("takes the image " + x + "; supported: a vector (after Flatten) or a C×1×1 tensor");
        }
        if (info.channels() >= 0 && info.channels() != dense.inUnits()) {
            throw n.fail("takes " + dense.inUnits() + " inputs, " + x + " has " + info.channels());
        }
        t.emit(n, dense, List.of(x), new TensorInfo(2, dense.outUnits(), false));
    }

    /** ONNX's B (in × out, or out × in with transB) → our out × in, times alpha. */
    private static float[] outByIn(float[] b, int in, int out, boolean transB, float alpha) {
        // PyTorch's Linear (Gemm, transB=1) is already out × in: no second copy of what may be hundreds of MB
        if (transB && alpha == 1f) return b;
        float[] w = new float[in * out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                float v = transB ? b[o * in + i] : b[i * out + o];
                w[o * in + i] = alpha == 1f ? v : alpha * v;
            }
        }
        return w;
    }
}
