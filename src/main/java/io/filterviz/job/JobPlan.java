package io.filterviz.job;

import io.filterviz.config.JobConfig;
import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.UpscalingSchedule;
import io.filterviz.engine.lucid.LucidSettings;
import io.filterviz.model.ModelSpec;
import io.filterviz.model.graph.Graph;
import io.filterviz.result.FilterId;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A validated job: the model executors will build (cut to the targets), the targets (network order) and the
 * (layer, filter) items to compute, the ascent with its output size settled and its schedule (a fixed-size
 * network's: its size only), where results go and what run.json becomes (the folder's recipe and selections, this
 * run's included). The graph stays on the driver (the cost model, the engine check); executors load their own from
 * the spec. Under {@code --preset lucid}, {@code lucid} holds its settled numbers (null under keras) and
 * {@code schedule} is the one size the network sees (for the cost model).
 */
public record JobPlan(JobConfig config, ModelSpec model, Graph graph, List<TargetLayer> targets, List<FilterId> items,
                      AscentSettings ascent, UpscalingSchedule schedule, LucidSettings lucid, RunRecord record) {

    public String out() { return config.out(); }

    public List<String> layerNames() { return targets.stream().map(TargetLayer::name).toList(); }

    /** This run's layers and {@code earlier} (what the folder holds from earlier runs), each once, in network order. */
    public List<String> layerNamesWith(Collection<String> earlier) {
        Set<String> names = new HashSet<>(earlier);
        names.addAll(layerNames());
        List<String> network = graph.tensors();
        return names.stream().sorted(Comparator.comparingInt((String name) -> network.indexOf(name))
                .thenComparing(Comparator.naturalOrder())).toList();
    }

    /** The items as Spark partitions, the most expensive first (see {@link WorkOrder}). */
    public List<List<FilterId>> partitions() {
        int count = config.partitions() != null ? config.partitions() : items.size();
        return WorkOrder.partitions(items, count, WorkOrder.flopsModel(graph, schedule));
    }

    /** The same plan for fewer items (a resumed run skips the finished ones). */
    public JobPlan only(List<FilterId> remaining) {
        return new JobPlan(config, model, graph, targets, List.copyOf(remaining), ascent, schedule, lucid, record);
    }
}
