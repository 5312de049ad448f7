package io.filterviz.job;

import io.filterviz.config.BadInputException;
import io.filterviz.config.JobConfig;
import io.filterviz.text.OneLine;
import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.UpscalingSchedule;
import io.filterviz.model.ImagenetWeights;
import io.filterviz.model.LayerSpec;
import io.filterviz.model.ResolvedWeights;
import io.filterviz.model.Vgg16;
import io.filterviz.model.WeightsException;
import io.filterviz.result.FilterId;
import io.filterviz.storage.HadoopFiles;
import io.filterviz.storage.OutputStore;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.apache.hadoop.conf.Configuration;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The driver's checks before any task starts, and the plan they produce. Each failure is a {@link BadInputException} with one line that
 * names the value and what would be valid; nothing is created under --out until every check has passed.
 */
public final class JobPlanner {
    private final PrintStream progress;
    private final Path kerasModels;
    private final Configuration hadoop;

    /**
     * @param progress    where a weights download shows its progress
     * @param kerasModels Keras' own model cache, looked in for the ImageNet file before ours
     * @param hadoop      the job's Hadoop configuration ({@code spark.hadoop.*} included): --out and remote weights
     */
    public JobPlanner(PrintStream progress, Path kerasModels, Configuration hadoop) {
        this.progress = progress;
        this.kerasModels = kerasModels;
        this.hadoop = hadoop;
    }

    public JobPlan plan(JobConfig config) {
        List<LayerSpec> layers = layers(config.layers());
        List<FilterId> items = new ArrayList<>();
        int largestRange = 0;
        for (LayerSpec layer : layers) {
            int from = config.filterRange().from();
            int end = config.filterRange().end(layer.outChannels());
            int to = layers.size() > 1 ? Math.min(end, layer.outChannels()) : end; // several layers: clipped to each
            if (from < 0 || to > layer.outChannels() || from >= to) {
                throw new BadInputException("--filter-range " + config.filterRange() + " is not a non-empty range inside "
                        + layer.name() + "'s " + layer.outChannels() + " filters (0:" + layer.outChannels() + ")");
            }
            for (int f = from; f < to; f++) items.add(new FilterId(layer.name(), f));
            largestRange = Math.max(largestRange, to - from);
        }
        LayerSpec deepest = layers.get(layers.size() - 1);
        checkAscent(config.ascent(), deepest);
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
        OutputStore store = checkWritable(config.out(), hadoop);
        ResolvedWeights weights = weights(config, deepest);
        List<String> names = layers.stream().map(LayerSpec::name).toList();
        RunParameters parameters = new RunParameters(names, config.filterRange().toString(), config.ascent(),
                weights.identity(),
                config.engine(), config.precision().label());
        if (!config.overwrite()) parameters.checkResumable(store);
        return new JobPlan(config, layers, List.copyOf(items), weights.spec(), parameters);
    }

    /** The layers asked for, in network order, each once; {@code all} is every convolution. */
    static List<LayerSpec> layers(List<String> names) {
        if (names.equals(List.of("all"))) return Vgg16.layers().stream().filter(LayerSpec::isConv).toList();
        Set<String> asked = new LinkedHashSet<>();
        for (String name : names) asked.add(layer(name).name());
        return Vgg16.layers().stream().filter(l -> asked.contains(l.name())).toList();
    }

    static LayerSpec layer(String name) {
        List<String> convs = Vgg16.convLayerNames();
        if (name.equals("all")) {
            throw new BadInputException("--layer all stands alone: it already means every convolution layer");
        }
        LayerSpec layer = Vgg16.layer(name).orElseThrow(() -> new BadInputException(
                "--layer " + name + " is not a VGG16 layer; did you mean " + nearest(name, convs) + "? "
                        + "Convolution layers: " + String.join(", ", convs)));
        if (!layer.isConv()) {
            throw new BadInputException("--layer " + name + " is a max-pooling layer, not a convolution; "
                    + "choose one of: " + String.join(", ", convs));
        }
        return layer;
    }

    private static void checkAscent(AscentSettings a, LayerSpec layer) {
        if (!(a.step() > 0) || Double.isInfinite(a.step())) throw new BadInputException("--step must be positive, got " + a.step());
        if (a.epochs() <= 0) throw new BadInputException("--epochs must be positive, got " + a.epochs());
        if (a.upscalingSteps() <= 0) {
            throw new BadInputException("--upscaling-steps must be positive, got " + a.upscalingSteps());
        }
        if (!(a.upscalingFactor() > 1) || Double.isInfinite(a.upscalingFactor())) {
            throw new BadInputException("--upscaling-factor must be greater than 1, got " + a.upscalingFactor());
        }
        if (a.outputWidth() <= 0 || a.outputHeight() <= 0) {
            throw new BadInputException("--output-dim must be positive, got " + a.outputWidth() + "x" + a.outputHeight());
        }
        UpscalingSchedule schedule = a.schedule();
        int needed = 1 << Vgg16.poolingsBefore(layer.name());
        if (schedule.smallestSide() < needed) {
            throw new BadInputException("the start image " + schedule.start() + " (--output-dim " + a.outputWidth() + "x"
                    + a.outputHeight() + " / " + a.upscalingFactor() + "^" + a.upscalingSteps() + ") is smaller than "
                    + needed + " px, the least " + layer.name() + " can see; raise --output-dim or lower --upscaling-steps");
        }
    }

    /** --out must be a writable folder or creatable as one; checked without creating anything. */
    static OutputStore checkWritable(String out, Configuration hadoop) {
        OutputStore store;
        try {
            store = OutputStore.open(out, hadoop);
            if (!store.isLocal()) store.checkNotAFile();
        } catch (RuntimeException e) {
            throw new BadInputException("--out " + out + " cannot be used: " + OneLine.of(e));
        }
        if (store.isLocal()) checkLocalWritable(Path.of(URI.create(store.uri("")).getPath()), out);
        return store;
    }

    private static void checkLocalWritable(Path absolute, String out) {
        if (Files.exists(absolute)) {
            if (!Files.isDirectory(absolute)) throw new BadInputException("--out " + out + " exists and is not a folder");
            if (!Files.isWritable(absolute)) throw new BadInputException("--out " + out + " is not writable");
            return;
        }
        Path ancestor = absolute.getParent();
        while (ancestor != null && !Files.exists(ancestor)) ancestor = ancestor.getParent();
        if (ancestor == null || !Files.isDirectory(ancestor) || !Files.isWritable(ancestor)) {
            throw new BadInputException("--out " + out + " cannot be created: "
                    + (ancestor == null ? "no existing parent" : ancestor + " is not a writable folder"));
        }
    }

    private ResolvedWeights weights(JobConfig config, LayerSpec deepest) {
        String weights = config.weights();
        try {
            if (weights.equals("random")) return ResolvedWeights.random(deepest.name(), config.ascent().seed());
            if (weights.equals("imagenet")) {
                URI url = config.weightsUrl() == null ? ImagenetWeights.OFFICIAL_URL : URI.create(config.weightsUrl());
                Path file = new ImagenetWeights(kerasModels, config.weightsCache(), url, ImagenetWeights.MD5, progress)
                        .resolve();
                // resolve() verified the file against this checksum: no second read of 59 MB
                return ResolvedWeights.kerasFile(deepest.name(), file, "imagenet", ImagenetWeights.MD5);
            }
            return ResolvedWeights.kerasFile(deepest.name(), HadoopFiles.local(weights, hadoop), weights, null);
        } catch (WeightsException e) {
            throw new BadInputException(e.getMessage());
        }
    }

    static String nearest(String name, List<String> candidates) {
        LevenshteinDistance distance = LevenshteinDistance.getDefaultInstance();
        return candidates.stream().min(Comparator.comparingInt(c -> distance.apply(name, c))).orElse("");
    }
}
