package io.filterviz.job;

import io.filterviz.config.BadInputException;
import io.filterviz.config.JobConfig;
import io.filterviz.config.Preset;
import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.engine.UpscalingSchedule;
import io.filterviz.engine.lucid.LucidSettings;
import io.filterviz.model.ModelSpec;
import io.filterviz.model.ResolvedWeights;
import io.filterviz.model.VggArchitecture;
import io.filterviz.model.graph.Graph;
import io.filterviz.storage.OutputStore;
import org.apache.hadoop.conf.Configuration;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The driver's checks before any task starts, in order, and the plan they produce. Each failure is a
 * {@link BadInputException} with one line that names the value and what would be valid; nothing is created under
 * --out until every check has passed. The checks themselves live beside it: {@link ModelResolver},
 * {@link LayerSelection}, {@link FilterItems}, {@link AscentChecks}, {@link OutputProbe}, {@link WeightsResolver},
 * {@link RunRecord}.
 */
public final class JobPlanner {
    private final ModelResolver models;
    private final WeightsResolver weights;
    private final Configuration hadoop;

    /**
     * @param progress    where a weights download shows its progress
     * @param kerasModels Keras' own model cache, looked in for the ImageNet file before ours
     * @param hadoop      the job's Hadoop configuration ({@code spark.hadoop.*} included): --out, model and weights files
     */
    public JobPlanner(PrintStream progress, Path kerasModels, Configuration hadoop) {
        this.models = new ModelResolver(hadoop);
        this.weights = new WeightsResolver(progress, kerasModels, hadoop);
        this.hadoop = hadoop;
    }

    /**
     * @param backend the compute backend: its {@code convolutions()} for the recipe in run.json, and under
     *                {@code --preset lucid} whether it has the redirected ReLU gradient
     */
    public JobPlan plan(JobConfig config, ComputeBackend backend) {
        String convolutions = backend.convolutions();
        ModelResolver.ResolvedModel model = models.resolve(config);
        Graph graph = model.graph();
        VggArchitecture vgg = model.builtIn() ? VggArchitecture.named(model.name()).orElseThrow() : null;
        List<TargetLayer> targets = LayerSelection.targets(config.layers(), graph, vgg);
        FilterItems items = FilterItems.expand(config.filterRange(), targets);
        AscentSettings ascent;
        UpscalingSchedule schedule;
        LucidSettings lucid = null;
        if (config.preset() == Preset.LUCID) {
            lucid = AscentChecks.lucid(config.lucid(), config.ascent(), graph, targets, backend, config.engine());
            ascent = config.ascent().withOutput(lucid.outputWidth(), lucid.outputHeight());
            // One size, the one the network sees: what the cost model (WorkOrder) needs
            int seenWidth = graph.fixedSize() ? graph.fixedWidth() : lucid.outputWidth();
            int seenHeight = graph.fixedSize() ? graph.fixedHeight() : lucid.outputHeight();
            schedule = UpscalingSchedule.fixed(seenWidth, seenHeight, 1, lucid.outputWidth(), lucid.outputHeight());
        } else {
            ascent = AscentChecks.withDefaultOutput(config.ascent(), graph);
            schedule = ascent.schedule(graph.fixedWidth(), graph.fixedHeight());
            AscentChecks.check(ascent, schedule, graph, targets);
        }
        checkRunOptions(config, items.largestRange());
        OutputStore store = OutputProbe.checkWritable(config.out(), hadoop);
        List<String> tensors = targets.stream().map(TargetLayer::name).toList();
        ModelSpec spec = model.spec().withTargets(tensors);
        String weightsIdentity = null;
        if (model.builtIn()) {
            ResolvedWeights resolved = weights.resolve(config, vgg, tensors.get(tensors.size() - 1));
            ModelSpec w = resolved.spec();
            spec = new ModelSpec(model.name(), w.source(), w.file(), w.contentHash(), w.seed(), spec.preprocess(), tensors);
            weightsIdentity = resolved.identity();
        }
        Recipe recipe = lucid != null
                ? Recipe.lucid(model.identity(), spec.preprocess().label(), lucid, weightsIdentity, config.engine(),
                        config.precision().label(), convolutions)
                : Recipe.of(model.identity(), spec.preprocess().label(), ascent, weightsIdentity, config.engine(),
                        config.precision().label(), convolutions);
        RunRecord.Selection selection = new RunRecord.Selection(tensors, config.filterRange().toString());
        RunRecord record = config.overwrite() ? RunRecord.first(recipe, selection)
                : RunRecord.adding(store, recipe, selection);
        return new JobPlan(config, spec, graph, targets, items.items(), ascent, schedule, lucid, record);
    }

    /** --list-layers: the model's layers as a table (the model is read and checked whole; no weights are needed). */
    public String listLayers(JobConfig config) {
        ModelResolver.ResolvedModel model = models.resolve(config);
        return LayerListing.of(model.graph(), model.spec().preprocess().label());
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
