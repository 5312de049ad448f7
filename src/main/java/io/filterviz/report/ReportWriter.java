package io.filterviz.report;

import io.filterviz.image.GridStitcher;
import io.filterviz.image.Png;
import io.filterviz.image.RgbImage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What lands in --out. Each filter's PNG is written the moment its result reaches the driver (so the driver
 * never holds all pictures); at the end come results.csv, the Parquet table and the seed's grid.
 */
public final class ReportWriter {
    private final Path out;
    private final String layer;
    private final PrintStream console;
    private final List<FilterResult> results = new ArrayList<>();

    public ReportWriter(Path out, String layer, PrintStream console) {
        this.out = out;
        this.layer = layer;
        this.console = console;
    }

    public void begin(int from, int to) {
        try {
            Files.createDirectories(out.resolve("filters"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + out, e);
        }
        console.printf("Compute filters %d to %d%n", from, to);
    }

    /** Called on the driver as each filter's result arrives. */
    public synchronized void accept(FilterResult result) {
        if (result.dead()) {
            console.printf(Locale.ROOT, "Filter %3d is dead: its loss stayed at %.3g ( %4.2fs )%n",
                    result.filter(), result.loss(), result.seconds());
        } else {
            write(imagePath(result.filter()), result.png());
            console.printf(Locale.ROOT, "Costs of filter %3d: %5.0f ( %4.2fs )%n",
                    result.filter(), result.loss(), result.seconds());
        }
        results.add(result.withoutPicture());
    }

    /** Writes the tables and the grid; returns the grid file, or null when no filter is alive. */
    public Path finish(SparkSession spark, Integer gridSide) {
        results.sort(Comparator.comparingInt(FilterResult::filter));
        long dead = results.stream().filter(FilterResult::dead).count();
        writeCsv();
        writeParquet(spark);
        console.printf("%d filter processed, %d dead%n", results.size() - dead, dead);
        return writeGrid(gridSide);
    }

    public List<FilterResult> results() { return List.copyOf(results); }

    public Path imagePath(int filter) {
        return out.resolve("filters").resolve(String.format(Locale.ROOT, "%s_%04d.png", layer, filter));
    }

    private void writeCsv() {
        try (Writer csv = Files.newBufferedWriter(out.resolve("results.csv"), StandardCharsets.UTF_8)) {
            csv.write("filter,loss,seconds,status\n");
            for (FilterResult r : results) {
                csv.write(String.format(Locale.ROOT, "%d,%s,%.3f,%s%n", r.filter(), Float.toString(r.loss()),
                        r.seconds(), r.status()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write results.csv in " + out, e);
        }
    }

    private void writeParquet(SparkSession spark) {
        StructType schema = new StructType()
                .add("filter", DataTypes.IntegerType, false)
                .add("loss", DataTypes.FloatType, false)
                .add("seconds", DataTypes.DoubleType, false)
                .add("status", DataTypes.StringType, false)
                .add("image", DataTypes.StringType, true);
        List<Row> rows = results.stream().map(r -> RowFactory.create(r.filter(), r.loss(), r.seconds(), r.status(),
                r.dead() ? null : out.relativize(imagePath(r.filter())).toString())).toList();
        spark.createDataFrame(rows, schema).coalesce(1).write().mode(SaveMode.Overwrite)
                .parquet(out.resolve("results").toUri().toString());
    }

    private Path writeGrid(Integer requested) {
        List<FilterResult> alive = results.stream().filter(r -> !r.dead())
                .sorted(Comparator.comparingDouble(FilterResult::loss).reversed()).toList();
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
        for (FilterResult r : alive.subList(0, n * n)) tiles.add(Png.decode(read(imagePath(r.filter()))));
        Path grid = out.resolve(String.format(Locale.ROOT, "vgg_%s_%dx%d.png", layer, n, n));
        write(grid, Png.encode(GridStitcher.stitch(tiles, n, GridStitcher.DEFAULT_MARGIN)));
        console.println("Grid: " + grid);
        return grid;
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
