package io.filterviz.job;

import io.filterviz.config.BadInputException;
import io.filterviz.config.JobConfig;
import io.filterviz.model.LayerSpec;
import io.filterviz.model.ResolvedWeights;
import io.filterviz.storage.OutputStore;
import org.apache.hadoop.conf.Configuration;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The driver's checks before any task starts, in order, and the plan they produce. Each failure is a
 * {@link BadInputException} with one line that names the value and what would be valid; nothing is created under
 * --out until every check has passed. The checks themselves live beside it: {@link LayerSelection},
 * {@link FilterItems}, {@link AscentChecks}, {@link OutputProbe}, {@link WeightsResolver}, {@link RunParameters}.
 */
public final class JobPlanner {
    private final WeightsResolver weights;
    private final Configuration hadoop;

    /**
     * @param progress    where a weights download shows its progress
     * @param kerasModels Keras' own model cache, looked in for the ImageNet file before ours
     * @param hadoop      the job's Hadoop configuration ({@code spark.hadoop.*} included): --out and remote weights
     */
    public JobPlanner(PrintStream progress, Path kerasModels, Configuration hadoop) {
        this.weights = new WeightsResolver(progress, kerasModels, hadoop);
        this.hadoop = hadoop;
    }

    public JobPlan plan(JobConfig config) {
        List<LayerSpec> layers = LayerSelection.layers(config.layers());
        FilterItems items = FilterItems.expand(config.filterRange(), layers);
        LayerSpec deepest = layers.get(layers.size() - 1);
        AscentChecks.check(config.ascent(), deepest);
        checkRunOptions(config, items.largestRange());
        OutputStore store = OutputProbe.checkWritable(config.out(), hadoop);
        ResolvedWeights resolved = weights.resolve(config, deepest);
        List<String> names = layers.stream().map(LayerSpec::name).toList();
        RunParameters parameters = new RunParameters(names, config.filterRange().toString(), config.ascent(),
                resolved.identity(),
                config.engine(), config.precision().label());
        if (!config.overwrite()) parameters.checkResumable(store);
        return new JobPlan(config, layers, items.items(), resolved.spec(), parameters);
    }

    /** How the run is spread and shown: --start-timeout, --partitions, --grid. */
    private static void checkRunOptions(JobConfig config, int largestRange) {
        if (!(config.startTimeoutMinutes() > 0) || Double.isInfinite(config.startTimeoutMinutes())) {
            throw new BadInputException("--start-timeout must be a positive number of minutes, got "
                    + config.startTimeoutMinutes());
        }
        if (config.partitions() != null && config.partitions() <= 0) {
            throw new BadInputException("--partitions must be positive, got " + config.partitions());
        }
        if (config.grid() != null && (config.grid() <= 0 || config.grid() * config.grid() > largestRange)) {
            throw new BadInputException("--grid " + config.grid() + " needs " + (long) config.grid() * config.grid()
                    + " filters; the range has " + largestRange);
        }
    }
}
