package io.filterviz.report;

import io.filterviz.examples.ExampleRow;
import io.filterviz.result.FileSafeName;
import io.filterviz.result.FilterId;
import io.filterviz.storage.OutputStore;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The examples' gallery: {@code examples.html} lists the scanned layers; each layer's page has one card per filter
 * with the filter's picture from the ascent beside its top crops (rank, score, image name). The picture is taken from
 * --out itself, or copied from another ascent run's --out (--pictures), so the folder stays self-contained.
 */
public final class ExamplesGallery {
    public static final String INDEX = "examples.html";

    private ExamplesGallery() {}

    /** A layer's page, relative to --out. */
    public static String layerPage(String layer) {
        return ExampleLayout.FOLDER + "/" + FileSafeName.of(layer) + "/index.html";
    }

    /** Where a filter's ascent picture is shown from, relative to --out. */
    static String pictureIn(OutputStore out, OutputStore pictures, String layer, int filter) {
        String picture = OutputLayout.picture(new FilterId(layer, filter));
        if (pictures == null || pictures.uri("").equals(out.uri(""))) return out.exists(picture) ? picture : null;
        if (!pictures.exists(picture)) return null;
        String copy = String.format(Locale.ROOT, "%s/%s/%04d/picture.png", ExampleLayout.FOLDER, FileSafeName.of(layer), filter);
        out.write(copy, pictures.read(picture));
        return copy;
    }

    /** @param pictures the ascent's --out, or null for --out itself */
    public static void write(OutputStore out, OutputStore pictures, List<ExampleRow> rows) {
        Map<String, Map<Integer, List<ExampleRow>>> byLayer = new TreeMap<>();
        for (ExampleRow r : rows) {
            byLayer.computeIfAbsent(r.layer(), l -> new TreeMap<>()).computeIfAbsent(r.filter(), f -> new java.util.ArrayList<>()).add(r);
        }
        StringBuilder index = new StringBuilder();
        int withPictures = 0;
        for (var layer : byLayer.entrySet()) {
            StringBuilder cards = new StringBuilder();
            for (var filter : layer.getValue().entrySet()) {
                String picture = pictureIn(out, pictures, layer.getKey(), filter.getKey());
                if (picture != null) withPictures++;
                cards.append(card(layer.getKey(), filter.getKey(), picture, filter.getValue()));
            }
            out.write(layerPage(layer.getKey()), PAGE.replace("{{TITLE}}", "Dataset examples of " + escape(layer.getKey()))
                    .replace("{{BODY}}", "<p><a href=\"../../" + INDEX + "\">&larr; every layer</a></p>\n" + cards)
                    .getBytes(StandardCharsets.UTF_8));
            index.append(String.format(Locale.ROOT, "<li><a href=\"%s\"><code>%s</code></a>: %d filters</li>%n",
                    escape(layerPage(layer.getKey())), escape(layer.getKey()), layer.getValue().size()));
        }
        String note = withPictures > 0 ? "" : "<p>No filter pictures found: run the ascent for these layers into this "
                + "folder, or name its folder with --pictures.</p>\n";
        out.write(INDEX, PAGE.replace("{{TITLE}}", "Dataset examples").replace("{{BODY}}", note + "<ul>\n" + index + "</ul>")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static String card(String layer, int filter, String picture, List<ExampleRow> ranked) {
        String up = "../../"; // a layer's page is two folders below --out
        String pictureHtml = picture == null ? "<div class=\"nopicture\">no picture</div>"
                : "<img class=\"picture\" src=\"" + escape(up + picture) + "\" alt=\"filter " + filter + "\">";
        String crops = ranked.stream().map(r -> String.format(Locale.ROOT,
                "<figure class=\"crop\"><img src=\"%s\" alt=\"rank %d\" loading=\"lazy\" title=\"%s\">"
                        + "<figcaption>%d · %.3g</figcaption></figure>",
                escape(up + ExampleLayout.crop(layer, filter, r.rank())), r.rank(), escape(r.image()), r.rank(), r.score()))
                .collect(Collectors.joining());
        return String.format(Locale.ROOT, "<section class=\"card\" data-filter=\"%d\"><h3>#%d</h3>%s<div class=\"crops\">%s</div></section>%n",
                filter, filter, pictureHtml, crops);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static final String PAGE = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>filterviz: {{TITLE}}</title>
            <style>
              body { font-family: system-ui, sans-serif; margin: 1.5em; background: #111; color: #ddd; }
              a { color: #9cf; }
              .card { display: flex; align-items: flex-start; gap: 12px; margin: 0 0 14px; }
              .card h3 { width: 3em; margin: 0; }
              .picture, .nopicture { width: 160px; height: 160px; flex: none; }
              .nopicture { border: 1px dashed #555; display: flex; align-items: center; justify-content: center; }
              .crops { display: flex; flex-wrap: wrap; gap: 6px; }
              .crop { margin: 0; } .crop img { width: 76px; height: 76px; image-rendering: pixelated; display: block; }
              .crop figcaption { font-size: .7em; }
            </style>
            </head>
            <body>
            <h1>{{TITLE}}</h1>
            {{BODY}}
            </body>
            </html>
            """;
}
