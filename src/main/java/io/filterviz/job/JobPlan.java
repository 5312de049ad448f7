package io.filterviz.job;

import io.filterviz.config.JobConfig;
import io.filterviz.engine.AscentSettings;
import io.filterviz.model.LayerSpec;
import io.filterviz.model.ModelSpec;
import io.filterviz.result.FilterId;

import java.util.List;

/**
 * A validated job: the layers (network order) and the (layer, filter) items to compute, the model executors will
 * build (up to the deepest layer), where results go and the parameters recorded in run.json.
 */
public record JobPlan(JobConfig config, List<LayerSpec> layers, List<FilterId> items, ModelSpec model,
                      RunParameters parameters) {
    public AscentSettings ascent() { return config.ascent(); }

    public String out() { return config.out(); }

    public List<String> layerNames() { return layers.stream().map(LayerSpec::name).toList(); }

    /** The items as Spark partitions, the most expensive first (see {@link WorkOrder}). */
    public List<List<FilterId>> partitions() {
        int count = config.partitions() != null ? config.partitions() : items.size();
        return WorkOrder.partitions(items, count, WorkOrder.flopsModel(ascent().schedule()));
    }

    /** The same plan for fewer items (a resumed run skips the finished ones). */
    public JobPlan only(List<FilterId> remaining) {
        return new JobPlan(config, layers, List.copyOf(remaining), model, parameters);
    }
}
