package io.filterviz.job;

import io.filterviz.config.JobConfig;
import io.filterviz.engine.AscentSettings;
import io.filterviz.model.LayerSpec;
import io.filterviz.model.ModelSpec;
import io.filterviz.model.Vgg16;
import io.filterviz.result.FilterId;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A validated job: the layers (network order) and the (layer, filter) items to compute, the model executors will
 * build (up to the deepest layer), where results go and what run.json becomes (the folder's recipe and
 * selections, this run's included).
 */
public record JobPlan(JobConfig config, List<LayerSpec> layers, List<FilterId> items, ModelSpec model,
                      RunRecord record) {
    public AscentSettings ascent() { return config.ascent(); }

    public String out() { return config.out(); }

    public List<String> layerNames() { return layers.stream().map(LayerSpec::name).toList(); }

    /** This run's layers and {@code earlier} (what the folder holds from earlier runs), each once, in network order. */
    public List<String> layerNamesWith(Collection<String> earlier) {
        Set<String> names = new HashSet<>(earlier);
        names.addAll(layerNames());
        List<String> network = Vgg16.convLayerNames();
        return names.stream().sorted(Comparator.comparingInt((String name) -> network.indexOf(name))
                .thenComparing(Comparator.naturalOrder())).toList();
    }

    /** The items as Spark partitions, the most expensive first (see {@link WorkOrder}). */
    public List<List<FilterId>> partitions() {
        int count = config.partitions() != null ? config.partitions() : items.size();
        return WorkOrder.partitions(items, count, WorkOrder.flopsModel(ascent().schedule()));
    }

    /** The same plan for fewer items (a resumed run skips the finished ones). */
    public JobPlan only(List<FilterId> remaining) {
        return new JobPlan(config, layers, List.copyOf(remaining), model, record);
    }
}
