package io.filterviz.job;

import io.filterviz.config.BadInputException;
import io.filterviz.config.JobConfig;
import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.UpscalingSchedule;
import io.filterviz.model.ImagenetWeights;
import io.filterviz.model.KerasH5Weights;
import io.filterviz.model.LayerSpec;
import io.filterviz.model.Md5;
import io.filterviz.model.ModelSpec;
import io.filterviz.model.Vgg16;
import io.filterviz.model.WeightsException;
import io.filterviz.result.FilterId;
import io.filterviz.storage.HadoopFiles;
import io.filterviz.storage.OutputStore;
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
 * The driver's checks before any task starts. Each failure is a {@link BadInputException} with one line that
 * names the value and what would be valid; nothing is created under --out until every check has passed.
 */
public final class JobPlanner {
    private final PrintStream progress;

    public JobPlanner(PrintStream progress) {
        this.progress = progress;
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
        if (config.partitions() != null && config.partitions() <= 0) {
            throw new BadInputException("--partitions must be positive, got " + config.partitions());
        }
        if (config.grid() != null && (config.grid() <= 0 || config.grid() * config.grid() > largestRange)) {
            throw new BadInputException("--grid " + config.grid() + " needs " + (long) config.grid() * config.grid()
                    + " filters; the range has " + largestRange);
        }
        OutputStore store = checkWritable(config.out());
        ModelSpec model = model(config, deepest);
        List<String> names = layers.stream().map(LayerSpec::name).toList();
        RunParameters parameters = new RunParameters(names, config.filterRange().toString(), config.ascent(),
                weightsIdentity(config, model));
        if (!config.overwrite()) parameters.checkResumable(store);
        return new JobPlan(config, layers, List.copyOf(items), model, parameters);
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
    static OutputStore checkWritable(String out) {
        OutputStore store;
        try {
            store = OutputStore.open(out, new Configuration());
        } catch (RuntimeException e) {
            throw new BadInputException("--out " + out + " cannot be used: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
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

    private ModelSpec model(JobConfig config, LayerSpec layer) {
        String weights = config.weights();
        if (weights.equals("random")) return ModelSpec.random(layer.name(), config.ascent().seed());
        try {
            Path file = weights.equals("imagenet") ? imagenet(config).resolve() : HadoopFiles.local(weights);
            KerasH5Weights.load(file, layer.name()); // shapes and readability, before any task starts
            return ModelSpec.kerasFile(layer.name(), file);
        } catch (WeightsException e) {
            throw new BadInputException(e.getMessage());
        }
    }

    /** What run.json records of the weights: enough to tell two weight sets apart. */
    private static String weightsIdentity(JobConfig config, ModelSpec model) {
        if (model.source() == ModelSpec.Source.RANDOM) return "random, seed " + model.seed();
        // resolve() already verified the ImageNet file against this checksum: no third read of 59 MB
        if (config.weights().equals("imagenet")) return "imagenet, md5 " + ImagenetWeights.MD5;
        try {
            return config.weights() + ", md5 " + Md5.of(Path.of(model.weightsFile()));
        } catch (java.io.IOException e) {
            throw new BadInputException("weights file " + model.weightsFile() + " cannot be read: " + e.getMessage());
        }
    }

    private ImagenetWeights imagenet(JobConfig config) {
        Path keras = Path.of(System.getProperty("user.home"), ".keras", "models");
        URI url = config.weightsUrl() == null ? ImagenetWeights.OFFICIAL_URL : URI.create(config.weightsUrl());
        return new ImagenetWeights(keras, config.weightsCache(), url, ImagenetWeights.MD5, progress);
    }

    static String nearest(String name, List<String> candidates) {
        return candidates.stream().min(Comparator.comparingInt(c -> editDistance(name, c))).orElse("");
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) previous[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
