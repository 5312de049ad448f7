package io.filterviz.spark;

import io.filterviz.engine.onednn.OnednnProbe;
import io.filterviz.testing.MainRun;
import io.filterviz.testing.ResultsCsv;
import io.filterviz.image.Png;
import io.filterviz.image.RgbImage;
import io.filterviz.model.NetworkWeights;
import io.filterviz.model.RandomWeights;
import io.filterviz.testing.KerasH5Fixture;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole job in local[2], as a user runs it, with small settings. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndToEndTest {
    private static final List<String> SMALL = List.of("--weights", "random", "--filter-range", "0:8",
            "--output-dim", "64", "--upscaling-steps", "2", "--epochs", "3", "--master", "local[2]");

    @TempDir
    static Path dir;

    private String console;
    private Path out;

    private String run(Path out, List<String> extra) {
        List<String> args = new ArrayList<>(SMALL);
        args.addAll(extra);
        args.addAll(List.of("--out", out.toString()));
        MainRun run = MainRun.of(args);
        assertEquals(0, run.exit(), run.err());
        return run.out();
    }

    @BeforeAll
    void runOnce() {
        out = dir.resolve("out");
        console = run(out, List.of());
    }

    /** filter → loss, from results.csv. */
    private static Map<Integer, Float> losses(Path out) throws Exception {
        assertEquals("layer,filter,loss,seconds,kernels,status", Files.readAllLines(out.resolve("results.csv")).get(0));
        return ResultsCsv.losses(out);
    }

    @Test
    void writesEveryFileWithTheRightSizes() throws Exception {
        Map<Integer, Float> losses = losses(out);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), new ArrayList<>(losses.keySet()));
        for (int f = 0; f < 8; f++) {
            RgbImage image = Png.decode(Files.readAllBytes(out.resolve("filters").resolve(String.format("block5_conv1_%04d.png", f))));
            assertEquals(64, image.width());
            assertEquals(64, image.height());
        }
        RgbImage grid = Png.decode(Files.readAllBytes(out.resolve("vgg_block5_conv1_2x2.png")));
        assertEquals(2 * 64 + 5, grid.width());
        assertEquals(2 * 64 + 5, grid.height());
        assertTrue(console.contains("Compute filters 0 to 8"), console);
        assertTrue(console.contains("8 filters processed: 8 live, 0 dead"), console);
        assertEquals(8, console.lines().filter(l -> l.startsWith("Costs of filter ")).count(), console);
        try (var files = Files.walk(out)) {
            List<String> names = files.map(p -> out.relativize(p).toString()).toList();
            assertTrue(names.stream().noneMatch(n -> n.endsWith(".crc")), "no Hadoop .crc side files: " + names);
            assertTrue(names.contains("results/_SUCCESS"), names.toString()); // the Parquet table was walked too
        }
    }

    @Test
    void gridHoldsTheBestFiltersByLossRowMajor() throws Exception {
        List<Integer> best = losses(out).entrySet().stream()
                .sorted(Map.Entry.<Integer, Float>comparingByValue(Comparator.reverseOrder()))
                .map(Map.Entry::getKey).limit(4).toList();
        RgbImage grid = Png.decode(Files.readAllBytes(out.resolve("vgg_block5_conv1_2x2.png")));
        for (int k = 0; k < 4; k++) {
            RgbImage tile = Png.decode(Files.readAllBytes(out.resolve("filters").resolve(String.format("block5_conv1_%04d.png", best.get(k)))));
            int left = (k % 2) * (64 + 5), top = (k / 2) * (64 + 5);
            for (int y = 0; y < 64; y += 9) {
                for (int x = 0; x < 64; x += 7) {
                    assertEquals(tile.get(x, y, 1), grid.get(left + x, top + y, 1), "tile " + k + " at " + x + "," + y);
                }
            }
        }
    }

    @Test
    void parquetTableMatchesTheCsv() throws Exception {
        Map<Integer, Float> losses = losses(out);
        SparkSession spark = SparkSession.builder().master("local[1]").appName("read-back").getOrCreate();
        try {
            List<Row> rows = spark.read().parquet(out.resolve("results").toString()).orderBy("filter").collectAsList();
            assertEquals(8, rows.size());
            for (Row row : rows) {
                assertEquals("block5_conv1", row.getAs("layer"));
                assertEquals(losses.get(row.<Integer>getAs("filter")), row.<Float>getAs("loss"));
                assertEquals("ok", row.getAs("status"));
                assertEquals(ResultsCsv.kernels(out), row.getAs("kernels"));
                assertTrue(Files.isRegularFile(out.resolve(row.<String>getAs("image"))), row.<String>getAs("image"));
            }
        } finally {
            spark.stop();
        }
    }

    /**
     * Each filter's row names the kernels that computed it, in results.csv and in the resume state: this CPU's
     * instruction set as oneDNN uses it and the implementations of the primitives (oneDNN's names: kind:isa).
     */
    @Test
    void everyRowNamesItsKernels() throws Exception {
        List<String> rows = Files.readAllLines(out.resolve("results.csv"));
        String kernels = ResultsCsv.kernels(out);
        assertTrue(kernels.matches(OnednnProbe.effectiveIsa() + " [a-z0-9_]+:[a-z0-9_]+(\\+[a-z0-9_]+:[a-z0-9_]+)*"), kernels);
        for (String row : rows.subList(1, rows.size())) {
            assertEquals(kernels, row.split(",")[4], row);
            int filter = Integer.parseInt(row.split(",")[1]);
            String state = Files.readString(out.resolve(String.format("state/block5_conv1_%04d.csv", filter))).strip();
            assertEquals(row, state);
        }
    }

    @Test
    void partitioningChangesNothing() throws Exception {
        Path one = dir.resolve("one"), three = dir.resolve("three");
        run(one, List.of("--partitions", "1"));
        run(three, List.of("--partitions", "3"));
        Map<Integer, Float> a = losses(one), b = losses(three), c = losses(out);
        for (int f = 0; f < 8; f++) {
            assertEquals(a.get(f), b.get(f), 1e-5 * Math.abs(a.get(f)), "filter " + f);
            assertEquals(a.get(f), c.get(f), 1e-5 * Math.abs(a.get(f)), "filter " + f);
            String name = String.format("block5_conv1_%04d.png", f);
            assertArrayEquals(Png.decode(Files.readAllBytes(one.resolve("filters").resolve(name))).buffer(),
                    Png.decode(Files.readAllBytes(three.resolve("filters").resolve(name))).buffer(), name);
        }
    }

    @Test
    void deadFiltersAreReportedAndLeftOutOfTheGrid() throws Exception {
        NetworkWeights weights = RandomWeights.create("block2_conv1", 4);
        weights.conv("block2_conv1").bias()[2] = -1e9f;
        weights.conv("block2_conv1").bias()[5] = -1e9f;
        Path file = dir.resolve("vgg.h5");
        KerasH5Fixture.write(file, weights, KerasH5Fixture.Style.KERAS1_NOTOP);
        Path deadOut = dir.resolve("dead");
        String text = run(deadOut, List.of("--weights", file.toString(), "--layer", "block2_conv1"));

        List<String> csv = Files.readAllLines(deadOut.resolve("results.csv"));
        assertEquals(9, csv.size());
        assertTrue(csv.get(3).startsWith("block2_conv1,2,0.0,") && csv.get(3).endsWith(",dead"), csv.get(3));
        assertTrue(csv.get(6).startsWith("block2_conv1,5,0.0,") && csv.get(6).endsWith(",dead"), csv.get(6));
        assertFalse(Files.exists(deadOut.resolve("filters").resolve("block2_conv1_0002.png")));
        assertTrue(text.contains("Filter   2 is dead"), text);
        assertTrue(text.contains("8 filters processed: 6 live, 2 dead"), text);
        assertTrue(Files.isRegularFile(deadOut.resolve("vgg_block2_conv1_2x2.png")));
    }
}
