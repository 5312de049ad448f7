package io.filterviz.examples;

import io.filterviz.engine.reference.ReferenceGraph;
import io.filterviz.image.Png;
import io.filterviz.image.RgbImage;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Shape;
import io.filterviz.model.onnx.OnnxLoader;
import io.filterviz.report.ExampleLayout;
import io.filterviz.testing.MainRun;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code examples} end to end in local[2] on Fashion-MNIST test images through the trained model: the table against a
 * brute force over every image, the crops, the class logits' top images against the labels, partitioning, rerun.
 */
class ExamplesJobTest {
    private static final int IMAGES = 500;
    private static final String RELU3 = "/relu3/Relu_output_0";
    private static final int TOP = 9;

    @TempDir
    static Path temp;
    static Path model;
    static Path images;
    static MainRun first;
    static Path out;

    @BeforeAll
    static void scanOnce() throws Exception {
        model = Path.of(ExamplesJobTest.class.getResource("/models/fashion_mnist_cnn.onnx").toURI());
        images = temp.resolve("images");
        FashionMnist.writePngs("t10k", IMAGES, images.resolve("nested"));
        Files.writeString(images.resolve("notes.txt"), "not an image");
        byte[] png = Files.readAllBytes(images.resolve("nested/t10k_00000.png"));
        Files.write(images.resolve("broken.png"), Arrays.copyOf(png, png.length / 2));
        out = temp.resolve("out");
        first = run(out, "--layer", RELU3 + ",logits");
        assertEquals(0, first.exit(), first.err());
        System.out.print(first.out());
    }

    static MainRun run(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("examples", "--images", images.toString(), "--model", model.toString(),
                "--preprocess", "unit", "--top", String.valueOf(TOP), "--out", out.toString(), "--master", "local[2]"));
        args.addAll(List.of(more));
        return MainRun.of(args);
    }

    static List<ExampleRow> table(Path out) throws IOException {
        return ExampleRow.parse(Files.readString(out.resolve(ExampleLayout.CSV)));
    }

    @Test
    void theTableIsTheBruteForcesTopNineWithPositions() throws Exception {
        Graph network = Preprocessing.UNIT.prepend(OnnxLoader.load(model));
        ReferenceGraph engine = new ReferenceGraph(network);
        record Score(String image, double value, int x, int y) {}
        Map<String, List<Score>> all = new HashMap<>(); // "layer filter" -> every image's best position
        List<Path> files;
        try (Stream<Path> walk = Files.walk(images.resolve("nested"))) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path file : files) {
            ScanImage image = ScanImage.decode(Files.readAllBytes(file));
            float[] in = image.toNetwork(1);
            double[] input = new double[in.length];
            for (int i = 0; i < in.length; i++) input[i] = in[i];
            Map<String, double[]> values = engine.forward(input, 28, 28);
            Map<String, Shape> shapes = network.shapes(28, 28);
            String path = "file:" + file.toAbsolutePath();
            for (String layer : List.of(RELU3, "logits")) {
                Shape s = shapes.get(layer);
                int plane = s.height() * s.width();
                for (int c = 0; c < s.channels(); c++) {
                    int best = 0;
                    for (int p = 1; p < plane; p++) if (values.get(layer)[c * plane + p] > values.get(layer)[c * plane + best]) best = p;
                    all.computeIfAbsent(layer + " " + c, k -> new ArrayList<>()).add(new Score(path, values.get(layer)[c * plane + best],
                            s.vector() ? -1 : best % s.width(), s.vector() ? -1 : best / s.width()));
                }
            }
        }
        List<ExampleRow> rows = table(out);
        Map<String, List<ExampleRow>> byFilter = new HashMap<>();
        for (ExampleRow r : rows) byFilter.computeIfAbsent(r.layer() + " " + r.filter(), k -> new ArrayList<>()).add(r);
        assertEquals(all.keySet(), byFilter.keySet());
        all.forEach((key, scores) -> {
            scores.sort(Comparator.comparingDouble(Score::value).reversed().thenComparing(Score::image));
            List<ExampleRow> got = byFilter.get(key);
            assertEquals(TOP, got.size(), key);
            for (int r = 0; r < TOP; r++) {
                Score want = scores.get(r);
                ExampleRow row = got.get(r);
                assertEquals(r + 1, row.rank());
                assertEquals(want.image(), row.image(), key + " rank " + (r + 1));
                // the job scans in float (oneDNN, the default engine), the brute force in double
                assertEquals(want.value(), row.score(), 1e-5 * Math.max(1, Math.abs(want.value())), key);
                assertEquals(want.x(), row.x(), key);
                assertEquals(want.y(), row.y(), key);
            }
        });
        assertTrue(first.out().contains("Scanned " + IMAGES + " images for 2 layers"), first.out());
        assertTrue(first.out().contains("skipped 2 files"), first.out());
        assertTrue(first.out().contains("broken.png: a broken image") && first.out().contains("notes.txt: not an image"), first.out());
    }

    @Test
    void eachRowHasItsCropAndParquetHoldsTheSameTable() throws Exception {
        Graph network = Preprocessing.UNIT.prepend(OnnxLoader.load(model));
        List<ExampleRow> rows = table(out);
        for (ExampleRow r : rows) {
            Path crop = out.resolve(ExampleLayout.crop(r.layer(), r.filter(), r.rank()));
            RgbImage got = Png.decode(Files.readAllBytes(crop));
            ScanImage image = ScanImage.decode(Files.readAllBytes(Path.of(new URI(r.image()))));
            ReceptiveField.Box box = ReceptiveField.of(network, r.layer(), 28, 28, r.x(), r.y());
            if (r.layer().equals("logits")) assertEquals(new ReceptiveField.Box(0, 0, 27, 27), box);
            else assertTrue(box.height() < 28 || box.width() < 28 || r.y() == 0, "a part of the image: " + box);
            assertEquals(Crops.crop(image.pixels(), box), got, crop.toString());
            assertTrue(got.width() >= 64 && got.height() >= 64, crop + " is " + got.width() + "×" + got.height());
        }
        SparkSession spark = SparkSession.builder().master("local[1]").getOrCreate();
        try {
            List<Row> parquet = spark.read().parquet(out.resolve(ExampleLayout.PARQUET).toString())
                    .orderBy("layer", "filter", "rank").collectAsList();
            List<ExampleRow> sorted = new ArrayList<>(rows);
            sorted.sort(Comparator.comparing(ExampleRow::layer).thenComparingInt(ExampleRow::filter).thenComparingInt(ExampleRow::rank));
            assertEquals(sorted.size(), parquet.size());
            for (int i = 0; i < sorted.size(); i++) {
                ExampleRow r = sorted.get(i);
                Row p = parquet.get(i);
                assertEquals(List.of(r.layer(), r.filter(), r.rank(), r.image(), r.score(), r.x(), r.y()),
                        List.of(p.getString(0), p.getInt(1), p.getInt(2), p.getString(3), p.getDouble(4), p.getInt(5), p.getInt(6)));
            }
        } finally {
            spark.stop();
        }
    }

    /** Issue 16: a trained network's class logit should be excited most by images of that class. */
    @Test
    void eachClassLogitsTopNineCarryItsLabel() throws IOException {
        int[] labels = FashionMnist.labels("t10k", IMAGES);
        int hits = 0;
        StringBuilder report = new StringBuilder();
        for (int c = 0; c < 10; c++) {
            int filter = c;
            List<ExampleRow> top = table(out).stream().filter(r -> r.layer().equals("logits") && r.filter() == filter).toList();
            long own = top.stream().filter(r -> labels[FashionMnist.index(r.image())] == filter).count();
            hits += (int) own;
            report.append(String.format(Locale.ROOT, "%s %d/%d; ", FashionMnist.CLASSES[c], own, top.size()));
        }
        double share = hits / 90.0;
        System.out.printf(Locale.ROOT, "Fashion-MNIST, %d test images: class logits' top 9 with their own label: %.1f %% (%s)%n",
                IMAGES, 100 * share, report);
        assertTrue(share >= 0.9, "only " + hits + " of 90: " + report);
    }

    @Test
    void anotherPartitioningGivesTheSameTableAndARerunSkipsFinishedLayers() throws IOException {
        Path other = temp.resolve("one-file-per-partition");
        System.setProperty("spark.sql.files.maxPartitionBytes", "1");
        System.setProperty("spark.sql.files.openCostInBytes", "1");
        MainRun split;
        try {
            split = run(other, "--layer", RELU3 + ",logits");
        } finally {
            System.clearProperty("spark.sql.files.maxPartitionBytes");
            System.clearProperty("spark.sql.files.openCostInBytes");
        }
        assertEquals(0, split.exit(), split.err());
        assertEquals(Files.readString(out.resolve(ExampleLayout.CSV)), Files.readString(other.resolve(ExampleLayout.CSV)));

        long before = Files.getLastModifiedTime(other.resolve(ExampleLayout.layerTable("logits"))).toMillis();
        MainRun again = run(other, "--layer", "logits,/relu1/Relu_output_0");
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("1 of 2 layers already scanned"), again.out());
        assertTrue(again.out().contains("Scanned " + IMAGES + " images for 1 layer "), again.out());
        assertEquals(before, Files.getLastModifiedTime(other.resolve(ExampleLayout.layerTable("logits"))).toMillis());
        int relu1 = Preprocessing.UNIT.prepend(OnnxLoader.load(model)).shapes(28, 28).get("/relu1/Relu_output_0").channels();
        List<ExampleRow> rows = table(other);
        int relu3 = Preprocessing.UNIT.prepend(OnnxLoader.load(model)).shapes(28, 28).get(RELU3).channels();
        assertEquals(TOP * (10 + relu1 + relu3), rows.size(), "the table holds the earlier run's relu3 and this one's relu1");
    }
}
