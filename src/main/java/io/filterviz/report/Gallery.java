package io.filterviz.report;

import io.filterviz.result.FilterRecord;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The gallery: self-contained pages (no server, no network request, open from file://). A layer's page has the
 * run's parameters, the grid, and a card per live filter (picture, number, loss, seconds), sortable by loss or
 * number, dead filters listed by number, a click shows a picture at full size. A single-layer run's page is
 * {@code index.html}; a run over several layers gets an overview there (one row per layer: grid thumbnail,
 * live/dead counts, time spent) linking to one page per layer. Pictures are linked by relative path, so the folder
 * can be moved or published as it is.
 */
final class Gallery {
    /** One overview row. */
    record LayerSummary(String layer, String grid, long live, long dead, double seconds) {}

    private Gallery() {}

    /** VGG16 and VGG19 as the papers write them; any other model by its own name. */
    static String title(String model) {
        return model.matches("vgg\\d+") ? model.toUpperCase(Locale.ROOT) : model;
    }

    /**
     * @param model    the model's name, in the page's title
     * @param overview the overview page to link back to, or null when this page is the index
     * @param examples per filter, the crops of its dataset examples best first (relative to --out), when an example
     *                 scan of this layer is in the folder; empty otherwise
     */
    static String layerPage(String model, String layer, String runJson, String grid, List<FilterRecord> results, String overview,
                            Map<Integer, List<String>> examples) {
        return layerPage(model, layer, null, runJson, grid, results, overview, examples);
    }

    /** @param recipe the preset and its numbers as options, shown above the parameters; null: not shown */
    static String layerPage(String model, String layer, String recipe, String runJson, String grid, List<FilterRecord> results,
                            String overview, Map<Integer, List<String>> examples) {
        StringBuilder cards = new StringBuilder();
        StringBuilder dead = new StringBuilder();
        int live = 0;
        for (FilterRecord r : results) {
            if (r.dead()) {
                dead.append(dead.length() == 0 ? "" : ", ").append(r.filter());
                continue;
            }
            live++;
            String src = escape(OutputLayout.picture(r.id()));
            cards.append(String.format(Locale.ROOT, "<figure class=\"card\" data-filter=\"%d\" data-loss=\"%s\">"
                            + "<img src=\"%s\" alt=\"filter %d\" loading=\"lazy\" width=\"160\" height=\"160\">"
                            + "<figcaption><b>#%d</b> loss %.2f · %.1f s</figcaption>%s</figure>%n",
                    r.filter(), Float.toString(r.loss()), src, r.filter(), r.filter(), r.loss(), r.seconds(),
                    examplesHtml(layer, r.filter(), examples.getOrDefault(r.filter(), List.of()))));
        }
        String gridHtml = grid == null ? "<p>No live filter, so no grid.</p>"
                : "<a href=\"" + escape(grid) + "\" class=\"zoom\"><img id=\"grid\" src=\"" + escape(grid) + "\" alt=\"grid\"></a>";
        String back = overview == null ? "" : "<p><a id=\"back\" href=\"" + escape(overview) + "\">&larr; every layer</a></p>\n";
        return LAYER_PAGE
                .replace("{{STYLE}}", STYLE)
                .replace("{{IMAGE_CHECK}}", IMAGE_CHECK)
                .replace("{{BACK}}", back)
                .replace("{{MODEL}}", escape(title(model)))
                .replace("{{LAYER}}", escape(layer))
                .replace("{{RECIPE}}", recipeHtml(recipe))
                .replace("{{PARAMS}}", escape(runJson.trim()))
                .replace("{{GRID}}", gridHtml)
                .replace("{{LIVE}}", String.valueOf(live))
                .replace("{{DEAD_COUNT}}", String.valueOf(results.size() - live))
                .replace("{{DEAD}}", dead.length() == 0 ? "none" : dead.toString())
                .replace("{{CARDS}}", cards.toString());
    }

    /** A card's strip of dataset examples (the best {@link #EXAMPLES_SHOWN} crops), linking to the examples' page. */
    private static String examplesHtml(String layer, int filter, List<String> crops) {
        if (crops.isEmpty()) return "";
        StringBuilder html = new StringBuilder("<a class=\"examples\" href=\"")
                .append(escape(ExamplesGallery.layerPage(layer))).append("\" title=\"dataset examples\">");
        for (int i = 0; i < Math.min(EXAMPLES_SHOWN, crops.size()); i++) {
            html.append(String.format(Locale.ROOT, "<img class=\"example\" src=\"%s\" alt=\"example %d of filter %d\" "
                    + "loading=\"lazy\" width=\"50\" height=\"50\">", escape(crops.get(i)), i + 1, filter));
        }
        return html.append("</a>").toString();
    }

    /** Crops shown on a filter's card (the examples' page has all k). */
    static final int EXAMPLES_SHOWN = 3;

    /** The recipe line: which preset drew the pictures, and its numbers. */
    private static String recipeHtml(String recipe) {
        return recipe == null ? "" : "<p id=\"recipe\">Recipe: <code>" + escape(recipe) + "</code></p>\n";
    }

    static String overview(String model, String recipe, String runJson, List<LayerSummary> layers) {
        StringBuilder rows = new StringBuilder();
        for (LayerSummary l : layers) {
            String page = escape(OutputLayout.layerPage(l.layer()));
            String thumbnail = l.grid() == null ? "no live filter"
                    : "<a href=\"" + page + "\"><img src=\"" + escape(l.grid()) + "\" alt=\"" + escape(l.layer()) + " grid\"></a>";
            rows.append(String.format(Locale.ROOT, "<tr class=\"layer\" data-layer=\"%s\"><td>%s</td>"
                            + "<td><a href=\"%s\"><code>%s</code></a></td><td>%d live, %d dead</td><td>%s</td></tr>%n",
                    escape(l.layer()), thumbnail, page, escape(l.layer()), l.live(), l.dead(), time(l.seconds())));
        }
        return OVERVIEW
                .replace("{{STYLE}}", STYLE)
                .replace("{{IMAGE_CHECK}}", IMAGE_CHECK)
                .replace("{{RECIPE}}", recipeHtml(recipe))
                .replace("{{PARAMS}}", escape(runJson.trim()))
                .replace("{{MODEL}}", escape(title(model)))
                .replace("{{COUNT}}", String.valueOf(layers.size()))
                .replace("{{ROWS}}", rows.toString());
    }

    /** Compute time spent on a layer, summed over its filters. */
    static String time(double seconds) {
        return seconds < 60 ? String.format(Locale.ROOT, "%.1f s", seconds)
                : Progress.format(java.time.Duration.ofSeconds(Math.round(seconds)));
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** After load: how many pictures the page shows and how many arrived (a browser test reads these). */
    private static final String IMAGE_CHECK = """
            window.addEventListener('load', function () {
              var images = Array.prototype.slice.call(document.querySelectorAll('img[src]'));
              document.body.dataset.images = String(images.length);
              document.body.dataset.imagesLoaded = String(images.filter(function (i) {
                return i.complete && i.naturalWidth > 0; }).length);
            });""";

    private static final String STYLE = """
            <style>
              body { font-family: system-ui, sans-serif; margin: 1.5em; background: #111; color: #ddd; }
              h1 { font-size: 1.4em; } a { color: #9cf; }
              pre { background: #222; padding: .8em; display: inline-block; white-space: pre-wrap; max-width: 100%; }
              #grid { max-width: 100%; height: auto; image-rendering: auto; }
              .toolbar button { margin-right: .5em; padding: .3em .8em; }
              .toolbar button.active { background: #9cf; }
              #cards { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 1em; }
              .card { margin: 0; width: 160px; cursor: zoom-in; }
              .card img { width: 160px; height: 160px; display: block; }
              .card figcaption { font-size: .8em; padding-top: 3px; }
              .card .examples { display: flex; gap: 5px; padding-top: 3px; cursor: pointer; }
              .card img.example { width: 50px; height: 50px; image-rendering: pixelated; }
              #overlay { display: none; position: fixed; inset: 0; background: rgba(0,0,0,.9); cursor: zoom-out;
                         align-items: center; justify-content: center; }
              #overlay.open { display: flex; }
              #overlay img { max-width: 95vw; max-height: 95vh; }
              table.layers td { padding: .4em 1em .4em 0; vertical-align: middle; }
              table.layers img { width: 200px; height: auto; display: block; }
            </style>""";

    private static final String OVERVIEW = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>filterviz: {{MODEL}}, {{COUNT}} layers</title>
            {{STYLE}}
            </head>
            <body data-errors="0">
            <h1>What the filters of {{MODEL}} respond to, layer by layer</h1>
            <h2>Parameters</h2>
            {{RECIPE}}<pre id="params">{{PARAMS}}</pre>
            <h2>{{COUNT}} layers, from edges to objects</h2>
            <table class="layers">
            <tr><th>grid</th><th>layer</th><th>filters</th><th>time</th></tr>
            {{ROWS}}</table>
            <script>
            window.addEventListener('error', function () {
              document.body.dataset.errors = String(Number(document.body.dataset.errors) + 1);
            });
            {{IMAGE_CHECK}}
            </script>
            </body>
            </html>
            """;

    private static final String LAYER_PAGE = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>filterviz: {{MODEL}} {{LAYER}}</title>
            {{STYLE}}
            </head>
            <body data-errors="0">
            {{BACK}}<h1>What the filters of {{MODEL}} <code>{{LAYER}}</code> respond to</h1>
            <h2>Parameters</h2>
            {{RECIPE}}<pre id="params">{{PARAMS}}</pre>
            <h2>Grid: the best filters by loss</h2>
            {{GRID}}
            <h2>Every filter ({{LIVE}} live, {{DEAD_COUNT}} dead)</h2>
            <p id="dead">Dead filters (loss stayed at 0): {{DEAD}}</p>
            <div class="toolbar">Sort by:
              <button id="by-loss" class="active">loss (highest first)</button>
              <button id="by-filter">filter number</button>
            </div>
            <div id="cards">
            {{CARDS}}</div>
            <div id="overlay"><img alt="full size"></div>
            <script>
            window.addEventListener('error', function () {
              document.body.dataset.errors = String(Number(document.body.dataset.errors) + 1);
            });
            (function () {
              var box = document.getElementById('cards');
              function sortBy(key, descending, button) {
                var cards = Array.prototype.slice.call(box.children);
                cards.sort(function (a, b) {
                  var d = Number(a.dataset[key]) - Number(b.dataset[key]);
                  return descending ? -d : d;
                });
                cards.forEach(function (c) { box.appendChild(c); });
                document.querySelectorAll('.toolbar button').forEach(function (b) { b.classList.remove('active'); });
                button.classList.add('active');
              }
              var byLoss = document.getElementById('by-loss'), byFilter = document.getElementById('by-filter');
              byLoss.addEventListener('click', function () { sortBy('loss', true, byLoss); });
              byFilter.addEventListener('click', function () { sortBy('filter', false, byFilter); });
              sortBy('loss', true, byLoss);
              var overlay = document.getElementById('overlay'), big = overlay.querySelector('img');
              function show(src) { big.src = src; overlay.classList.add('open'); }
              box.addEventListener('click', function (e) {
                var card = e.target.closest('.card');
                if (card && !e.target.closest('.examples')) show(card.querySelector('img').getAttribute('src'));
              });
              document.querySelectorAll('a.zoom').forEach(function (a) {
                a.addEventListener('click', function (e) { e.preventDefault(); show(a.getAttribute('href')); });
              });
              overlay.addEventListener('click', function () { overlay.classList.remove('open'); });
              document.body.dataset.cards = String(box.querySelectorAll('.card > img').length);
            })();
            {{IMAGE_CHECK}}
            </script>
            </body>
            </html>
            """;
}
