package io.filterviz.spark;

import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.engine.FilterOutcome;
import io.filterviz.engine.FilterRenderer;
import io.filterviz.engine.GradientPath;
import io.filterviz.image.Png;
import io.filterviz.model.ModelSpec;
import io.filterviz.report.FilterResult;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Executor side: render every filter of a partition with the JVM's cached model. */
final class RenderPartition implements FlatMapFunction<Iterator<Integer>, FilterResult> {
    private static final long serialVersionUID = 1L;

    private final ModelSpec model;
    private final ComputeBackend backend;
    private final AscentSettings settings;

    RenderPartition(ModelSpec model, ComputeBackend backend, AscentSettings settings) {
        this.model = model;
        this.backend = backend;
        this.settings = settings;
    }

    @Override
    public Iterator<FilterResult> call(Iterator<Integer> filters) {
        List<FilterResult> results = new ArrayList<>();
        // spark.task.cpus (default 1) cores per task, as many tasks as the executor has cores: measured the best
        // throughput on 2 cores, and local[N] really uses N cores (README, Performance).
        try (GradientPath path = ExecutorModels.get(model, backend).newPath(TaskContext.get().cpus())) {
            FilterRenderer renderer = new FilterRenderer(path, settings, model.target());
            while (filters.hasNext()) {
                FilterOutcome outcome = renderer.render(filters.next());
                results.add(new FilterResult(outcome.filter(), outcome.loss(), outcome.seconds(), outcome.dead(),
                        outcome.dead() ? null : Png.encode(outcome.image())));
            }
        }
        return results.iterator();
    }
}
