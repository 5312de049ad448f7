package io.filterviz.engine.onednn;

import io.filterviz.engine.onednn.ChainParts.Step;
import io.filterviz.engine.onednn.ChainParts.Value;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Shape;
import org.bytedeco.dnnl.dnnl_eltwise_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * One family of operators turned into primitives: each method lowers one node, adds its forward steps, and registers
 * how to build its backward ones once the gradient of its output is complete. The state they share is the chain's
 * {@link ChainBuild}; these fields are its parts, named as the lowering code reads them.
 */
abstract class Lowering {
    protected final ChainBuild build;
    protected final OnednnModel model;
    protected final ChainParts parts;
    protected final Graph graph;
    protected final TargetHead head;
    protected final Map<String, Shape> shapes;
    protected final int batch;
    /** The chain's data type (f32 or bf16). */
    protected final int dt;
    protected final Map<String, Value> values;
    protected final List<Step> forward;
    protected final List<Step> backward;
    protected final List<Step> filterLoad;
    protected final Set<String> fusedRelus;
    protected final Map<String, Node> foldedPads;
    protected final List<Runnable> backwardBuilders;

    Lowering(ChainBuild build) {
        this.build = build;
        this.model = build.model;
        this.parts = build.parts;
        this.graph = build.graph;
        this.head = build.head;
        this.shapes = build.shapes;
        this.batch = build.batch;
        this.dt = build.dt;
        this.values = build.values;
        this.forward = build.forward;
        this.backward = build.backward;
        this.filterLoad = build.filterLoad;
        this.fusedRelus = build.fusedRelus;
        this.foldedPads = build.foldedPads;
        this.backwardBuilders = build.backwardBuilders;
    }

    protected void contribute(String tensor, Value gradient) { build.contribute(tensor, gradient); }

    protected Value gradientOf(String tensor) { return build.gradientOf(tensor); }

    protected long[] dims(Shape s) { return build.dims(s); }

    protected boolean fusesRelu(Node node) { return build.fusesRelu(node); }

    protected int computeType(String input) { return build.computeType(input); }

    protected static Object[] multipleSources(List<Value> sources, Value dst) { return ChainBuild.multipleSources(sources, dst); }

    /** d/dx of an element-wise function at the forward's input {@code x} (for a fused ReLU: its output). */
    protected Value eltwiseBackward(int alg, float alpha, float beta, Value x, Value dy, String name) {
        return eltwiseBackward(alg, alpha, beta, x, dy, name, null, false);
    }

    /**
     * The same, written over the incoming gradient of {@code tensor} when nothing else holds that memory (fewer
     * streams through memory: this backward reads two tensors and writes one, at block1's size several MB each).
     */
    protected Value eltwiseBackwardInPlace(int alg, float alpha, float beta, Value x, String tensor, Value dy, String name) {
        return eltwiseBackward(alg, alpha, beta, x, dy, name, null, build.ownsGradient(tensor, dy));
    }

    /**
     * The same; {@code dyInAndDx}, when given, receives the incoming gradient as the primitive reads it, and dx;
     * {@code overwrite}: dx is the incoming gradient's own memory where the layouts allow.
     */
    protected Value eltwiseBackward(int alg, float alpha, float beta, Value x, Value dy, String name, Value[] dyInAndDx,
                                    boolean overwrite) {
        dnnl_eltwise_desc_t fwdDesc = new dnnl_eltwise_desc_t();
        Dnnl.check(dnnl_eltwise_forward_desc_init(fwdDesc, dnnl_forward_training, alg, x.md(), alpha, beta),
                "eltwise_forward_desc_init");
        dnnl_primitive_desc hint = parts.desc(fwdDesc, null, null, "eltwise forward hint " + name);
        dnnl_eltwise_desc_t bwdDesc = new dnnl_eltwise_desc_t();
        Dnnl.check(dnnl_eltwise_backward_desc_init(bwdDesc, alg, x.md(), x.md(), alpha, beta), "eltwise_backward_desc_init");
        dnnl_primitive_desc back = parts.desc(bwdDesc, parts.attr(), hint, "eltwise backward " + name);
        Value dyIn = parts.reorderIfNeeded(backward, dy, Dnnl.query(back, dnnl_query_diff_dst_md));
        dnnl_memory_desc_t dxMd = Dnnl.query(back, dnnl_query_diff_src_md);
        Value dx = overwrite && Dnnl.same(dyIn.md(), dxMd) ? dyIn : parts.buffer(dxMd);
        backward.add(parts.primitive(back, DNNL_ARG_SRC, x, DNNL_ARG_DIFF_DST, dyIn, DNNL_ARG_DIFF_SRC, dx));
        if (dyInAndDx != null) {
            dyInAndDx[0] = dyIn;
            dyInAndDx[1] = dx;
        }
        return dx;
    }
}
