package io.filterviz.spark;

import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.CompiledModel;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.FilterRenderer;
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

/**
 * Executor side: render every (layer, filter) of a partition with the JVM's cached model; consecutive filters of one
 * layer ascend together, {@code batch} at a time (one batched pass per step).
 */
final class RenderPartition implements FlatMapFunction<Iterator<List<FilterId>>, FilterRecord> {
    private static final long serialVersionUID = 1L;

    private final ModelSpec model;
    private final ComputeBackend backend;
    private final AscentSettings settings;
    private final int batch;

    RenderPartition(ModelSpec model, ComputeBackend backend, AscentSettings settings, int batch) {
        this.model = model;
        this.backend = backend;
        this.settings = settings;
        this.batch = batch;
    }

    @Override
    public Iterator<FilterRecord> call(Iterator<List<FilterId>> partition) {
        CompiledModel compiled = ExecutorModels.get(model, backend);
        // spark.task.cpus (default 1) cores per task, as many tasks as the executor has cores: measured the best
        // throughput on 2 cores, and local[N] really uses N cores (docs/performance.md).
        int threads = TaskContext.get().cpus();
        Map<String, FilterObjective> objectives = new LinkedHashMap<>();
        List<FilterRecord> results = new ArrayList<>();
        try {
            while (partition.hasNext()) {
                for (List<FilterId> group : batches(partition.next(), batch)) {
                    String layer = group.get(0).layer();
                    FilterObjective objective = objectives.computeIfAbsent(layer, l -> compiled.newObjective(l, threads));
                    int[] filters = group.stream().mapToInt(FilterId::filter).toArray();
                    List<RenderedFilter> rendered = new FilterRenderer(objective, settings, layer).render(filters);
                    for (int i = 0; i < group.size(); i++) {
                        RenderedFilter r = rendered.get(i);
                        results.add(new FilterRecord(group.get(i), r.loss(), r.seconds(), r.dead(),
                                r.dead() ? null : Png.encode(r.image())));
                    }
                }
            }
        } finally {
            objectives.values().forEach(FilterObjective::close);
        }
        return results.iterator();
    }

    /** The items in order, cut into runs of one layer of at most {@code size} items. */
    static List<List<FilterId>> batches(List<FilterId> items, int size) {
        List<List<FilterId>> batches = new ArrayList<>();
        List<FilterId> current = new ArrayList<>();
        for (FilterId id : items) {
            if (!current.isEmpty() && (current.size() == size || !current.get(0).layer().equals(id.layer()))) {
                batches.add(List.copyOf(current));
                current.clear();
            }
            current.add(id);
        }
        if (!current.isEmpty()) batches.add(List.copyOf(current));
        return batches;
    }
}
