package io.filterviz.job;

import io.filterviz.config.JobConfig;
import io.filterviz.engine.AscentSettings;
import io.filterviz.model.LayerSpec;
import io.filterviz.model.ModelSpec;

import java.util.List;

/**
 * A validated job: the filters to compute, the model executors will build, where results go and the
 * parameters recorded in run.json.
 */
public record JobPlan(JobConfig config, LayerSpec layer, List<Integer> filters, ModelSpec model,
                      RunParameters parameters) {
    public AscentSettings ascent() { return config.ascent(); }

    public String out() { return config.out(); }

    public int partitions() {
        return config.partitions() != null ? Math.min(config.partitions(), filters.size()) : filters.size();
    }

    /** The same plan for fewer filters (a resumed run skips the finished ones). */
    public JobPlan only(List<Integer> remaining) {
        return new JobPlan(config, layer, List.copyOf(remaining), model, parameters);
    }
}
