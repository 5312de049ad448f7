package io.filterviz.it;

import io.filterviz.examples.ActivationScan;
import io.filterviz.examples.Example;
import io.filterviz.examples.ExampleRow;
import io.filterviz.examples.FashionMnist;
import io.filterviz.examples.ImageScanner;
import io.filterviz.examples.InputSize;
import io.filterviz.examples.ScanModel;
import io.filterviz.examples.ScanTotals;
import io.filterviz.image.Png;
import io.filterviz.image.RgbImage;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.onnx.OnnxLoader;
import io.filterviz.report.ExampleLayout;
import io.filterviz.report.ExamplesGallery;
import io.filterviz.testing.Prerequisite;
import io.filterviz.testing.TestFiles;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./submit.sh examples} on a real Spark standalone cluster (master + 2 one-core workers on 127.0.0.1, Spark's
 * own SparkSubmit): 500 Fashion-MNIST test images through the trained model, every convolution layer, top 9. The table
 * is the one a scan in this JVM finds without Spark, every row has its crop, and the gallery links them; the model
 * reached each executor once.
 */
class ExamplesClusterIT {
    private static final Path PROJECT = Path.of(System.getProperty("user.dir"));
    private static final Path WORK = PROJECT.resolve("target/it-examples");
    private static final Path MODEL = PROJECT.resolve("src/test/resources/models/fashion_mnist_cnn.onnx");
    private static final int IMAGES = 500;
    private static final int TOP = 9;

    @Test
    void theScanOnTheClusterWritesTheTableCropsAndGallery() throws Exception {
        Prerequisite.require(Files.isDirectory(FashionMnist.FOLDER), "Debian's dataset-fashion-mnist in " + FashionMnist.FOLDER);
        TestFiles.deleteRecursively(WORK);
        Path images = WORK.resolve("fashion-mnist");
        FashionMnist.writePngs("t10k", IMAGES, images);
        Path out = WORK.resolve("out");
        try (SparkStandaloneCluster cluster = new SparkStandaloneCluster(PROJECT.resolve("target/spark-home"),
                WORK.resolve("cluster"), 2)) {
            SubmitScript.Result run = SubmitScript.run(cluster.environment(), List.of("examples", "--model", MODEL.toString(),
                    "--preprocess", "unit", "--layer", "all", "--images", images.toString(), "--top", String.valueOf(TOP),
                    "--out", out.toString(), "--master", cluster.masterUrl()), WORK.resolve("examples.log"), Duration.ofMinutes(4));
            assertEquals(0, run.exit(), run.output());
            assertTrue(run.output().contains("submitting to " + cluster.masterUrl()), run.output());
            assertTrue(run.output().contains("Scanned " + IMAGES + " images for 3 layers") && run.output().contains("--engine onednn"),
                    run.output());
            List<String> loads = cluster.executorLogLines("for the example scan", Set.of());
            assertEquals(2, loads.size(), "the model loaded once in each of the 2 executors: " + loads);
        }

        Graph network = Preprocessing.UNIT.prepend(OnnxLoader.load(MODEL));
        List<String> layers = network.convolutionOutputs();
        List<ExampleRow> rows = ExampleRow.parse(Files.readString(out.resolve(ExampleLayout.CSV)));
        assertEquals(TOP * (16 + 32 + 64), rows.size(), "9 rows for every filter of the 3 layers");
        assertTrue(Files.isDirectory(out.resolve(ExampleLayout.PARQUET)), "Parquet table");

        // The same top 9 as a scan in this JVM, without Spark, over the same files.
        ScanTotals here = new ScanTotals(TOP);
        try (ActivationScan scan = ScanModel.of("onednn", network).open(layers, ScanModel.DEFAULT_BATCH, 1);
             Stream<Path> files = Files.list(images)) {
            ImageScanner scanner = new ImageScanner(scan, 1, InputSize.OWN);
            for (Path f : files.sorted().toList()) scanner.accept(f.getFileName().toString(), Files.readAllBytes(f), here);
            scanner.finish(here);
        }
        for (ExampleRow row : rows) {
            Example want = here.top().ranked(row.layer(), row.filter()).get(row.rank() - 1);
            String where = row.layer() + " filter " + row.filter() + " rank " + row.rank();
            assertTrue(row.image().endsWith("/" + want.image()), where + ": " + row.image() + " vs " + want.image());
            assertEquals(want.x(), row.x(), where);
            assertEquals(want.y(), row.y(), where);
            assertEquals(want.score(), row.score(), 1e-5 * Math.max(1, Math.abs(want.score())), where);
            RgbImage crop = Png.decode(Files.readAllBytes(out.resolve(ExampleLayout.crop(row.layer(), row.filter(), row.rank()))));
            assertTrue(crop.width() >= 64 && crop.height() >= 64, where + ": crop " + crop.width() + "×" + crop.height());
        }

        String index = Files.readString(out.resolve(ExamplesGallery.INDEX));
        for (String layer : layers) {
            String page = Files.readString(out.resolve(ExamplesGallery.layerPage(layer)));
            assertTrue(index.contains(ExamplesGallery.layerPage(layer)), "the gallery links " + layer);
            assertEquals(TOP * network.shapes(28, 28).get(layer).channels(), page.split("class=\"crop\"", -1).length - 1,
                    layer + ": a figure per crop");
            assertTrue(page.contains(ExampleLayout.crop(layer, 0, 1)), layer);
        }
    }
}
