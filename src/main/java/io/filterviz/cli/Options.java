package io.filterviz.cli;

import io.filterviz.config.BadInputException;
import io.filterviz.config.FilterRange;
import io.filterviz.config.JobConfig;
import io.filterviz.config.OutputDim;
import io.filterviz.config.Preset;
import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.Convolutions;
import io.filterviz.engine.Precision;
import io.filterviz.engine.lucid.Adam;
import io.filterviz.engine.lucid.LucidSettings;
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

    /** Set by picocli when it parses a command line: which options were given on it (not from --conf-file). */
    @CommandLine.Spec(CommandLine.Spec.Target.SELF)
    CommandLine.Model.CommandSpec spec;

    // --- Algorithm ---
    @Option(names = "--preset", paramLabel = "keras|lucid",
            description = "The recipe: keras (the Keras example, bit for bit: --step, --epochs, --upscaling-*) or "
                    + "lucid (Olah et al.'s Feature Visualization: Fourier parameters, random transforms, Adam; "
                    + "readable pictures: --learning-rate, --steps, --init-sd, --fft-decay, --transforms, "
                    + "--redirected-relu-steps).")
    String preset = "keras";

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
            + "Default: " + AscentSettings.DEFAULT_OUTPUT_DIM + " (" + LucidSettings.DEFAULT_OUTPUT_DIM + " under --preset "
            + "lucid), or the network's input size when it takes one size only.")
    String outputDim;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the start noise, or under --preset lucid of "
            + "the start spectrum and the transforms (and of random weights).")
    long seed = AscentSettings.DEFAULT_SEED;

    // --- The lucid preset ---
    @Option(names = "--learning-rate", paramLabel = "X", description = "--preset lucid: Adam's learning rate.")
    double learningRate = Adam.DEFAULT_LEARNING_RATE;

    @Option(names = "--steps", paramLabel = "N", description = "--preset lucid: Adam steps per filter.")
    int steps = LucidSettings.DEFAULT_STEPS;

    @Option(names = "--init-sd", paramLabel = "X",
            description = "--preset lucid: standard deviation of the start spectrum (0: a flat grey start).")
    double initSd = LucidSettings.DEFAULT_INIT_SD;

    @Option(names = "--fft-decay", paramLabel = "X",
            description = "--preset lucid: the spectrum's scale falls as 1/frequency^X.")
    double fftDecay = LucidSettings.DEFAULT_FFT_DECAY;

    @Option(names = "--transforms", paramLabel = "standard|none",
            description = "--preset lucid: Lucid's standard random transforms at each step (pad, jitter, scale, "
                    + "rotate, jitter), or none. --transforms none --init-sd 0 is the deterministic form.")
    String transforms = "standard";

    @Option(names = "--redirected-relu-steps", paramLabel = "N",
            description = "--preset lucid: the first N steps back-propagate Lucid's redirected ReLU gradient, which "
                    + "revives units dead at the start (0: the plain gradient throughout).")
    int redirectedReluSteps = LucidSettings.LUCID_REDIRECTED_RELU_STEPS;

    // --- Model ---
    @Option(names = "--model", paramLabel = "vgg16|vgg19|PATH|URI",
            description = "The network: Keras' VGG16 or VGG19 (weights from --weights), an ONNX model file (as "
                    + "torch.onnx.export or tf2onnx write it) or a whole Keras model (.h5, model.save), local or a "
                    + "Hadoop URI.")
    String model = "vgg16";

    @Option(names = "--preprocess", paramLabel = "none|unit|caffe|torch|tf",
            description = "What the network expects instead of pixels (0-255): none (as is), unit (x/255), caffe "
                    + "(BGR minus ImageNet's mean), torch ((x/255 - mean)/std, ImageNet's), tf (x/127.5 - 1). "
                    + "Default: none for vgg16 and vgg19 (the Keras example feeds raw pixels; caffe under --preset "
                    + "lucid); a model file needs it.")
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

    @Option(names = "--convolutions", paramLabel = "direct|winograd-where-faster",
            description = "How 3×3 convolutions are computed: direct, or Winograd where it measured faster (onednn fp32 "
                    + "on AVX-512 only; elsewhere both are direct). Winograd is faster and rounds differently: a chaotic "
                    + "ascent can end elsewhere. run.json records what ran.")
    String convolutions = Convolutions.WINOGRAD_WHERE_FASTER.label();

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

    /** The Keras recipe's own options: bad input under --preset lucid. */
    static final List<String> KERAS_ONLY = List.of("--step", "--epochs", "--upscaling-steps", "--upscaling-factor");
    /** The lucid recipe's own options: bad input under --preset keras. */
    static final List<String> LUCID_ONLY = List.of("--learning-rate", "--steps", "--init-sd", "--fft-decay",
            "--transforms", "--redirected-relu-steps");

    JobConfig toConfig() {
        Preset recipe = Preset.parse(preset);
        checkOptionsOf(recipe);
        OutputDim dim = outputDim == null ? OutputDim.UNSET : OutputDim.parse(outputDim);
        AscentSettings ascent = new AscentSettings(step, epochs, upscalingSteps, upscalingFactor, dim.width(),
                dim.height(), seed);
        return new JobConfig(layerNames(layer), filterRange == null ? FilterRange.ALL : FilterRange.parse(filterRange),
                ascent, model, preprocess, listLayers, weights, weightsCache, weightsUrl, out, master, partitions, grid,
                verbose, overwrite, startTimeout, engine, parsePrecision(), parseConvolutions(convolutions), recipe,
                recipe == Preset.LUCID ? lucidSettings() : null);
    }

    /**
     * An option of the other recipe, given on the command line, is bad input: it would be silently ignored. Values
     * from --conf-file are defaults, like the options' own, and are not checked here.
     */
    private void checkOptionsOf(Preset recipe) {
        CommandLine.ParseResult parsed = spec == null ? null : spec.commandLine().getParseResult();
        if (parsed == null) return;
        List<String> foreign = recipe == Preset.LUCID ? KERAS_ONLY : LUCID_ONLY;
        for (String name : foreign) {
            if (!parsed.hasMatchedOption(name)) continue;
            throw new BadInputException(recipe == Preset.LUCID
                    ? name + " is an option of the Keras recipe, not of --preset lucid (which has "
                            + String.join(", ", LUCID_ONLY) + ")"
                    : name + " is an option of --preset lucid; add --preset lucid, or leave it out for the Keras "
                            + "recipe (--preset keras, the default)");
        }
    }

    /**
     * The lucid numbers, each checked with the option's name. The output size and channels are placeholders: the
     * planner settles them from --output-dim and the model.
     */
    private LucidSettings lucidSettings() {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new BadInputException("--learning-rate must be positive, got " + learningRate);
        }
        if (steps <= 0) throw new BadInputException("--steps must be positive, got " + steps);
        if (!(initSd >= 0) || Double.isInfinite(initSd)) {
            throw new BadInputException("--init-sd must be 0 or more, got " + initSd);
        }
        if (!Double.isFinite(fftDecay)) throw new BadInputException("--fft-decay must be a finite number, got " + fftDecay);
        LucidSettings.Transforms chosen = switch (transforms) {
            case "standard" -> LucidSettings.Transforms.STANDARD;
            case "none" -> LucidSettings.Transforms.NONE;
            default -> throw new BadInputException("--transforms " + transforms + " is not one of standard, none");
        };
        if (redirectedReluSteps < 0) {
            throw new BadInputException("--redirected-relu-steps must be 0 or more, got " + redirectedReluSteps);
        }
        return new LucidSettings(learningRate, steps, initSd, fftDecay, chosen, LucidSettings.DEFAULT_OUTPUT_DIM,
                LucidSettings.DEFAULT_OUTPUT_DIM, 3, seed, redirectedReluSteps);
    }

    private Precision parsePrecision() {
        try {
            return Precision.parse(precision);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--precision " + precision + " is not one of fp32, bf16");
        }
    }

    /** One line naming the accepted values (the examples scan takes the option too). */
    static Convolutions parseConvolutions(String text) {
        try {
            return Convolutions.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
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
        SECTIONS.put("Algorithm (defaults are the Keras example's numbers)", List.of("--preset", "--layer", "--filter-range",
                "--step", "--epochs", "--upscaling-steps", "--upscaling-factor", "--output-dim", "--seed"));
        SECTIONS.put("Readable pictures: --preset lucid (defaults are Lucid's numbers)", LUCID_ONLY);
        SECTIONS.put("Model and weights", List.of("--model", "--preprocess", "--list-layers", "--weights",
                "--weights-cache", "--weights-url"));
        SECTIONS.put("Compute", List.of("--engine", "--precision", "--convolutions"));
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
