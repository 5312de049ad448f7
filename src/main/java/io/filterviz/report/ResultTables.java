package io.filterviz.report;

import io.filterviz.result.FilterRecord;
import io.filterviz.storage.OutputStore;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;

/** results.csv and the same table as Parquet, with the relative path of each live filter's picture. */
final class ResultTables {
    private ResultTables() {}

    static void writeCsv(OutputStore store, Collection<FilterRecord> records) {
        StringBuilder csv = new StringBuilder(FilterRecord.CSV_HEADER).append('\n');
        for (FilterRecord r : records) csv.append(r.csvRow()).append('\n');
        store.write(OutputLayout.CSV, csv.toString().getBytes(StandardCharsets.UTF_8));
    }

    static void writeParquet(SparkSession spark, OutputStore store, Collection<FilterRecord> records) {
        StructType schema = new StructType()
                .add("layer", DataTypes.StringType, false)
                .add("filter", DataTypes.IntegerType, false)
                .add("loss", DataTypes.FloatType, false)
                .add("seconds", DataTypes.DoubleType, false)
                .add("kernels", DataTypes.StringType, false)
                .add("status", DataTypes.StringType, false)
                .add("image", DataTypes.StringType, true);
        List<Row> rows = records.stream().map(r -> RowFactory.create(r.layer(), r.filter(), r.loss(), r.seconds(),
                r.kernels(), r.status(), r.dead() ? null : OutputLayout.picture(r.id()))).toList();
        spark.createDataFrame(rows, schema).coalesce(1).write()
                .options(store.sparkWriteOptions()) // no .crc files on local disk
                .mode(SaveMode.Overwrite).parquet(store.uri(OutputLayout.PARQUET));
    }
}
