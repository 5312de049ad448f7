package io.filterviz.spark;

import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.engine.RenderedFilter;
import io.filterviz.engine.FilterRenderer;
import io.filterviz.engine.FilterObjective;
import io.filterviz.image.Png;
import io.filterviz.model.ModelSpec;
import io.filterviz.report.FilterRecord;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Executor side: render every filter of a partition with the JVM's cached model. */
final class RenderPartition implements FlatMapFunction<Iterator<Integer>, FilterRecord> {
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
    public Iterator<FilterRecord> call(Iterator<Integer> filters) {
        List<FilterRecord> results = new ArrayList<>();
        // spark.task.cpus (default 1) cores per task, as many tasks as the executor has cores: measured the best
        // throughput on 2 cores, and local[N] really uses N cores (README, Performance).
        try (FilterObjective objective = ExecutorModels.get(model, backend).newObjective(model.target(), TaskContext.get().cpus())) {
            FilterRenderer renderer = new FilterRenderer(objective, settings, model.target());
            while (filters.hasNext()) {
                RenderedFilter rendered = renderer.render(filters.next());
                results.add(new FilterRecord(rendered.filter(), rendered.loss(), rendered.seconds(), rendered.dead(),
                        rendered.dead() ? null : Png.encode(rendered.image())));
            }
        }
        return results.iterator();
    }
}
