package io.filterviz.report;

import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * {@code DIR/index.html}: one self-contained page (no server, no network request, opens from file://) with the
 * run's parameters, the grid, and a card per live filter (picture, number, loss, seconds), sortable by loss or
 * number, dead filters listed by number, a click shows a picture at full size. Pictures are linked by relative
 * path, so the folder can be moved or published as it is.
 */
final class Gallery {
    static final String FILE = "index.html";

    private Gallery() {}

    static String html(String layer, String runJson, String grid, List<FilterRecord> results, IntFunction<String> image) {
        StringBuilder cards = new StringBuilder();
        StringBuilder dead = new StringBuilder();
        int live = 0;
        for (FilterRecord r : results) {
            if (r.dead()) {
                dead.append(dead.length() == 0 ? "" : ", ").append(r.filter());
                continue;
            }
            live++;
            String src = escape(image.apply(r.filter()));
            cards.append(String.format(Locale.ROOT, "<figure class=\"card\" data-filter=\"%d\" data-loss=\"%s\">"
                            + "<img src=\"%s\" alt=\"filter %d\" loading=\"lazy\" width=\"160\" height=\"160\">"
                            + "<figcaption><b>#%d</b> loss %.2f · %.1f s</figcaption></figure>%n",
                    r.filter(), Float.toString(r.loss()), src, r.filter(), r.filter(), r.loss(), r.seconds()));
        }
        String gridHtml = grid == null ? "<p>No live filter, so no grid.</p>"
                : "<a href=\"" + escape(grid) + "\" class=\"zoom\"><img id=\"grid\" src=\"" + escape(grid) + "\" alt=\"grid\"></a>";
        return TEMPLATE
                .replace("{{LAYER}}", escape(layer))
                .replace("{{PARAMS}}", escape(runJson.trim()))
                .replace("{{GRID}}", gridHtml)
                .replace("{{LIVE}}", String.valueOf(live))
                .replace("{{DEAD_COUNT}}", String.valueOf(results.size() - live))
                .replace("{{DEAD}}", dead.length() == 0 ? "none" : dead.toString())
                .replace("{{CARDS}}", cards.toString());
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static final String TEMPLATE = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>filterviz: VGG16 {{LAYER}}</title>
            <style>
              body { font-family: system-ui, sans-serif; margin: 1.5em; background: #111; color: #ddd; }
              h1 { font-size: 1.4em; } a { color: #9cf; }
              pre { background: #222; padding: .8em; display: inline-block; }
              #grid { max-width: 100%; height: auto; image-rendering: auto; }
              .toolbar button { margin-right: .5em; padding: .3em .8em; }
              .toolbar button.active { background: #9cf; }
              #cards { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 1em; }
              .card { margin: 0; width: 160px; cursor: zoom-in; }
              .card img { width: 160px; height: 160px; display: block; }
              .card figcaption { font-size: .8em; padding-top: 3px; }
              #overlay { display: none; position: fixed; inset: 0; background: rgba(0,0,0,.9); cursor: zoom-out;
                         align-items: center; justify-content: center; }
              #overlay.open { display: flex; }
              #overlay img { max-width: 95vw; max-height: 95vh; }
            </style>
            </head>
            <body data-errors="0">
            <h1>What the filters of VGG16 <code>{{LAYER}}</code> respond to</h1>
            <h2>Parameters</h2>
            <pre id="params">{{PARAMS}}</pre>
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
                if (card) show(card.querySelector('img').getAttribute('src'));
              });
              document.querySelectorAll('a.zoom').forEach(function (a) {
                a.addEventListener('click', function (e) { e.preventDefault(); show(a.getAttribute('href')); });
              });
              overlay.addEventListener('click', function () { overlay.classList.remove('open'); });
              document.body.dataset.cards = String(box.querySelectorAll('.card img').length);
            })();
            </script>
            </body>
            </html>
            """;
}
