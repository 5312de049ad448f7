package io.filterviz.engine;

import java.io.Serializable;

/**
 * One recipe's render loop for the filters of one layer: the Keras example's ({@link FilterRenderer}) or the
 * lucid preset's ({@code engine.lucid.LucidRenderer}). The Spark layer picks a {@link Factory} by preset and never
 * looks inside.
 */
public interface RenderLoop {

    /** The filter's (or unit's) picture, its final loss and the time it took; or dead. */
    RenderedFilter render(int filter);

    /** Ships to the executors and makes each layer's loop there. */
    interface Factory extends Serializable {
        /**
         * @param objective the layer's objective, for the calling thread
         * @param earlyExit whether a loss ≤ 1e−7 means a dead filter: only where the target cannot be negative (the
         *                  driver read it off the graph)
         */
        RenderLoop forLayer(FilterObjective objective, String layer, boolean earlyExit);
    }
}
