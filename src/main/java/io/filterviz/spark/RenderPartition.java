package io.filterviz.spark;

import io.filterviz.engine.CompiledModel;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.RenderLoop;
import io.filterviz.engine.RenderedFilter;
import io.filterviz.image.Png;
import io.filterviz.model.ModelSpec;
import io.filterviz.result.FilterId;
import io.filterviz.result.FilterRecord;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Executor side: render every (layer, filter) of a partition with the JVM's cached model and the preset's loop. */
final class RenderPartition implements FlatMapFunction<Iterator<List<FilterId>>, FilterRecord> {
    private static final long serialVersionUID = 1L;

    private final ModelSpec model;
    private final ComputeBackend backend;
    private final RenderLoop.Factory loops;
    private final Map<String, Boolean> earlyExit;

    /**
     * @param loops     the preset's render loop (the Keras recipe's or the lucid one)
     * @param earlyExit per layer, whether a loss ≤ 1e−7 means dead (the driver read it off the graph)
     */
    RenderPartition(ModelSpec model, ComputeBackend backend, RenderLoop.Factory loops, Map<String, Boolean> earlyExit) {
        this.model = model;
        this.backend = backend;
        this.loops = loops;
        this.earlyExit = new LinkedHashMap<>(earlyExit);
    }

    @Override
    public Iterator<FilterRecord> call(Iterator<List<FilterId>> partition) {
        CompiledModel compiled = ExecutorModels.get(model, backend);
        // spark.task.cpus (default 1) cores per task, as many tasks as the executor has cores: measured the best
        // throughput on 2 cores, and local[N] really uses N cores (docs/performance.md).
        int threads = TaskContext.get().cpus();
        List<FilterRecord> results = new ArrayList<>();
        // The plan lists a partition's items layer by layer, so each layer's objective is built once.
        try (LayerObjective objectives = new LayerObjective(compiled, threads)) {
            while (partition.hasNext()) {
                for (FilterId id : partition.next()) {
                    FilterObjective objective = objectives.forLayer(id.layer());
                    objective.takeKernels(); // what the layer's earlier filters ran is theirs
                    RenderedFilter rendered = loops.forLayer(objective, id.layer(), earlyExit.get(id.layer()))
                            .render(id.filter());
                    results.add(new FilterRecord(id, rendered.loss(), rendered.seconds(), rendered.dead(),
                            objective.takeKernels(), rendered.dead() ? null : Png.encode(rendered.image())));
                }
            }
        }
        return results.iterator();
    }
}
