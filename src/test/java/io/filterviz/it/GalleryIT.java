package io.filterviz.it;

import io.filterviz.cli.Main;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** index.html in a real browser: Debian's headless Chromium (.ci/run installs it) opens it from file://. */
class GalleryIT {
    private static final Path PROJECT = Path.of(System.getProperty("user.dir"));
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @Test
    void everyCardRendersWithoutConsoleErrors() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed (.ci/run installs it)");
        Path out = PROJECT.resolve("target/it-gallery");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int exit = Main.run(new String[]{"--weights", "random", "--filter-range", "0:12", "--output-dim", "64",
                "--upscaling-steps", "2", "--epochs", "3", "--master", "local[2]", "--out", out.toString(), "--overwrite"},
                new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, exit, stdout.toString(StandardCharsets.UTF_8));
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        long live = csv.stream().filter(l -> l.endsWith(",ok")).count();
        long dead = csv.stream().filter(l -> l.endsWith(",dead")).count();

        Path index = out.resolve("index.html");
        String page = Files.readString(index);
        assertFalse(page.contains("http://") || page.contains("https://"), "no network request: " + page);

        Path profile = Files.createTempDirectory("chromium-profile");
        Path screenshot = PROJECT.resolve("target/gallery-screenshot.png");
        List<String> common = List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
                "--allow-file-access-from-files", "--virtual-time-budget=5000", "--window-size=1280,1400");
        String dom = chromium(common, "--dump-dom", index);
        chromium(common, "--screenshot=" + screenshot, index);

        assertEquals(String.valueOf(live), attribute(dom, "data-cards"), "cards in the rendered page");
        assertEquals("0", attribute(dom, "data-errors"), "script errors in the page");
        Matcher cards = Pattern.compile("<figure class=\"card\" data-filter=\"(\\d+)\"").matcher(dom);
        List<Integer> order = new ArrayList<>();
        while (cards.find()) order.add(Integer.parseInt(cards.group(1)));
        assertEquals(live, order.size());
        for (int f : order) assertTrue(Files.isRegularFile(out.resolve(String.format("filters/block5_conv1_%04d.png", f))));
        assertTrue(dom.contains("(" + live + " live, " + dead + " dead)"), dom);
        assertTrue(Files.size(screenshot) > 10_000, "screenshot " + screenshot);
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
        String errors = Files.readString(log);
        for (String line : errors.lines().toList()) {
            assertFalse(line.contains("CONSOLE") && (line.contains("Error") || line.contains("Uncaught")),
                    "console error: " + line);
        }
        return output;
    }
}
