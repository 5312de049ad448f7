package io.filterviz.report;

import io.filterviz.result.FilterId;
import io.filterviz.result.FilterRecord;
import io.filterviz.storage.OutputStore;
import io.filterviz.storage.ResumeState;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What lands in --out, in order. Each filter is persisted the moment its result reaches the driver: its PNG, then
 * its resume-state row. At the end come results.csv, the Parquet table, one grid per layer and the gallery, built
 * from every finished row, old and new.
 */
public final class RunReport {
    private final OutputStore store;
    private final ResumeState state;
    private final String model;
    private final List<String> layers;
    private final PrintStream console;
    private final Progress progress;
    private final Map<FilterId, FilterRecord> results = new TreeMap<>(FilterId.BY_LAYER_THEN_FILTER);

    /**
     * @param model  the model's name (vgg16, or the file's name): in the grid's file name and the gallery's titles
     * @param layers the run's layers in network order
     */
    public RunReport(OutputStore store, ResumeState state, String model, List<String> layers, PrintStream console,
                     Progress progress) {
        this.store = store;
        this.state = state;
        this.model = model;
        this.layers = List.copyOf(layers);
        this.console = console;
        this.progress = progress;
    }

    /** @param planned every item of the run; @param finished those a previous run already persisted */
    public void begin(List<FilterId> planned, Map<FilterId, FilterRecord> finished) {
        results.putAll(finished);
        for (String layer : layers) {
            List<Integer> filters = planned.stream().filter(id -> id.layer().equals(layer)).map(FilterId::filter).toList();
            console.printf("Compute filters %d to %d%s%n", filters.get(0), filters.get(filters.size() - 1) + 1,
                    layers.size() > 1 ? " of " + layer : "");
        }
        List<FilterId> toCompute = planned.stream().filter(id -> !finished.containsKey(id)).toList();
        if (!finished.isEmpty()) {
            console.printf("Resuming: %d finished filters skipped, %d to compute%n", finished.size(), toCompute.size());
        }
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
        console.printf("%d filter processed, %d dead%n", results.size() - dead, dead);
        List<Gallery.LayerSummary> summaries = new ArrayList<>();
        for (Map.Entry<String, List<FilterRecord>> layer : byLayer().entrySet()) {
            List<FilterRecord> records = layer.getValue();
            String grid = LayerGrid.write(store, model, layer.getKey(), records, gridSide, console);
            long layerDead = records.stream().filter(FilterRecord::dead).count();
            summaries.add(new Gallery.LayerSummary(layer.getKey(), grid, records.size() - layerDead, layerDead,
                    records.stream().mapToDouble(FilterRecord::seconds).sum()));
            if (layers.size() > 1) {
                write(OutputLayout.layerPage(layer.getKey()),
                        Gallery.layerPage(model, layer.getKey(), runJson, grid, records, OutputLayout.INDEX));
            } else {
                write(OutputLayout.INDEX, Gallery.layerPage(model, layer.getKey(), runJson, grid, records, null));
            }
        }
        if (layers.size() > 1) write(OutputLayout.INDEX, Gallery.overview(model, runJson, summaries));
        console.println("Gallery: " + store.uri(OutputLayout.INDEX));
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
