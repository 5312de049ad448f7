package io.filterviz.spark;

import io.filterviz.testing.MainRun;
import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.StartImage;
import io.filterviz.engine.UpscalingSchedule;
import io.filterviz.image.Deprocess;
import io.filterviz.model.NetworkWeights;
import io.filterviz.model.RandomWeights;
import io.filterviz.model.Vgg16;
import io.filterviz.testing.NaiveVgg;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 10's "done when": every convolution of VGG16 in one local[2] job, tiny sizes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AtlasTest {
    private static final List<String> ATLAS = List.of("--weights", "random", "--layer", "all", "--filter-range", "0:2",
            "--output-dim", "32", "--upscaling-steps", "1", "--epochs", "2", "--master", "local[2]");
    /** The same numbers as settings (seed: the default, 42). */
    private static final AscentSettings SETTINGS = new AscentSettings(1.0, 2, 1, 1.2, 32, 32, 42);

    @TempDir
    static Path dir;

    private Path out;
    private String firstRun;

    private String run() {
        List<String> args = new ArrayList<>(ATLAS);
        args.addAll(List.of("--out", out.toString()));
        MainRun run = MainRun.of(args);
        assertEquals(0, run.exit(), run.err());
        return run.out();
    }

    @BeforeAll
    void runTheAtlas() {
        out = dir.resolve("atlas");
        firstRun = run();
    }

    /**
     * Each layer's rows, held to an independent verdict: a filter is dead when its loss at the start image is 0 (the
     * ascent stops at its first step), which the plain double-precision forward pass tells on the same weights and
     * start noise. Live rows have a picture and a positive loss, dead rows neither, the console said the same, and
     * each layer's "complete" line counts its dead.
     */
    @Test
    void everyLayerHasItsRowsAndEveryLayerWithALiveFilterItsGrid() throws Exception {
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals("layer,filter,loss,seconds,kernels,status", csv.get(0));
        assertEquals(26, csv.size() - 1, String.join("\n", csv));
        UpscalingSchedule.Size first = SETTINGS.schedule().ascentSizes().get(0);
        for (String layer : Vgg16.convLayerNames()) {
            List<String[]> rows = csv.stream().filter(l -> l.startsWith(layer + ",")).map(l -> l.split(",")).toList();
            assertEquals(List.of("0", "1"), rows.stream().map(r -> r[1]).toList(), layer + "'s filters");
            NetworkWeights weights = RandomWeights.create(layer, SETTINGS.seed());
            int dead = 0;
            for (String[] row : rows) {
                int filter = Integer.parseInt(row[1]);
                double[] start = StartImage.noise(first.width(), first.height(), SETTINGS.seed(), layer, filter);
                boolean expectDead = NaiveVgg.loss(weights, start, first.width(), first.height(), filter) <= Deprocess.EPSILON;
                String what = layer + " filter " + filter;
                assertEquals(expectDead ? "dead" : "ok", row[5], what);
                assertEquals(!expectDead, Float.parseFloat(row[2]) > Deprocess.EPSILON, what + "'s loss " + row[2]);
                assertEquals(!expectDead, Files.isRegularFile(out.resolve(String.format("filters/%s_%04d.png", layer, filter))),
                        what + "'s picture");
                String said = expectDead ? String.format("Filter %3d of %s is dead", filter, layer)
                        : String.format("Costs of %s filter %3d:", layer, filter);
                assertEquals(1, firstRun.lines().filter(l -> l.startsWith(said)).count(), what + ": " + said);
                if (expectDead) dead++;
            }
            assertEquals(dead < 2, Files.isRegularFile(out.resolve("vgg_" + layer + "_1x1.png")), layer + "'s grid");
            String complete = "Layer " + layer + " complete: " + dead + " dead";
            assertTrue(firstRun.lines().anyMatch(complete::equals), complete + "\n" + firstRun);
        }
        assertEquals(26, firstRun.lines().filter(l -> l.startsWith("Costs of block") || l.contains(" is dead")).count(),
                firstRun);
        assertEquals(13, firstRun.lines().filter(l -> l.startsWith("Layer block") && l.contains(" complete: ")).count(),
                firstRun);
    }

    @Test
    void theOverviewLinksEveryLayerPageAndEveryPageItsPictures() throws Exception {
        String index = Files.readString(out.resolve("index.html"));
        Set<String> pages = new TreeSet<>(matches(index, "href=\"(block\\d_conv\\d\\.html)\""));
        assertEquals(13, pages.size(), index);
        for (String page : pages) {
            Path file = out.resolve(page);
            assertTrue(Files.isRegularFile(file), page);
            String html = Files.readString(file);
            assertTrue(html.contains("href=\"index.html\""), page + " links back to the overview");
            for (String src : matches(html, "src=\"([^\"]+)\"")) {
                assertTrue(Files.isRegularFile(out.resolve(src)), page + " shows a missing " + src);
            }
        }
        for (String src : matches(index, "src=\"([^\"]+)\"")) {
            assertTrue(Files.isRegularFile(out.resolve(src)), "overview shows a missing " + src);
        }
    }

    @Test
    void aRerunComputesNothing() {
        String again = run();
        assertTrue(again.contains("Resuming: 26 finished filters skipped, 0 to compute"), again);
        assertFalse(again.lines().anyMatch(l -> l.startsWith("Costs of") || l.contains(" is dead")), again);
    }

    private static List<String> matches(String text, String regex) {
        List<String> found = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) found.add(m.group(1));
        return found;
    }
}
