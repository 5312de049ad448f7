package io.filterviz.model.onnx;

import io.filterviz.model.graph.Add;
import io.filterviz.model.graph.Binary;
import io.filterviz.model.graph.ConstantBinary;
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
        if (!firstConstant && !secondConstant) computed(n, t);
        else withConstant(n, t, firstConstant ? 1 : 0);
    }

    private static void computed(OnnxNode n, Translation t) {
        String a = t.runtime(n, 0), b = t.runtime(n, 1);
        TensorInfo ia = t.info(a), ib = t.info(b);
        if (!ia.planar() || !ib.planar() || n.opType().equals("Sub") || n.opType().equals("Div") || !sameOrGate(n, t, a, b)) {
            broadcast(n, t, a, b);
            return;
        }
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

    /** Whether two images or vectors are of one shape, or the second a per-channel gate, as Add and Mul take them. */
    private static boolean sameOrGate(OnnxNode n, Translation t, String a, String b) {
        if (t.input().height() == 0) return true; // free size: today's rule, checked by the shapes later
        io.filterviz.model.graph.Shape sa = t.probeShape(n, a), sb = t.probeShape(n, b);
        if (sa.equals(sb)) return true;
        return n.opType().equals("Mul") && (sb.isImage() && sb.height() == 1 && sb.width() == 1 && sb.channels() == sa.channels()
                || sa.isImage() && sa.height() == 1 && sa.width() == 1 && sa.channels() == sb.channels());
    }

    private static Binary.Kind kind(String opType) {
        return switch (opType) {
            case "Add" -> Binary.Kind.ADD;
            case "Sub" -> Binary.Kind.SUB;
            case "Mul" -> Binary.Kind.MUL;
            default -> Binary.Kind.DIV;
        };
    }

    /** Two computed tensors broadcast as numpy's: a LayerNorm written out, GELU's x·Φ(x), masks. */
    private static void broadcast(OnnxNode n, Translation t, String a, String b) {
        TensorInfo ia = t.info(a), ib = t.info(b);
        boolean batched = ia.batched() && ib.batched() && ia.rank() == ib.rank();
        String sa = batched ? a : TensorTranslator.unbatched(n, t, a), sb = batched ? b : TensorTranslator.unbatched(n, t, b);
        if (!batched && t.info(sa).rank() != t.info(sb).rank()) {
            throw n.fail("combines tensors of ranks " + ia.rank() + " and " + ib.rank() + " whose batch axes differ");
        }
        t.emitTensor(n.name(), new Binary(kind(n.opType())), List.of(sa, sb), n.output(0), batched, n);
    }

    /** A computed tensor of any rank and a constant broadcast onto it (a position embedding, a scale, a bias). */
    private static void tensorWithConstant(OnnxNode n, Translation t, int xi, String x, Constant c) {
        TensorInfo in = t.info(x);
        long[] cd = c.dims();
        // a Linear's bias on tokens, also where attention moved the batch axis inside (ViT's q, k, v projection)
        if (n.opType().equals("Add") && cd.length <= 1 && t.readOnce(x)) {
            long[] dims = t.onnxDims(n, x);
            if (cd.length == 1 && cd[0] == dims[dims.length - 1]
                    && GraphRewrites.foldBias(t.graph(), x, c.floats(), n.output(0))) {
                t.setInfo(n.output(0), in);
                return;
            }
        }
        int strip = in.batched() && cd.length == in.rank() ? 1 : 0;
        if (strip == 1 && cd[0] != 1) throw n.fail("broadcasts a constant of shape " + Arrays.toString(cd) + " over the batch");
        int[] dims = new int[cd.length - strip];
        for (int i = 0; i < dims.length; i++) dims[i] = (int) cd[i + strip];
        if (dims.length == 0) dims = new int[]{1};
        t.emitTensor(n.name(), new ConstantBinary(kind(n.opType()), c.floats().clone(), dims, xi == 1), List.of(x), n.output(0),
                in.batched(), n);
    }

    /** @param xi which input is computed (the other is the constant) */
    private static void withConstant(OnnxNode n, Translation t, int xi) {
        String op = n.opType();
        String x = t.runtime(n, xi);
        Constant c = t.constant(n.input(1 - xi));
        TensorInfo in = t.info(x);
        // a free-size image takes only what fits every size: a scalar or one value per channel
        if (!in.planar() || !perChannelShaped(c, in) && t.input().height() > 0) {
            tensorWithConstant(n, t, xi, x, c);
            return;
        }
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

    /** Whether the constant is a scalar or one value per channel of an image or vector (a per-channel affine). */
    private static boolean perChannelShaped(Constant c, TensorInfo in) {
        long[] core = c.core();
        if (c.rank() > in.rank()) return false;
        return core.length == 0 || (in.rank() == 4 ? core.length == 3 && core[1] == 1 && core[2] == 1 : core.length == 1);
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
