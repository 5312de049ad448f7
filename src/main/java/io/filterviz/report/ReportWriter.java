package io.filterviz.report;

import io.filterviz.image.GridStitcher;
import io.filterviz.image.Png;
import io.filterviz.image.RgbImage;
import io.filterviz.storage.OutputStore;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What lands in --out. Each filter is persisted the moment its result reaches the driver: its PNG, then its
 * row under {@code state/} (the row's presence means "finished", so a resumed run skips it). At the end come
 * results.csv, the Parquet table and the seed's grid, built from every finished row, old and new.
 */
public final class ReportWriter {
    static final String STATE = "state";
    private static final String CSV_HEADER = "filter,loss,seconds,status";

    private final OutputStore store;
    private final String layer;
    private final PrintStream console;
    private final Progress progress;
    private final Map<Integer, FilterRecord> results = new TreeMap<>();

    public ReportWriter(OutputStore store, String layer, PrintStream console, Progress progress) {
        this.store = store;
        this.layer = layer;
        this.console = console;
        this.progress = progress;
    }

    /** Rows a previous run into the same --out finished (run.json already matched). */
    public Map<Integer, FilterRecord> finished() {
        Map<Integer, FilterRecord> finished = new TreeMap<>();
        for (String name : store.list(STATE)) {
            FilterRecord row = parse(new String(store.read(STATE + "/" + name), StandardCharsets.UTF_8).trim());
            finished.put(row.filter(), row);
        }
        return finished;
    }

    public void begin(int from, int to, Map<Integer, FilterRecord> finished) {
        results.putAll(finished);
        console.printf("Compute filters %d to %d%n", from, to);
        if (!finished.isEmpty()) {
            console.printf("Resuming: %d finished filters skipped, %d to compute%n", finished.size(), to - from - finished.size());
        }
        progress.start(to - from - finished.size());
    }

    /** Called on the driver as each filter's result arrives. */
    public synchronized void accept(FilterRecord result) {
        if (!result.dead()) store.write(imagePath(result.filter()), result.png());
        store.write(statePath(result.filter()), (row(result) + "\n").getBytes(StandardCharsets.UTF_8));
        results.put(result.filter(), result.withoutPicture());
        progress.filterDone(result);
    }

    /** Writes the tables and the grid; returns the grid's name, or null when no filter is alive. */
    public String finish(SparkSession spark, Integer gridSide, String runJson) {
        progress.close();
        long dead = results.values().stream().filter(FilterRecord::dead).count();
        writeCsv();
        writeParquet(spark);
        console.printf("%d filter processed, %d dead%n", results.size() - dead, dead);
        String grid = writeGrid(gridSide);
        store.write(Gallery.FILE, Gallery.html(layer, runJson, grid, List.copyOf(results.values()), this::imagePath)
                .getBytes(StandardCharsets.UTF_8));
        console.println("Gallery: " + store.uri(Gallery.FILE));
        return grid;
    }

    public String imagePath(int filter) {
        return String.format(Locale.ROOT, "filters/%s_%04d.png", layer, filter);
    }

    private String statePath(int filter) {
        return String.format(Locale.ROOT, "%s/%s_%04d.csv", STATE, layer, filter);
    }

    private static String row(FilterRecord r) {
        return String.format(Locale.ROOT, "%d,%s,%.3f,%s", r.filter(), Float.toString(r.loss()), r.seconds(), r.status());
    }

    private static FilterRecord parse(String row) {
        String[] cells = row.split(",");
        return new FilterRecord(Integer.parseInt(cells[0]), Float.parseFloat(cells[1]), Double.parseDouble(cells[2]),
                cells[3].equals("dead"), null);
    }

    private void writeCsv() {
        StringBuilder csv = new StringBuilder(CSV_HEADER).append('\n');
        for (FilterRecord r : results.values()) csv.append(row(r)).append('\n');
        store.write("results.csv", csv.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void writeParquet(SparkSession spark) {
        StructType schema = new StructType()
                .add("filter", DataTypes.IntegerType, false)
                .add("loss", DataTypes.FloatType, false)
                .add("seconds", DataTypes.DoubleType, false)
                .add("status", DataTypes.StringType, false)
                .add("image", DataTypes.StringType, true);
        List<Row> rows = results.values().stream().map(r -> RowFactory.create(r.filter(), r.loss(), r.seconds(),
                r.status(), r.dead() ? null : imagePath(r.filter()))).toList();
        spark.createDataFrame(rows, schema).coalesce(1).write().mode(SaveMode.Overwrite).parquet(store.uri("results"));
    }

    private String writeGrid(Integer requested) {
        List<FilterRecord> alive = results.values().stream().filter(r -> !r.dead())
                .sorted(Comparator.comparingDouble(FilterRecord::loss).reversed()).toList();
        int n = GridStitcher.defaultSide(alive.size());
        if (requested != null && requested <= n) {
            n = requested;
        } else if (requested != null) {
            console.printf("--grid %d needs %d live filters, only %d are: the grid is %dx%d%n",
                    requested, requested * requested, alive.size(), n, n);
        }
        if (n == 0) {
            console.println("No live filter: no grid written");
            return null;
        }
        List<RgbImage> tiles = new ArrayList<>();
        for (FilterRecord r : alive.subList(0, n * n)) tiles.add(Png.decode(store.read(imagePath(r.filter()))));
        String grid = String.format(Locale.ROOT, "vgg_%s_%dx%d.png", layer, n, n);
        try (OutputStream out = store.create(grid)) {
            Png.write(GridStitcher.stitch(tiles, n, GridStitcher.DEFAULT_MARGIN), out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + store.uri(grid), e);
        }
        console.println("Grid: " + store.uri(grid));
        return grid;
    }
}
