package io.filterviz.cli;

import io.filterviz.config.FilterRange;
import io.filterviz.config.JobConfig;
import io.filterviz.config.OutputDim;
import io.filterviz.engine.AscentSettings;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The command line, grouped as --help shows it; {@link #toConfig()} turns it into a typed job config. */
@Command(name = "filterviz", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        version = "filterviz 0.1.0",
        description = "Shows what each filter of a VGG16 layer has learned, by gradient ascent on the input image "
                + "(the classic Keras conv_filter_visualization), computed as a Spark job.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:failed while running (the message names the cause)", "2:bad input (nothing was computed)"})
public final class Options {

    @ArgGroup(validate = false, heading = "%nAlgorithm (defaults are the seed's numbers):%n", order = 1)
    Algorithm algorithm = new Algorithm();

    @ArgGroup(validate = false, heading = "%nModel and weights:%n", order = 2)
    Model model = new Model();

    @ArgGroup(validate = false, heading = "%nSpark:%n", order = 3)
    Spark spark = new Spark();

    @ArgGroup(validate = false, heading = "%nOutput:%n", order = 4)
    Output output = new Output();

    static final class Algorithm {
        @Option(names = "--layer", paramLabel = "NAME", description = "Convolution layer to visualise.")
        String layer = "block5_conv1";

        @Option(names = "--filter-range", paramLabel = "LO:HI",
                description = "Filters LO (inclusive) to HI (exclusive); 'LO:' runs to the last filter. Default: all.")
        String filterRange = "0:";

        @Option(names = "--step", paramLabel = "X", description = "Gradient-ascent step (gradient divided by its RMS).")
        double step = AscentSettings.DEFAULT_STEP;

        @Option(names = "--epochs", paramLabel = "N", description = "Ascent steps at each size.")
        int epochs = AscentSettings.DEFAULT_EPOCHS;

        @Option(names = "--upscaling-steps", paramLabel = "N", description = "Number of sizes the image is optimised at.")
        int upscalingSteps = AscentSettings.DEFAULT_UPSCALING_STEPS;

        @Option(names = "--upscaling-factor", paramLabel = "X", description = "Bicubic upscale between sizes.")
        double upscalingFactor = AscentSettings.DEFAULT_UPSCALING_FACTOR;

        @Option(names = "--output-dim", paramLabel = "N|WxH", description = "Size of each filter's picture.")
        String outputDim = String.valueOf(AscentSettings.DEFAULT_OUTPUT_DIM);

        @Option(names = "--seed", paramLabel = "N", description = "Seed of the start noise (and of random weights).")
        long seed = AscentSettings.DEFAULT_SEED;
    }

    static final class Model {
        @Option(names = "--weights", paramLabel = "imagenet|random|PATH",
                description = "imagenet: Keras' VGG16 notop file (from ~/.keras/models, the cache, or downloaded); "
                        + "random: He init from --seed (not ImageNet filters); PATH: a Keras VGG16 .h5 file.")
        String weights = "imagenet";

        @Option(names = "--weights-cache", paramLabel = "DIR", description = "Where a downloaded weights file is kept.")
        Path weightsCache = Path.of(System.getProperty("user.home"), ".cache", "filterviz");

        @Option(names = "--weights-url", paramLabel = "URL",
                description = "Download the ImageNet weights from here instead (a mirror). Default: Keras' official URL.")
        String weightsUrl;
    }

    static final class Spark {
        @Option(names = "--master", paramLabel = "URL",
                description = "Spark master. Default: what spark-submit set, else local[*].")
        String master;

        @Option(names = "--partitions", paramLabel = "N", description = "Spark partitions. Default: one per filter.")
        Integer partitions;
    }

    static final class Output {
        @Option(names = "--out", paramLabel = "DIR", description = "Output folder.")
        Path out = Path.of("out");

        @Option(names = "--grid", paramLabel = "N", description = "Grid side. Default: floor(sqrt(live filters)).")
        Integer grid;

        @Option(names = "--verbose", description = "Show Spark's INFO log.")
        boolean verbose;
    }

    JobConfig toConfig() {
        OutputDim dim = OutputDim.parse(algorithm.outputDim);
        AscentSettings ascent = new AscentSettings(algorithm.step, algorithm.epochs, algorithm.upscalingSteps,
                algorithm.upscalingFactor, dim.width(), dim.height(), algorithm.seed);
        return new JobConfig(algorithm.layer, FilterRange.parse(algorithm.filterRange), ascent, model.weights,
                model.weightsCache, model.weightsUrl, output.out, spark.master, spark.partitions, output.grid,
                output.verbose);
    }
}
