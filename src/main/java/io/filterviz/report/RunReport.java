package io.filterviz.report;

import io.filterviz.image.Png;
import io.filterviz.result.FilterId;
import io.filterviz.result.FilterRecord;
import io.filterviz.storage.OutputStore;
import io.filterviz.storage.ResumeState;
import io.filterviz.text.OneLine;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What lands in --out, in order. Each filter is persisted the moment its result reaches the driver: its PNG, then
 * its resume-state row. At the end come results.csv, the Parquet table, one grid per layer and the gallery, built
 * from every finished row in the folder: this run's, and earlier runs' of any selection.
 */
public final class RunReport {
    private final OutputStore store;
    private final ResumeState state;
    private final String model;
    private final List<String> layers;
    private final PrintStream console;
    private final Progress progress;
    private final String recipe;
    private final Map<FilterId, FilterRecord> results = new TreeMap<>(FilterId.BY_LAYER_THEN_FILTER);
    private int earlier;

    /**
     * @param model  the model's name (vgg16, or the file's name): in the grid's file name and the gallery's titles
     * @param layers the folder's layers, this run's and earlier runs', in network order
     */
    public RunReport(OutputStore store, ResumeState state, String model, List<String> layers, PrintStream console,
                     Progress progress) {
        this(store, state, model, layers, console, progress, null);
    }

    /** @param recipe the preset and its numbers, as options ({@code Recipe.summary()}): on the console and the pages */
    public RunReport(OutputStore store, ResumeState state, String model, List<String> layers, PrintStream console,
                     Progress progress, String recipe) {
        this.recipe = recipe;
        this.store = store;
        this.state = state;
        this.model = model;
        this.layers = List.copyOf(layers);
        this.console = console;
        this.progress = progress;
    }

    /**
     * The finished rows whose picture a grid can use: a live filter whose PNG is missing, truncated or unreadable
     * is left out, so it is computed again rather than stitched; {@code warnings} gets one line for it.
     */
    public Map<FilterId, FilterRecord> withIntactPictures(Map<FilterId, FilterRecord> finished, Consumer<String> warnings) {
        Map<FilterId, FilterRecord> intact = new TreeMap<>(FilterId.BY_LAYER_THEN_FILTER);
        for (FilterRecord row : finished.values()) {
            if (!row.dead()) {
                String picture = OutputLayout.picture(row.id());
                try {
                    Png.decode(store.read(picture));
                } catch (RuntimeException e) {
                    warnings.accept("filterviz: " + store.uri(picture) + " cannot be read (" + OneLine.of(e)
                            + "): computing that filter again");
                    continue;
                }
            }
            intact.put(row.id(), row);
        }
        return intact;
    }

    /**
     * @param planned  every item of this run
     * @param finished every item earlier runs persisted in the folder, planned now or not
     */
    public void begin(List<FilterId> planned, Map<FilterId, FilterRecord> finished) {
        results.putAll(finished);
        earlier = finished.size();
        if (recipe != null) console.println("Recipe: " + recipe);
        Map<String, List<Integer>> plannedByLayer = new LinkedHashMap<>();
        for (String layer : layers) {
            List<Integer> filters = planned.stream().filter(id -> id.layer().equals(layer)).map(FilterId::filter).toList();
            if (!filters.isEmpty()) plannedByLayer.put(layer, filters);
        }
        plannedByLayer.forEach((layer, filters) -> console.printf("Compute filters %d to %d%s%n", filters.get(0),
                filters.get(filters.size() - 1) + 1, plannedByLayer.size() > 1 ? " of " + layer : ""));
        List<FilterId> toCompute = planned.stream().filter(id -> !finished.containsKey(id)).toList();
        int skipped = planned.size() - toCompute.size();
        if (skipped > 0) console.printf("Resuming: %d finished filters skipped, %d to compute%n", skipped, toCompute.size());
        progress.start(toCompute);
    }

    /** Called on the driver as each filter's result arrives. */
    public synchronized void accept(FilterRecord result) {
        if (!result.dead()) store.write(OutputLayout.picture(result.id()), result.png());
        state.markFinished(result);
        results.put(result.id(), result.withoutPicture());
        progress.filterDone(result);
    }

    public void finish(SparkSession spark, Integer gridSide, String runJson) {
        progress.close();
        long dead = results.values().stream().filter(FilterRecord::dead).count();
        ResultTables.writeCsv(store, results.values());
        ResultTables.writeParquet(spark, store, results.values());
        console.println(summary(results.size(), dead));
        Map<String, List<FilterRecord>> byLayer = byLayer();
        console.println(holdings(byLayer));
        boolean severalLayers = byLayer.size() > 1;
        List<Gallery.LayerSummary> summaries = new ArrayList<>();
        for (Map.Entry<String, List<FilterRecord>> layer : byLayer.entrySet()) {
            List<FilterRecord> records = layer.getValue();
            String grid = LayerGrid.write(store, model, layer.getKey(), records, gridSide, console);
            long layerDead = records.stream().filter(FilterRecord::dead).count();
            summaries.add(new Gallery.LayerSummary(layer.getKey(), grid, records.size() - layerDead, layerDead,
                    records.stream().mapToDouble(FilterRecord::seconds).sum()));
            if (severalLayers) {
                write(OutputLayout.layerPage(layer.getKey()),
                        Gallery.layerPage(model, layer.getKey(), recipe, runJson, grid, records, OutputLayout.INDEX,
                                ExampleTables.crops(store, layer.getKey())));
            } else {
                write(OutputLayout.INDEX, Gallery.layerPage(model, layer.getKey(), recipe, runJson, grid, records, null,
                        ExampleTables.crops(store, layer.getKey())));
            }
        }
        if (severalLayers) write(OutputLayout.INDEX, Gallery.overview(model, recipe, runJson, summaries));
        console.println("Gallery: " + store.uri(OutputLayout.INDEX));
    }

    /**
     * What the folder now holds: "DIR holds 512 filters of block5_conv1, 16 from earlier runs", or with several
     * layers "DIR holds 26 filters, 24 from earlier runs: 2 of block1_conv1, 2 of block1_conv2, ...".
     */
    private String holdings(Map<String, List<FilterRecord>> byLayer) {
        String fromEarlier = earlier > 0 ? ", " + earlier + " from earlier runs" : "";
        if (byLayer.size() == 1) {
            Map.Entry<String, List<FilterRecord>> only = byLayer.entrySet().iterator().next();
            return String.format(Locale.ROOT, "%s holds %d filters of %s%s", store.uri(""), only.getValue().size(), only.getKey(),
                    fromEarlier);
        }
        List<String> perLayer = new ArrayList<>();
        byLayer.forEach((layer, rows) -> perLayer.add(rows.size() + " of " + layer));
        return String.format(Locale.ROOT, "%s holds %d filters%s: %s", store.uri(""), results.size(), fromEarlier,
                String.join(", ", perLayer));
    }

    /** The run's last count. The Keras example ends with "6 filter processed" (live ones); we say it in English. */
    static String summary(long filters, long dead) {
        return filters + (filters == 1 ? " filter" : " filters") + " processed: " + (filters - dead) + " live, " + dead + " dead";
    }

    /** Finished rows per layer, layers in network order. */
    private Map<String, List<FilterRecord>> byLayer() {
        Map<String, List<FilterRecord>> byLayer = new LinkedHashMap<>();
        for (String layer : layers) {
            List<FilterRecord> rows = results.values().stream().filter(r -> r.layer().equals(layer)).toList();
            if (!rows.isEmpty()) byLayer.put(layer, rows);
        }
        return byLayer;
    }

    private void write(String file, String html) {
        store.write(file, html.getBytes(StandardCharsets.UTF_8));
    }
}
