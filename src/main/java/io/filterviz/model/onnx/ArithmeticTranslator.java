package io.filterviz.model.onnx;

import io.filterviz.model.graph.Add;
import io.filterviz.model.graph.ChannelAffine;
import io.filterviz.model.graph.Mul;
import io.filterviz.model.rewrite.GraphRewrites;

import java.util.Arrays;
import java.util.List;

/**
 * Add, Sub, Mul, Div. Of two computed tensors: a sum (skip connections) or a product (a squeeze-and-excitation gate).
 * Of a computed tensor and a constant per channel: a per-channel affine, or for a constant added after a dense layer
 * its bias.
 */
final class ArithmeticTranslator implements OnnxTranslator {
    @Override
    public List<String> opTypes() { return List.of("Add", "Sub", "Mul", "Div"); }

    @Override
    public void translate(OnnxNode n, Translation t) {
        n.allowOnly();
        boolean firstConstant = t.isConstant(n.input(0)), secondConstant = t.isConstant(n.input(1));
        if (firstConstant && secondConstant) throw n.fail("combines two constants; only shape computations are evaluated on constants");
        if (!firstConstant && !secondConstant) computed(n, t);
        else withConstant(n, t, firstConstant ? 1 : 0);
    }

    private static void computed(OnnxNode n, Translation t) {
        String a = t.runtime(n, 0), b = t.runtime(n, 1);
        TensorInfo ia = t.info(a), ib = t.info(b);
        if (ia.rank() != ib.rank()) throw n.fail("combines a " + ia.rank() + "-D and a " + ib.rank() + "-D tensor");
        switch (n.opType()) {
            case "Add" -> t.emit(n, new Add(), List.of(a, b), new TensorInfo(ia.rank(), ia.channels(), ia.global() && ib.global()));
            case "Mul" -> {
                if (ia.global() && !ib.global()) { // the gate (C×1×1) goes second
                    String s = a; a = b; b = s;
                    TensorInfo si = ia; ia = ib; ib = si;
                }
                t.emit(n, new Mul(), List.of(a, b), new TensorInfo(ia.rank(), ia.channels(), ia.global() && ib.global()));
            }
            default -> throw n.fail("of two computed tensors is not supported; " + n.opType() + " is supported by a constant");
        }
    }

    /** @param xi which input is computed (the other is the constant) */
    private static void withConstant(OnnxNode n, Translation t, int xi) {
        String op = n.opType();
        String x = t.runtime(n, xi);
        Constant c = t.constant(n.input(1 - xi));
        TensorInfo in = t.info(x);
        float[] values = perChannel(n, t, c, x, in);
        if (op.equals("Add") && t.readOnce(x) && GraphRewrites.foldBias(t.graph(), x, values, n.output(0))) {
            t.setInfo(n.output(0), in);
            return;
        }
        int channels = values.length;
        float[] scale = new float[channels], shift = new float[channels];
        for (int k = 0; k < channels; k++) {
            float v = values[k];
            switch (op) {
                case "Add" -> { scale[k] = 1; shift[k] = v; }
                case "Mul" -> scale[k] = v;
                case "Sub" -> { scale[k] = xi == 0 ? 1 : -1; shift[k] = xi == 0 ? -v : v; }
                default -> {
                    if (xi == 1) throw n.fail("divides a constant by a computed tensor; only division by a constant is supported");
                    scale[k] = 1 / v;
                }
            }
        }
        t.emit(n, ChannelAffine.of(scale, shift), List.of(x), in);
    }

    /** A constant that broadcasts over positions only: a scalar or one value per channel (unit for a vector). */
    private static float[] perChannel(OnnxNode n, Translation t, Constant c, String x, TensorInfo in) {
        long[] core = c.core();
        boolean scalar = core.length == 0;
        boolean perChannel = in.rank() == 4 ? core.length == 3 && core[1] == 1 && core[2] == 1 : core.length == 1;
        if (c.rank() > in.rank() || !(scalar || perChannel)) {
            throw n.fail("broadcasts a constant of shape " + Arrays.toString(c.dims()) + " onto " + x
                    + "; supported: a scalar or one value per channel");
        }
        int channels = scalar ? t.channelsOf(n, x, in) : (int) core[0];
        if (in.channels() >= 0 && channels != in.channels()) {
            throw n.fail("has " + channels + " values for the " + in.channels() + " channels of " + x);
        }
        float[] values = c.floats();
        if (!scalar) return values.clone();
        float[] out = new float[channels];
        Arrays.fill(out, values[0]);
        return out;
    }
}
