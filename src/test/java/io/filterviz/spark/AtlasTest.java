package io.filterviz.spark;

import io.filterviz.testing.MainRun;
import io.filterviz.model.Vgg16;
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

    @Test
    void everyLayerHasItsRowsAndEveryLayerWithALiveFilterItsGrid() throws Exception {
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals("layer,filter,loss,seconds,status", csv.get(0));
        assertEquals(26, csv.size() - 1, String.join("\n", csv));
        for (String layer : Vgg16.convLayerNames()) {
            List<String> rows = csv.stream().filter(l -> l.startsWith(layer + ",")).toList();
            assertEquals(2, rows.size(), layer);
            boolean live = rows.stream().anyMatch(l -> l.endsWith(",ok"));
            assertEquals(live, Files.isRegularFile(out.resolve("vgg_" + layer + "_1x1.png")), layer + "'s grid");
        }
        assertTrue(csv.stream().filter(l -> l.endsWith(",ok")).count() >= 13, "most filters should be alive");
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
