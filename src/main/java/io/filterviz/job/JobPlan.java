package io.filterviz.job;

import io.filterviz.config.JobConfig;
import io.filterviz.engine.AscentSettings;
import io.filterviz.model.LayerSpec;
import io.filterviz.model.ModelSpec;

import java.nio.file.Path;
import java.util.List;

/** A validated job: the filters to compute, the model executors will build, and where results go. */
public record JobPlan(JobConfig config, LayerSpec layer, List<Integer> filters, ModelSpec model, Path out) {
    public AscentSettings ascent() { return config.ascent(); }

    public int partitions() {
        return config.partitions() != null ? Math.min(config.partitions(), filters.size()) : filters.size();
    }
}
