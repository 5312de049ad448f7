package io.filterviz.report;

import io.filterviz.examples.ExampleRow;
import io.filterviz.storage.OutputStore;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** examples.csv and examples.parquet ({@code layer,filter,rank,image,score,x,y}), and each layer's own table. */
public final class ExampleTables {
    private ExampleTables() {}

    public static void writeLayer(OutputStore store, String layer, List<ExampleRow> rows) {
        store.write(ExampleLayout.layerTable(layer), csv(rows));
    }

    public static List<ExampleRow> readLayer(OutputStore store, String layer) {
        return ExampleRow.parse(new String(store.read(ExampleLayout.layerTable(layer)), StandardCharsets.UTF_8));
    }

    public static void writeAll(SparkSession spark, OutputStore store, List<ExampleRow> rows) {
        store.write(ExampleLayout.CSV, csv(rows));
        StructType schema = new StructType()
                .add("layer", DataTypes.StringType, false)
                .add("filter", DataTypes.IntegerType, false)
                .add("rank", DataTypes.IntegerType, false)
                .add("image", DataTypes.StringType, false)
                .add("score", DataTypes.DoubleType, false)
                .add("x", DataTypes.IntegerType, false)
                .add("y", DataTypes.IntegerType, false);
        List<Row> sparkRows = rows.stream().map(r -> RowFactory.create(r.layer(), r.filter(), r.rank(), r.image(), r.score(),
                r.x(), r.y())).toList();
        spark.createDataFrame(sparkRows, schema).coalesce(1).write()
                .options(store.sparkWriteOptions()) // no .crc files on local disk
                .mode(SaveMode.Overwrite).parquet(store.uri(ExampleLayout.PARQUET));
    }

    /**
     * Per filter, the paths of its example crops best first (relative to --out) when an example scan of the layer
     * finished in this folder; empty when none did, or when its table cannot be read (the gallery does without).
     */
    public static Map<Integer, List<String>> crops(OutputStore store, String layer) {
        Map<Integer, List<String>> crops = new TreeMap<>();
        try {
            if (!store.exists(ExampleLayout.layerTable(layer))) return crops;
            List<ExampleRow> rows = new ArrayList<>(readLayer(store, layer));
            rows.sort(Comparator.comparingInt(ExampleRow::filter).thenComparingInt(ExampleRow::rank));
            for (ExampleRow r : rows) {
                crops.computeIfAbsent(r.filter(), f -> new ArrayList<>()).add(ExampleLayout.crop(layer, r.filter(), r.rank()));
            }
        } catch (RuntimeException e) {
            return Map.of();
        }
        return crops;
    }

    private static byte[] csv(List<ExampleRow> rows) {
        StringBuilder csv = new StringBuilder(ExampleRow.CSV_HEADER).append('\n');
        for (ExampleRow r : rows) csv.append(r.csv()).append('\n');
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }
}
