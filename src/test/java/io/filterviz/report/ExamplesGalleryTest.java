package io.filterviz.report;

import io.filterviz.examples.ExampleRow;
import io.filterviz.result.FilterId;
import io.filterviz.storage.OutputStore;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each filter's card: its ascent picture beside its crops, every link resolving to a file, from this --out or another. */
class ExamplesGalleryTest {
    @TempDir
    Path temp;

    private static final String LAYER = "/relu1/Relu_output_0";

    private List<ExampleRow> rowsWithCrops(OutputStore out) {
        List<ExampleRow> rows = new ArrayList<>();
        for (int f = 0; f < 2; f++) {
            for (int r = 1; r <= 3; r++) {
                rows.add(new ExampleRow(LAYER, f, r, "file:/images/x_" + f + r + ".png", 10 - r, 1, 2));
                out.write(ExampleLayout.crop(LAYER, f, r), new byte[]{(byte) r});
            }
        }
        return rows;
    }

    /** The src of every img on a page, resolved against the page's folder. */
    private static List<Path> images(Path page) throws Exception {
        List<Path> sources = new ArrayList<>();
        Matcher m = Pattern.compile("<img[^>]* src=\"([^\"]+)\"").matcher(Files.readString(page));
        while (m.find()) sources.add(page.getParent().resolve(m.group(1)).normalize());
        return sources;
    }

    @Test
    void picturesFromThisOut() throws Exception {
        Path dir = temp.resolve("out");
        OutputStore out = OutputStore.open(dir.toString(), new Configuration());
        List<ExampleRow> rows = rowsWithCrops(out);
        out.write(OutputLayout.picture(new FilterId(LAYER, 0)), new byte[]{42});
        ExamplesGallery.write(out, null, rows);
        Path page = dir.resolve(ExamplesGallery.layerPage(LAYER));
        List<Path> sources = images(page);
        assertEquals(1 + 6, sources.size(), "filter 0's picture and 6 crops (filter 1 has no picture)");
        for (Path p : sources) assertTrue(Files.isRegularFile(p), p + " is linked but missing");
        assertEquals(dir.resolve(OutputLayout.picture(new FilterId(LAYER, 0))), sources.get(0));
        assertTrue(Files.readString(page).contains("no picture"));
        assertTrue(Files.readString(dir.resolve(ExamplesGallery.INDEX)).contains(ExamplesGallery.layerPage(LAYER)));
    }

    @Test
    void picturesFromAnotherOutAreCopiedIn() throws Exception {
        Path dir = temp.resolve("out"), ascent = temp.resolve("ascent");
        OutputStore out = OutputStore.open(dir.toString(), new Configuration());
        OutputStore pictures = OutputStore.open(ascent.toString(), new Configuration());
        List<ExampleRow> rows = rowsWithCrops(out);
        for (int f = 0; f < 2; f++) pictures.write(OutputLayout.picture(new FilterId(LAYER, f)), new byte[]{(byte) (50 + f)});
        ExamplesGallery.write(out, pictures, rows);
        List<Path> sources = images(dir.resolve(ExamplesGallery.layerPage(LAYER)));
        assertEquals(2 + 6, sources.size());
        for (Path p : sources) assertTrue(p.startsWith(dir) && Files.isRegularFile(p), p + " is not a file under --out");
        assertArrayEquals(new byte[]{51}, Files.readAllBytes(sources.get(4)), "filter 1's card starts with its picture");
    }

    @Test
    void theAscentsCardsShowTheTopCropsOfAnExampleScanInTheSameOut() throws Exception {
        Path dir = temp.resolve("out");
        OutputStore out = OutputStore.open(dir.toString(), new Configuration());
        List<io.filterviz.result.FilterRecord> records = new ArrayList<>();
        for (int f = 0; f < 3; f++) records.add(new io.filterviz.result.FilterRecord(new FilterId(LAYER, f), 1f + f, 2, false, io.filterviz.result.FilterRecord.UNRECORDED, null));
        String before = Gallery.layerPage("m", LAYER, "{}", null, records, null, ExampleTables.crops(out, LAYER));
        assertTrue(!before.contains("class=\"example\""), "no example scan in the folder: no crops");

        List<ExampleRow> rows = rowsWithCrops(out); // filters 0 and 1, ranks 1 to 3
        rows.add(new ExampleRow(LAYER, 0, 4, "file:/images/x_04.png", 5, 1, 2));
        out.write(ExampleLayout.crop(LAYER, 0, 4), new byte[]{4});
        ExampleTables.writeLayer(out, LAYER, rows);
        String html = Gallery.layerPage("m", LAYER, "{}", null, records, null, ExampleTables.crops(out, LAYER));
        Files.writeString(dir.resolve(OutputLayout.INDEX), html);
        List<Path> sources = images(dir.resolve(OutputLayout.INDEX));
        List<Path> crops = sources.stream().filter(p -> p.toString().contains("/examples/")).toList();
        assertEquals(2 * Gallery.EXAMPLES_SHOWN, crops.size(), "the best 3 of filters 0 and 1; filter 2 has none");
        assertEquals(dir.resolve(ExampleLayout.crop(LAYER, 0, 1)), crops.get(0), "best first");
        for (Path p : sources) {
            if (p.toString().contains("/examples/")) assertTrue(Files.isRegularFile(p), p + " is linked but missing");
        }
        assertTrue(html.contains("href=\"" + ExamplesGallery.layerPage(LAYER) + "\""), "the card links the examples' page");
        assertEquals(3, html.split("class=\"card\"", -1).length - 1);
    }
}
