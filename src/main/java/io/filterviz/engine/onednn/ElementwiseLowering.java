package io.filterviz.engine.onednn;

import io.filterviz.engine.lucid.RedirectedRelu;
import io.filterviz.engine.onednn.ChainParts.Step;
import io.filterviz.engine.onednn.ChainParts.Value;
import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Shape;
import org.bytedeco.dnnl.dnnl_binary_desc_t;
import org.bytedeco.dnnl.dnnl_eltwise_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_reduction_desc_t;

import java.util.List;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * Activations (a fused ReLU's backward from the saved output), and the binary Add and Mul (a squeeze-excitation gate
 * broadcast over positions; an Add's sole-reader ReLU fused), forward and input gradient.
 */
final class ElementwiseLowering extends Lowering {
    ElementwiseLowering(ChainBuild build) { super(build); }

    /** A ReLU fused into the operator before it: nothing forward; backward from the saved output. */
    void fusedRelu(Node node) {
        Value y = values.get(node.inputs().get(0));
        values.put(node.output(), y);
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            // ReLU backward from the saved output: y > 0 exactly where the pre-activation was > 0.
            Value dx = build.redirectRelus ? redirectedBackward((Activation) node.op(), dnnl_eltwise_relu, 0f, 0f, y, dy, node.name())
                    : eltwiseBackwardInPlace(dnnl_eltwise_relu, 0f, 0f, y, node.output(), dy, node.name());
            contribute(node.inputs().get(0), dx);
        });
    }

    void activation(Node node, Activation a) {
        Value x = values.get(node.inputs().get(0));
        if (a.kind() == Activation.Kind.HARD_SIGMOID) {
            // max(0, min(1, αx + β)): a linear map, then a clip.
            Value linear = eltwise(dnnl_eltwise_linear, a.alpha(), a.beta(), x, node.name());
            Value y = eltwise(dnnl_eltwise_clip_v2, 0f, 1f, linear, node.name());
            values.put(node.output(), y);
            backwardBuilders.add(() -> {
                Value dy = gradientOf(node.output());
                if (dy == null) return;
                Value dLinear = eltwiseBackward(dnnl_eltwise_clip_v2, 0f, 1f, linear, dy, node.name());
                contribute(node.inputs().get(0), eltwiseBackward(dnnl_eltwise_linear, a.alpha(), a.beta(), x, dLinear, node.name()));
            });
            return;
        }
        int alg;
        float alpha = 0f, beta = 0f;
        switch (a.kind()) {
            case RELU -> alg = dnnl_eltwise_relu;
            case LEAKY_RELU -> {
                alg = dnnl_eltwise_relu;
                alpha = a.alpha();
            }
            case CLIP -> {
                alg = dnnl_eltwise_clip_v2;
                alpha = a.alpha();
                beta = a.beta();
            }
            case SIGMOID -> alg = dnnl_eltwise_logistic;
            case HARD_SWISH -> alg = dnnl_eltwise_hardswish;
            case GELU -> alg = dnnl_eltwise_gelu_erf;
            case TANH -> alg = dnnl_eltwise_tanh;
            case SQRT -> alg = dnnl_eltwise_sqrt;
            case ERF -> {
                erf(node, a);
                return;
            }
            default -> throw new IllegalStateException(a.kind().toString());
        }
        int algorithm = alg;
        float al = alpha, be = beta;
        Value y = eltwise(algorithm, al, be, x, node.name());
        values.put(node.output(), y);
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            contribute(node.inputs().get(0), build.redirectRelus && RedirectedRelu.applies(a)
                    ? redirectedBackward(a, algorithm, al, be, x, dy, node.name())
                    : eltwiseBackward(algorithm, al, be, x, dy, node.name()));
        });
    }

    /**
     * Lucid's redirected gradient of a ReLU or Clip ({@link RedirectedRelu}): the rule needs, per image, whether the
     * plain gradient is zero over the whole tensor. Built only into the chains of redirected steps; the plain chains
     * keep oneDNN's eltwise backward alone.
     *
     * <p>In f32, where each image is one contiguous part of the tensor (batch 1, or nchw / nhwc / nChw16c), oneDNN's
     * plain backward runs as in a plain chain, in the tensor's own layout, and a Java step then looks, image by image,
     * for a nonzero value of its result: it stops at the first one (a live layer: nothing else to do), and only where
     * there is none replaces that image's values by the redirected ones, read from the input (or a ReLU's output) and
     * the incoming gradient in the same layout (the rule is element-wise; a blocked layout's padding holds zeros in
     * all three and stays zero). Otherwise (bf16, or a batch-blocked layout) plain f32 copies of the input and the
     * incoming gradient go through {@link RedirectedRelu#backward}.
     */
    private Value redirectedBackward(Activation a, int alg, float alpha, float beta, Value x, Value dy, String name) {
        if (x.dataType() == dnnl_f32 && Dnnl.imagesContiguous(x.md(), batch)) {
            Value[] dyInAndDx = new Value[2];
            Value dx = eltwiseBackward(alg, alpha, beta, x, dy, name, dyInAndDx, false);
            Value dyIn = dyInAndDx[0];
            if (!Dnnl.same(dyIn.md(), x.md()) || !Dnnl.same(dx.md(), x.md())) {
                throw new IllegalStateException("eltwise backward " + name + " changed the layout");
            }
            int perImage = Math.toIntExact(Dnnl.bytes(x.md()) / Float.BYTES / batch);
            backward.add(parts.java(stream -> {
                Dnnl.check(dnnl_stream_wait(stream), "stream_wait");
                RedirectedRelu.redirectWhereBlocked(a, x.buffer().floats().asBuffer(), dyIn.buffer().floats().asBuffer(),
                        dx.buffer().floats().asBuffer(), batch, perImage);
            }, x, dyIn, dx));
            return dx;
        }
        long[] dims = x.dims();
        dnnl_memory_desc_t plain = Dnnl.plain(dnnl_f32, dims);
        long values = 1;
        for (long d : dims) values *= d;
        int perImage = Math.toIntExact(values / batch);
        Value xPlain = parts.reorderIfNeeded(backward, x, plain);
        Value dyPlain = parts.reorderIfNeeded(backward, dy, plain);
        Value dx = parts.buffer(plain);
        backward.add(parts.java(stream -> {
            Dnnl.check(dnnl_stream_wait(stream), "stream_wait");
            RedirectedRelu.backward(a, xPlain.buffer().floats().asBuffer(), dyPlain.buffer().floats().asBuffer(),
                    dx.buffer().floats().asBuffer(), batch, perImage);
        }, xPlain, dyPlain, dx));
        return dx;
    }

    /**
     * Erf, which oneDNN has no eltwise for (a GELU arrives whole as {@link Activation.Kind#GELU}: gelu_erf): a Java
     * loop over plain f32 copies, forward and backward.
     */
    private void erf(Node node, Activation a) {
        String input = node.inputs().get(0);
        long[] d = dims(shapes.get(input));
        dnnl_memory_desc_t plain = Dnnl.plain(dnnl_f32, d);
        Value x = build.plain(input, dnnl_f32);
        Value y = parts.buffer(plain);
        forward.add(parts.java(stream -> {
            Dnnl.check(dnnl_stream_wait(stream), "stream_wait");
            java.nio.FloatBuffer in = x.buffer().floats().asBuffer(), out = y.buffer().floats().asBuffer();
            for (int i = 0, n = Math.toIntExact(Dnnl.bytes(plain) / Float.BYTES); i < n; i++) out.put(i, (float) a.apply(in.get(i)));
        }, x, y));
        values.put(node.output(), y);
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            Value g = parts.reorderIfNeeded(backward, dy, plain);
            Value dx = parts.buffer(plain);
            backward.add(parts.java(stream -> {
                Dnnl.check(dnnl_stream_wait(stream), "stream_wait");
                java.nio.FloatBuffer in = x.buffer().floats().asBuffer(), gy = g.buffer().floats().asBuffer(),
                        out = dx.buffer().floats().asBuffer();
                for (int i = 0, n = Math.toIntExact(Dnnl.bytes(plain) / Float.BYTES); i < n; i++) {
                    out.put(i, (float) (gy.get(i) * a.derivative(in.get(i))));
                }
            }, x, g, dx));
            contribute(input, dx);
        });
    }

    private Value eltwise(int alg, float alpha, float beta, Value x, String name) {
        dnnl_eltwise_desc_t desc = new dnnl_eltwise_desc_t();
        Dnnl.check(dnnl_eltwise_forward_desc_init(desc, build.forwardKind(), alg, x.md(), alpha, beta),
                "eltwise_forward_desc_init " + name);
        dnnl_primitive_desc pd = parts.desc(desc, parts.attr(), null, "eltwise forward " + name);
        Value y = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        forward.add(parts.primitive(pd, DNNL_ARG_SRC, x, DNNL_ARG_DST, y));
        return y;
    }

    void add(Node node) {
        String a = node.inputs().get(0), b = node.inputs().get(1);
        Value x = values.get(a);
        Value y = parts.reorderIfNeeded(forward, values.get(b), x.md());
        Value out = binary(forward, dnnl_binary_add, x, y, fusesRelu(node), node.name());
        values.put(node.output(), out);
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            contribute(a, dy);
            contribute(b, dy);
        });
    }

    /** x ⊙ y, y of x's shape or a per-channel gate (C × 1 × 1, squeeze-and-excitation) broadcast over positions. */
    void mul(Node node) {
        String a = node.inputs().get(0), b = node.inputs().get(1);
        Value x = values.get(a);
        Shape xs = shapes.get(a), gs = shapes.get(b);
        boolean gate = !xs.equals(gs);
        dnnl_memory_desc_t yMd = gate ? Dnnl.plain(x.dataType(), batch, gs.channels(), 1, 1) : x.md();
        Value y = parts.reorderIfNeeded(forward, values.get(b), yMd);
        values.put(node.output(), binary(forward, dnnl_binary_mul, x, y, node.name()));
        backwardBuilders.add(() -> {
            Value dy = gradientOf(node.output());
            if (dy == null) return;
            Value dyIn = parts.reorderIfNeeded(backward, dy, x.md());
            contribute(a, binary(backward, dnnl_binary_mul, dyIn, y, node.name() + " backward"));
            Value product = binary(backward, dnnl_binary_mul, dyIn, x, node.name() + " backward");
            if (!gate) {
                contribute(b, product);
                return;
            }
            // d gate = Σ over positions of dy ⊙ x
            dnnl_reduction_desc_t desc = new dnnl_reduction_desc_t();
            Dnnl.check(dnnl_reduction_desc_init(desc, dnnl_reduction_sum, product.md(),
                    Dnnl.md(dnnl_f32, dnnl_format_tag_any, batch, gs.channels(), 1, 1), 0f, 0f), "reduction_desc_init " + node.name());
            dnnl_primitive_desc pd = parts.desc(desc, parts.attr(), null, "reduction " + node.name());
            Value dGate = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
            backward.add(parts.primitive(pd, DNNL_ARG_SRC, product, DNNL_ARG_DST, dGate));
            contribute(b, dGate);
        });
    }

    private Value binary(List<Step> into, int alg, Value x, Value y, String name) {
        return binary(into, alg, x, y, false, name);
    }

    /** {@code x alg y}, with a ReLU after it when {@code relu} (ResNet's Add before its ReLU). */
    private Value binary(List<Step> into, int alg, Value x, Value y, boolean relu, String name) {
        dnnl_binary_desc_t desc = new dnnl_binary_desc_t();
        Dnnl.check(dnnl_binary_desc_init(desc, alg, x.md(), y.md(), x.md()), "binary_desc_init " + name);
        dnnl_primitive_desc pd = parts.desc(desc, parts.attr(relu ? dnnl_eltwise_relu : -1), null, "binary " + name);
        Value out = parts.buffer(Dnnl.query(pd, dnnl_query_dst_md));
        into.add(parts.primitive(pd, DNNL_ARG_SRC_0, x, DNNL_ARG_SRC_1, y, DNNL_ARG_DST, out));
        return out;
    }
}
