package io.filterviz.cli;

import io.filterviz.config.ExamplesConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/** {@code examples}: the images of a collection that excite each filter most, found by a Spark scan (issue 16). */
@Command(name = "examples", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = "Scans a collection of images with Spark and keeps, for every filter of the chosen layers, the "
                + "images that excite it most (the channel's maximum over positions; a vector's unit value), with the "
                + "part of each image the filter sees.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:failed while running (the message names the cause)", "2:bad input (nothing was computed)"})
final class ExamplesCommand implements Callable<Integer> {
    private final Consumer<ExamplesConfig> job;

    ExamplesCommand(Consumer<ExamplesConfig> job) { this.job = job; }

    @Option(names = "--images", required = true, paramLabel = "DIR|URI|GLOB",
            description = "The collection: a folder (searched recursively), a file, a glob, local or a Hadoop URI "
                    + "(hdfs://, s3a://). Files ImageIO cannot read are skipped and counted.")
    String images;

    @Option(names = "--model", required = true, paramLabel = "FILE.onnx", description = "The network (local path or Hadoop URI).")
    String model;

    @Option(names = "--preprocess", paramLabel = "none|unit|caffe|torch|tf",
            description = "What the network expects instead of pixels 0-255, as in the ascent.")
    String preprocess = "none";

    @Option(names = "--layer", paramLabel = "NAME[,NAME...]|all",
            description = "Tensors or nodes to scan: one, a comma list, or all (every convolution's output); one scan serves all.")
    String layer = "all";

    @Option(names = "--top", paramLabel = "K", description = "Images kept per filter.")
    int top = ExamplesConfig.DEFAULT_TOP;

    @Option(names = "--image-size", paramLabel = "N",
            description = "Resize every image to N×N px first. Default: each image's own size (a fixed-size network's size).")
    Integer imageSize;

    @Option(names = "--out", paramLabel = "DIR|URI",
            description = "Output folder; a rerun with the same model, images and --top skips the layers done there.")
    String out = "out";

    @Option(names = "--pictures", paramLabel = "DIR|URI",
            description = "The --out of an ascent run whose filter pictures the gallery shows beside the examples. Default: --out.")
    String pictures;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master. Default: what spark-submit set, else local[*].")
    String master;

    @Option(names = "--engine", paramLabel = "onednn|reference",
            description = "Forward engine: onednn (single precision, several images per pass; the default where it loads) "
                    + "or reference (plain double precision, one image at a time, slow: the oracle).")
    String engine;

    @Option(names = "--convolutions", paramLabel = "direct|winograd-where-faster",
            description = "How the onednn scan computes 3×3 convolutions: direct, or Winograd where it measured faster "
                    + "(fp32 on AVX-512 only; elsewhere both are direct), as in the ascent.")
    String convolutions = io.filterviz.engine.Convolutions.WINOGRAD_WHERE_FASTER.label();

    @Option(names = "--batch", paramLabel = "N",
            description = "Images of one size per oneDNN forward pass. Default: ${DEFAULT-VALUE} (0: the measured default, "
                    + io.filterviz.examples.ScanModel.DEFAULT_BATCH + ").")
    int batch;

    @Option(names = "--overwrite", description = "Replace the examples already in --out (nothing else there).")
    boolean overwrite;

    @Option(names = "--verbose", description = "Show Spark's INFO log.")
    boolean verbose;

    @Option(names = "--conf-file", paramLabel = "FILE", hidden = true, description = "Accepted for submit.sh; not read here.")
    Path confFile;

    @Override
    public Integer call() {
        job.accept(new ExamplesConfig(images, model, preprocess, Options.layerNames(layer), top, imageSize, out, pictures,
                master, overwrite, verbose, engine, Options.parseConvolutions(convolutions), batch));
        return Main.OK;
    }
}
