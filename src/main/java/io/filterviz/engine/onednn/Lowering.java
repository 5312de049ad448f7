package io.filterviz.engine.onednn;

import io.filterviz.engine.onednn.ChainParts.Step;
import io.filterviz.engine.onednn.ChainParts.Value;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Shape;

import java.util.List;
import java.util.Map;
import java.util.Set;

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
}
