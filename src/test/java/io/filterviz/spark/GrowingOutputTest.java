package io.filterviz.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterviz.testing.MainRun;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18: one --out folder grows. A run with the same recipe and another selection (filter range, layers) adds
 * to it and the tables, grids and gallery cover everything finished there; another recipe is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrowingOutputTest {
    private static final List<String> SMALL = List.of("--weights", "random", "--output-dim", "48",
            "--upscaling-steps", "2", "--epochs", "2", "--master", "local[2]");
    private static final String GRID = "vgg_block5_conv1_2x2.png";

    @TempDir
    static Path dir;

    /** One uninterrupted run of filters 0:8, what every grown folder is compared with. */
    private Path whole;

    private static MainRun run(Path out, String... extra) {
        List<String> args = new ArrayList<>(SMALL);
        args.addAll(List.of(extra));
        args.addAll(List.of("--out", out.toString()));
        return MainRun.of(args);
    }

    private static MainRun succeed(Path out, String... extra) {
        MainRun run = run(out, extra);
        assertEquals(0, run.exit(), run.err());
        return run;
    }

    @BeforeAll
    void runFiltersZeroToEightAtOnce() {
        whole = dir.resolve("whole");
        succeed(whole, "--filter-range", "0:8");
    }

    @Test
    void theQuickStartsSecondCommandContinuesTheFirst() throws Exception {
        Path out = dir.resolve("quick-start");
        MainRun first = succeed(out, "--filter-range", "0:4");
        assertEquals(4, computed(first), first.out());
        assertTrue(first.out().contains(" holds 4 filters of block5_conv1\n"), first.out());

        MainRun second = succeed(out, "--filter-range", "0:8");
        assertEquals(4, computed(second), "only the 4 new filters are computed: " + second.out());
        assertTrue(second.out().contains("Resuming: 4 finished filters skipped, 4 to compute"), second.out());
        assertTrue(second.out().contains(out.toUri().getPath().replaceAll("/$", "")
                + " holds 8 filters of block5_conv1, 4 from earlier runs"), second.out());

        assertEquals(tableWithoutSeconds(whole), tableWithoutSeconds(out), "results.csv holds all 8");
        assertEquals(8, parquetRows(out), "the Parquet table holds all 8");
        assertEquals(galleryCards(whole), galleryCards(out));
        assertEquals(8, galleryCards(out).size() + deadInGallery(out), "the gallery holds all 8");
        assertArrayEquals(Files.readAllBytes(whole.resolve(GRID)), Files.readAllBytes(out.resolve(GRID)),
                "the grid is the one a single 0:8 run draws, byte for byte");

        JsonNode record = runJson(out);
        assertEquals(2, record.get("selections").size(), record.toString());
        assertEquals("0:4", record.get("selections").get(0).get("filterRange").asText());
        assertEquals("0:8", record.get("selections").get(1).get("filterRange").asText());
        assertEquals(runJson(whole).get("recipe"), record.get("recipe"));
        assertEquals(2, record.get("recipe").get("epochs").asInt());
        if (record.get("recipe").get("engine").asText().equals("onednn")) {
            assertEquals("winograd-where-faster", record.get("recipe").get("convolutions").asText(), record.toString());
        }
    }

    @Test
    void slicesAddUpInAnyOrder() throws Exception {
        Path out = dir.resolve("slices");
        succeed(out, "--filter-range", "4:8");
        MainRun second = succeed(out, "--filter-range", "0:4");
        assertEquals(4, computed(second), second.out());
        assertFalse(second.out().contains("Resuming"), "nothing of 0:4 was finished: " + second.out());
        assertTrue(second.out().contains(" holds 8 filters of block5_conv1, 4 from earlier runs"), second.out());
        assertEquals(tableWithoutSeconds(whole), tableWithoutSeconds(out));
        assertArrayEquals(Files.readAllBytes(whole.resolve(GRID)), Files.readAllBytes(out.resolve(GRID)));
    }

    @Test
    void aGrowingFolderKeepsOneGridPerLayer() throws Exception {
        Path out = dir.resolve("grid-side");
        succeed(out, "--filter-range", "0:1");
        assertTrue(Files.exists(out.resolve("vgg_block5_conv1_1x1.png")), "filter 0 is alive: a 1x1 grid");
        succeed(out, "--filter-range", "1:8");
        try (Stream<Path> files = Files.list(out)) {
            List<String> grids = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("vgg_")).toList();
            assertEquals(List.of(GRID), grids, "the 1x1 grid of the first run is replaced, not left beside the new one");
        }
    }

    @Test
    void anAddedLayerJoinsTheFolderAndItsGallery() throws Exception {
        Path out = dir.resolve("layers");
        succeed(out, "--filter-range", "0:4");
        MainRun second = succeed(out, "--filter-range", "0:4", "--layer", "block1_conv1");
        assertEquals(4, computed(second), second.out());
        assertTrue(second.out().contains(" holds 8 filters, 4 from earlier runs: 4 of block1_conv1, 4 of block5_conv1"),
                second.out());

        List<String> layers = tableWithoutSeconds(out).stream().skip(1).map(row -> row.split(",")[0]).distinct().toList();
        assertEquals(List.of("block1_conv1", "block5_conv1"), layers);
        assertEquals(8, parquetRows(out));
        String index = Files.readString(out.resolve("index.html"));
        for (String layer : layers) {
            assertTrue(index.contains("href=\"" + layer + ".html\""), "the overview links " + layer + ": " + index);
            assertTrue(Files.isRegularFile(out.resolve(layer + ".html")), layer);
        }
        assertEquals(galleryCards(whole).stream().filter(f -> f < 4).toList(), cards(Files.readString(out.resolve("block5_conv1.html"))),
                "block5_conv1's page still shows the first run's filters");
    }

    @Test
    void anotherRecipeIsRefusedAndNothingIsWritten() throws Exception {
        Path out = copyOfWhole("other-recipe");
        Map<String, String> before = snapshot(out);
        MainRun other = run(out, "--filter-range", "8:12", "--epochs", "3");
        assertEquals(2, other.exit(), other.err());
        assertEquals(1, other.err().lines().count(), "one line: " + other.err());
        assertTrue(other.err().contains("holds pictures made with epochs 2, this run has 3"), other.err());
        assertTrue(other.err().contains("use another --out, or --overwrite to start over"), other.err());
        assertEquals(before, snapshot(out), "nothing under --out changed");
    }

    @Test
    void aFolderOfAnEarlierFilterVizIsRefusedInOneLineThatSaysWhatToDo() throws Exception {
        Path out = copyOfWhole("earlier-format");
        // run.json as filterviz wrote it before the recipe and the selection were split (no convolution choice).
        JsonNode recipe = runJson(whole).get("recipe");
        Files.writeString(out.resolve("run.json"), """
                {
                  "layers" : [ "block5_conv1" ],
                  "filterRange" : "0:8",
                  "step" : 1.0,
                  "epochs" : 2,
                  "upscalingSteps" : 2,
                  "upscalingFactor" : 1.2,
                  "outputWidth" : 48,
                  "outputHeight" : 48,
                  "seed" : 42,
                  "weights" : "random, seed 42",
                  "engine" : "%s",
                  "precision" : "fp32"
                }
                """.formatted(recipe.get("engine").asText()));
        Map<String, String> before = snapshot(out);
        MainRun resumed = run(out, "--filter-range", "0:8");
        assertEquals(2, resumed.exit(), resumed.err());
        assertEquals(1, resumed.err().lines().count(), "one line: " + resumed.err());
        assertTrue(resumed.err().contains("was written by an earlier filterviz whose run.json does not record the "
                + "convolution choice: use another --out, or --overwrite to start over"), resumed.err());
        assertEquals(before, snapshot(out), "nothing under --out changed");

        MainRun overwrite = succeed(out, "--filter-range", "0:8", "--overwrite");
        assertEquals(8, computed(overwrite), overwrite.out());
        assertEquals(recipe, runJson(out).get("recipe"));
    }

    /** "Costs of filter" and "is dead" lines: the filters a run computed. */
    private static long computed(MainRun run) {
        return run.out().lines().filter(l -> l.startsWith("Costs of") || l.contains(" is dead")).count();
    }

    /** results.csv without the seconds column, which differs between runs. */
    private static List<String> tableWithoutSeconds(Path out) throws Exception {
        return Files.readAllLines(out.resolve("results.csv")).stream()
                .map(l -> l.replaceAll(",[0-9.]+,([^,]+,(ok|dead))$", ",$1")).toList();
    }

    private static long parquetRows(Path out) {
        SparkSession spark = SparkSession.builder().master("local[1]").appName("read-back").getOrCreate();
        try {
            return spark.read().parquet(out.resolve("results").toString()).count();
        } finally {
            spark.stop();
        }
    }

    /** The filter numbers of index.html's cards, in page order. */
    private static List<Integer> galleryCards(Path out) throws Exception {
        return cards(Files.readString(out.resolve("index.html")));
    }

    private static List<Integer> cards(String html) {
        List<Integer> filters = new ArrayList<>();
        Matcher m = Pattern.compile("class=\"card\" data-filter=\"(\\d+)\"").matcher(html);
        while (m.find()) filters.add(Integer.parseInt(m.group(1)));
        return filters;
    }

    /** Dead filters, from results.csv (the gallery lists them by number). */
    private static long deadInGallery(Path out) throws Exception {
        return Files.readAllLines(out.resolve("results.csv")).stream().filter(l -> l.endsWith(",dead")).count();
    }

    private static JsonNode runJson(Path out) throws Exception {
        return new ObjectMapper().readTree(out.resolve("run.json").toFile());
    }

    private Path copyOfWhole(String name) throws Exception {
        Path copy = dir.resolve(name);
        try (Stream<Path> files = Files.walk(whole)) {
            for (Path p : files.toList()) {
                Path target = copy.resolve(whole.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
        return copy;
    }

    /** Every file under {@code out}: its content's digest and modification time. */
    private static Map<String, String> snapshot(Path out) throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(out)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
                files.put(out.relativize(p).toString(), HexFormat.of().formatHex(digest) + " " + Files.getLastModifiedTime(p));
            }
        }
        return files;
    }
}
