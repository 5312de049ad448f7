package io.filterviz.engine.reference;

import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.lucid.LucidObjective;
import io.filterviz.model.graph.Graph;

/**
 * The reference graph as a {@link FilterObjective}: float images in and out, double inside. Slow; exact. It has the
 * redirected ReLU gradient too ({@link LucidObjective}).
 */
public final class ReferenceObjective implements FilterObjective, LucidObjective {
    private final ReferenceGraph reference;
    private final String target;
    private final int filters;

    public ReferenceObjective(Graph graph, String target) {
        Graph cut = graph.upTo(target);
        this.reference = new ReferenceGraph(cut);
        this.target = target;
        io.filterviz.model.graph.Shape shape = cut.smallestShape(target);
        this.filters = shape != null ? shape.channels() : 0;
    }

    @Override
    public float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient) {
        return lossAndGradient(image, width, height, filter, gradient, ReluGradient.PLAIN);
    }

    @Override
    public float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient, ReluGradient relu) {
        double[] x = new double[image.length];
        for (int i = 0; i < x.length; i++) x[i] = image[i];
        ReferenceGraph.Result r = reference.lossAndGradient(target, filter, x, height, width, relu == ReluGradient.REDIRECTED);
        for (int i = 0; i < gradient.length; i++) gradient[i] = (float) r.gradient()[i];
        return (float) r.loss();
    }

    @Override
    public int filters() { return filters; }

    /** Java doubles in a fixed order: the same bits on any CPU. */
    @Override
    public String takeKernels() { return "reference-fp64"; }
}
