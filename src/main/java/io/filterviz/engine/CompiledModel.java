package io.filterviz.engine;

/**
 * A network ready to run on one compute backend, up to its deepest layer; shared by the threads of a JVM, each
 * with objectives of its own. Any layer up to the deepest can be the target (a convolution; on the oneDNN engine any
 * tensor of the graph, named by itself or by the node that writes it): the atlas loads the weights once and
 * evaluates shallower layers on a truncated path.
 */
public interface CompiledModel {
    /**
     * An objective for the filters of {@code layer}, with its own working buffers, for the calling thread. It uses
     * at most {@code threads} cores, so that N concurrent tasks with one core each share a machine without
     * oversubscribing it.
     */
    FilterObjective newObjective(String layer, int threads);

    /** The deepest layer this model runs to. */
    String deepest();
}
