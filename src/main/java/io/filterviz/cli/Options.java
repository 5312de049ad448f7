package io.filterviz.cli;

import io.filterviz.config.BadInputException;
import io.filterviz.config.FilterRange;
import io.filterviz.config.JobConfig;
import io.filterviz.config.OutputDim;
import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.Precision;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/** The command line, grouped as --help shows it; {@link #toConfig()} turns it into a typed job config. */
@Command(name = "filterviz", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        versionProvider = Options.Version.class,
    description = "Shows what each filter of a CNN layer has learned (VGG16 by default, or your own network from "
            + "ONNX), by gradient ascent on the input image (the classic Keras conv_filter_visualization), computed as "
            + "a Spark job.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:failed while running (the message names the cause)", "2:bad input (nothing was computed)"})
public final class Options implements Callable<Integer> {
    private final Consumer<JobConfig> job;

    /** @param job what to do with the validated config once the command line parsed */
    Options(Consumer<JobConfig> job) {
        this.job = job;
    }

    @Override
    public Integer call() {
        try {
            job.accept(toConfig());
        } catch (LinkageError e) { // a native library that cannot load is a run-time failure, exit 1 like the rest
            throw new IllegalStateException(e);
        }
        return Main.OK;
    }

    // --- Algorithm ---
    @Option(names = "--layer", paramLabel = "NAME[,NAME...]|all",
            description = "Layer(s) to visualise: a layer, node or tensor name (--list-layers lists them), a comma "
                    + "list, or all (every convolution, after its activation; one Spark job: the atlas). A tensor "
                    + "of C×H×W: each channel's mean; a vector (a dense layer, logits): each unit's value.")
    String layer = "block5_conv1";

    @Option(names = "--filter-range", paramLabel = "LO:HI",
            description = "Filters LO (inclusive) to HI (exclusive); 'LO:' runs to the last filter. With several "
                    + "layers it applies to each, clipped to the layer's size. Default: all filters.")
    String filterRange;

    @Option(names = "--step", paramLabel = "X", description = "Gradient-ascent step (gradient divided by its RMS).")
    double step = AscentSettings.DEFAULT_STEP;

    @Option(names = "--epochs", paramLabel = "N", description = "Ascent steps at each size.")
    int epochs = AscentSettings.DEFAULT_EPOCHS;

    @Option(names = "--upscaling-steps", paramLabel = "N", description = "Number of sizes the image is optimised at.")
    int upscalingSteps = AscentSettings.DEFAULT_UPSCALING_STEPS;

    @Option(names = "--upscaling-factor", paramLabel = "X", description = "Bicubic upscale between sizes.")
    double upscalingFactor = AscentSettings.DEFAULT_UPSCALING_FACTOR;

    @Option(names = "--output-dim", paramLabel = "N|WxH", description = "Size of each filter's picture. "
            + "Default: " + AscentSettings.DEFAULT_OUTPUT_DIM + ", or the network's input size when it takes one size only.")
    String outputDim;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the start noise (and of random weights).")
    long seed = AscentSettings.DEFAULT_SEED;

    // --- Model ---
    @Option(names = "--model", paramLabel = "vgg16|vgg19|PATH|URI",
            description = "The network: Keras' VGG16 or VGG19 (weights from --weights), an ONNX model file (as "
                    + "torch.onnx.export or tf2onnx write it) or a whole Keras model (.h5, model.save), local or a "
                    + "Hadoop URI.")
    String model = "vgg16";

    @Option(names = "--preprocess", paramLabel = "none|unit|caffe|torch|tf",
            description = "What the network expects instead of pixels (0-255): none (as is), unit (x/255), caffe "
                    + "(BGR minus ImageNet's mean), torch ((x/255 - mean)/std, ImageNet's), tf (x/127.5 - 1). "
                    + "Default: none for vgg16 and vgg19 (the Keras example feeds raw pixels); a model file needs it.")
    String preprocess;

    @Option(names = "--list-layers",
            description = "Print every layer that can be visualised (its tensor, channels, stride from the input and "
                    + "operator), then exit.")
    boolean listLayers;

    @Option(names = "--weights", paramLabel = "imagenet|random|PATH",
            description = "For vgg16 and vgg19: imagenet: Keras' notop file (from $KERAS_HOME/models or ~/.keras/models, "
                    + "the cache, or downloaded); random: He init from --seed (not ImageNet filters); PATH: a Keras "
                    + ".h5 weights file. A model file brings its own weights.")
    String weights = "imagenet";

    @Option(names = "--weights-cache", paramLabel = "DIR", description = "Where a downloaded weights file is kept.")
    Path weightsCache = Path.of(System.getProperty("user.home"), ".cache", "filterviz");

    @Option(names = "--weights-url", paramLabel = "URL",
            description = "Download the ImageNet weights from here instead (a mirror). Default: Keras' official URL.")
    String weightsUrl;

    // --- Compute ---
    @Option(names = "--engine", paramLabel = "onednn|nd4j|reference",
            description = "Compute engine: onednn (oneDNN called directly; the default where it loads), nd4j "
                    + "(libnd4j's ops, the portable fallback; VGG16 only) or reference (any graph in double precision, "
                    + "plain Java: slow, the oracle).")
    String engine;

    @Option(names = "--precision", paramLabel = "fp32|bf16",
            description = "Number format of weights and activations. bf16 (onednn, CPUs with AVX512_BF16) is faster "
                    + "and slightly different: losses within a few percent of fp32.")
    String precision = "fp32";

    // --- Spark ---
    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master. Default: what spark-submit set, else local[*].")
    String master;

    @Option(names = "--partitions", paramLabel = "N", description = "Spark partitions. Default: one per filter.")
    Integer partitions;

    @Option(names = "--start-timeout", paramLabel = "MINUTES",
            description = "If no task has started this long after the job was submitted, say why (e.g. executors "
                    + "too large for the cluster); the job keeps waiting.")
    double startTimeout = 5;

    // --- Output ---
    @Option(names = "--out", paramLabel = "DIR|URI",
            description = "Output folder: a local path or a Hadoop URI (hdfs://, s3a://). A run with the same recipe "
                    + "adds to it (other filters or layers) or resumes in it.")
    String out = "out";

    @Option(names = "--overwrite", description = "Start over in --out: delete what it holds, made with any recipe.")
    boolean overwrite;

    @Option(names = "--grid", paramLabel = "N", description = "Grid side. Default: floor(sqrt(live filters)).")
    Integer grid;

    @Option(names = "--verbose", description = "Show Spark's INFO log.")
    boolean verbose;

    @Option(names = "--conf-file", paramLabel = "FILE",
            description = "Job defaults (key = option name without dashes). Default: conf/filterviz.properties "
                    + "next to submit.sh; command-line options override it.")
    Path confFile;

    JobConfig toConfig() {
        OutputDim dim = outputDim == null ? OutputDim.UNSET : OutputDim.parse(outputDim);
        AscentSettings ascent = new AscentSettings(step, epochs, upscalingSteps, upscalingFactor, dim.width(),
                dim.height(), seed);
        return new JobConfig(layerNames(layer), filterRange == null ? FilterRange.ALL : FilterRange.parse(filterRange),
                ascent, model, preprocess, listLayers, weights, weightsCache, weightsUrl, out, master, partitions, grid,
                verbose, overwrite, startTimeout, engine, parsePrecision());
    }

    private Precision parsePrecision() {
        try {
            return Precision.parse(precision);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--precision " + precision + " is not one of fp32, bf16");
        }
    }

    /** The version Maven wrote into the build (the pom's {@code <version>}, its only source). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws java.io.IOException {
            java.util.Properties build = new java.util.Properties();
            try (var in = Options.class.getResourceAsStream("/filterviz-version.properties")) {
                if (in != null) build.load(in);
            }
            return new String[]{"filterviz " + build.getProperty("version", "(unknown version)")};
        }
    }

    static List<String> layerNames(String text) {
        List<String> names = Arrays.stream(text.split(",", -1)).map(String::trim).toList();
        if (names.contains("")) throw new BadInputException("--layer '" + text + "' has an empty name in its list");
        return names;
    }

    /** --help's option list in sections. (Picocli's ArgGroups would do this too, but they reset a whole group
     *  when one of its options is repeated; plain options let the last value win, as spark-submit does.) */
    private static final Map<String, List<String>> SECTIONS = new LinkedHashMap<>();

    static {
        SECTIONS.put("Algorithm (defaults are the Keras example's numbers)", List.of("--layer", "--filter-range", "--step",
                "--epochs", "--upscaling-steps", "--upscaling-factor", "--output-dim", "--seed"));
        SECTIONS.put("Model and weights", List.of("--model", "--preprocess", "--list-layers", "--weights",
                "--weights-cache", "--weights-url"));
        SECTIONS.put("Compute", List.of("--engine", "--precision"));
        SECTIONS.put("Spark", List.of("--master", "--partitions", "--start-timeout"));
        SECTIONS.put("Output", List.of("--out", "--overwrite", "--grid", "--verbose", "--conf-file"));
        SECTIONS.put("Help", List.of("--help", "--version"));
    }

    static CommandLine commandLine(Options options) {
        CommandLine cli = new CommandLine(options).setOverwrittenOptionsAllowed(true);
        cli.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST, help -> {
            StringBuilder text = new StringBuilder();
            SECTIONS.forEach((heading, names) -> {
                CommandLine.Help.Layout layout = help.createDefaultLayout();
                for (String name : names) {
                    layout.addOption(help.commandSpec().findOption(name), help.createDefaultParamLabelRenderer());
                }
                text.append(String.format("%n%s:%n", heading)).append(layout);
            });
            return text.toString();
        });
        return cli;
    }
}
