package io.filterviz.spark;

import io.filterviz.examples.ActivationScan;
import io.filterviz.examples.ImageScanner;
import io.filterviz.examples.ScanModel;
import io.filterviz.examples.ScanSpec;
import io.filterviz.examples.ScanTotals;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.Iterator;
import java.util.List;

/**
 * The example scan's Spark layer: the collection read by Spark's {@code binaryFile} source (local, HDFS, S3, globs;
 * folders searched recursively), each partition scanned into one bounded {@link ScanTotals} on its executor, and
 * those merged by {@code treeAggregate}: the driver receives a few partial results of at most k examples per filter,
 * never the scores of every image.
 */
public final class ExampleScanRunner {
    /** treeAggregate's depth: with hundreds of partitions, the driver merges about √partitions values. */
    private static final int TREE_DEPTH = 2;

    private final SparkSession spark;

    public ExampleScanRunner(SparkSession spark) { this.spark = spark; }

    /** The collection as Spark reads it: one row per file, its path and bytes. */
    public static Dataset<Row> files(SparkSession spark, String images) {
        return spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(images).select("path", "content");
    }

    public ScanTotals scan(String images, ScanSpec spec) {
        JavaRDD<Row> rows = files(spark, images).javaRDD();
        ScanTotals zero = new ScanTotals(spec.top());
        return rows.mapPartitions(new ScanPartition(spec))
                .treeAggregate(zero, ScanTotals::merge, ScanTotals::merge, TREE_DEPTH);
    }

    /** Executor side: every image of a partition through the network, kept in one bounded value. */
    private record ScanPartition(ScanSpec spec) implements FlatMapFunction<Iterator<Row>, ScanTotals> {
        @Override
        public Iterator<ScanTotals> call(Iterator<Row> files) {
            ScanModel model = ExecutorNetworks.scanModel(spec);
            ScanTotals totals = new ScanTotals(spec.top());
            try (ActivationScan scan = model.open(spec.targets(), spec.batch(), TaskContext.get().cpus())) {
                ImageScanner scanner = new ImageScanner(scan, spec.channels(), spec.size());
                while (files.hasNext()) {
                    Row file = files.next();
                    scanner.accept(file.getString(0), (byte[]) file.get(1), totals);
                }
                scanner.finish(totals);
            }
            return List.of(totals).iterator();
        }
    }
}
