package io.filterviz.it;

import io.filterviz.testing.MainRun;
import io.filterviz.testing.Prerequisite;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gallery in a real browser: Debian's headless Chromium (.ci/run installs it) opens the pages from file://,
 * and every picture must have arrived (naturalWidth > 0), with no script or console error.
 */
class GalleryIT {
    private static final Path PROJECT = Path.of(System.getProperty("user.dir"));
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @BeforeAll
    static void chromiumIsThere() {
        Prerequisite.require(Files.isExecutable(CHROMIUM), CHROMIUM + " (apt-get install chromium; .ci/run installs it)");
    }

    private static Path run(String name, String... extra) {
        Path out = PROJECT.resolve("target/it-gallery/" + name);
        List<String> args = new ArrayList<>(List.of("--weights", "random", "--output-dim", "64", "--upscaling-steps",
                "2", "--epochs", "3", "--master", "local[2]", "--out", out.toString(), "--overwrite"));
        args.addAll(List.of(extra));
        MainRun run = MainRun.of(args);
        assertEquals(0, run.exit(), run.out() + run.err());
        return out;
    }

    @Test
    void everyCardLoadsSortedByLossWithoutConsoleErrors() throws Exception {
        Path out = run("one-layer", "--filter-range", "0:12");
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        long live = csv.stream().filter(l -> l.endsWith(",ok")).count();
        long dead = csv.stream().filter(l -> l.endsWith(",dead")).count();
        Path index = out.resolve("index.html");
        String page = Files.readString(index);
        assertFalse(page.contains("http://") || page.contains("https://"), "no network request: " + page);

        String dom = render(index, PROJECT.resolve("target/gallery-screenshot.png"));
        assertEquals(String.valueOf(live), attribute(dom, "data-cards"), "cards in the rendered page");
        assertAllImagesLoaded(dom, live + 1); // the cards and the grid
        Matcher cards = Pattern.compile("<figure class=\"card\" data-filter=\"(\\d+)\" data-loss=\"([^\"]+)\"").matcher(dom);
        List<Float> losses = new ArrayList<>();
        while (cards.find()) {
            assertTrue(Files.isRegularFile(out.resolve(String.format("filters/block5_conv1_%04d.png",
                    Integer.parseInt(cards.group(1))))));
            losses.add(Float.parseFloat(cards.group(2)));
        }
        assertEquals(live, losses.size());
        for (int i = 1; i < losses.size(); i++) {
            assertTrue(losses.get(i - 1) >= losses.get(i), "cards sorted by loss, highest first: " + losses);
        }
        assertTrue(dom.contains("(" + live + " live, " + dead + " dead)"), dom);
    }

    @Test
    void theAtlasOverviewAndALayerPageShowEveryPicture() throws Exception {
        Path out = run("atlas", "--layer", "all", "--filter-range", "0:2", "--output-dim", "32", "--upscaling-steps", "1",
                "--epochs", "2");
        String overview = render(out.resolve("index.html"), PROJECT.resolve("target/atlas-screenshot.png"));
        Matcher rows = Pattern.compile("<tr class=\"layer\" data-layer=\"(block\\d_conv\\d)\">").matcher(overview);
        List<String> layers = new ArrayList<>();
        while (rows.find()) layers.add(rows.group(1));
        assertEquals(13, layers.size(), overview);
        assertAllImagesLoaded(overview, Integer.parseInt(attribute(overview, "data-images")));
        assertTrue(Integer.parseInt(attribute(overview, "data-images")) > 0, "the overview shows grid thumbnails");

        // Follow one layer's link, as a reader would.
        Matcher link = Pattern.compile("<a href=\"(block3_conv1\\.html)\">").matcher(overview);
        assertTrue(link.find(), "a link to block3_conv1's page");
        String layerPage = render(out.resolve(link.group(1)), PROJECT.resolve("target/atlas-layer-screenshot.png"));
        assertTrue(layerPage.contains("<code>block3_conv1</code>"), layerPage);
        assertAllImagesLoaded(layerPage, Integer.parseInt(attribute(layerPage, "data-images")));
    }

    private static void assertAllImagesLoaded(String dom, long expected) {
        assertEquals(String.valueOf(expected), attribute(dom, "data-images"), "pictures on the page");
        assertEquals(String.valueOf(expected), attribute(dom, "data-images-loaded"), "pictures that arrived");
        assertEquals("0", attribute(dom, "data-errors"), "script errors in the page");
    }

    /** The DOM after scripts ran, and a screenshot; fails on any console or network error Chromium logs. */
    private static String render(Path page, Path screenshot) throws Exception {
        Path profile = Files.createTempDirectory("chromium-profile");
        // A tall window: every card is in view, so lazy-loaded pictures load too.
        List<String> common = List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
                "--allow-file-access-from-files", "--virtual-time-budget=5000", "--window-size=1280,4000");
        String dom = chromium(common, "--dump-dom", page);
        chromium(common, "--screenshot=" + screenshot, page);
        assertTrue(Files.size(screenshot) > 10_000, "screenshot " + screenshot);
        return dom;
    }

    private static String attribute(String dom, String name) {
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(dom);
        assertTrue(m.find(), name + " missing from the rendered DOM");
        return m.group(1);
    }

    private static String chromium(List<String> common, String action, Path page) throws Exception {
        List<String> command = new ArrayList<>(common);
        command.add(action);
        command.add(page.toUri().toString());
        Path log = Files.createTempFile("chromium", ".log");
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium hung");
        for (String line : Files.readAllLines(log)) {
            boolean console = line.contains("CONSOLE") && (line.contains("Error") || line.contains("Uncaught"));
            boolean network = line.contains("net::ERR_");
            assertFalse(console || network, "browser error: " + line);
        }
        return output;
    }
}
