package io.filterviz.spark;

import io.filterviz.examples.CropCutter;
import io.filterviz.examples.CropRequest;
import io.filterviz.examples.CropResult;
import io.filterviz.examples.ScanSpec;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The crops of the kept examples, cut on the executors: only the images that are in some top k are read again (by
 * their paths, through the same binaryFile source), and the crops reach the driver one partition at a time.
 */
public final class ExampleCropRunner {
    private final SparkSession spark;

    public ExampleCropRunner(SparkSession spark) { this.spark = spark; }

    /** @param requests per image path (as the scan reported it), the crops to cut from it */
    public void cut(Map<String, List<CropRequest>> requests, ScanSpec spec, Consumer<CropResult> onCrop) {
        if (requests.isEmpty()) return;
        String[] paths = requests.keySet().stream().map(ExampleCropRunner::literal).toArray(String[]::new);
        Broadcast<Map<String, List<CropRequest>>> wanted = spark.sparkContext().broadcast(Map.copyOf(requests),
                scala.reflect.ClassTag$.MODULE$.apply(Map.class));
        Iterator<CropResult> crops = spark.read().format("binaryFile").load(paths).select("path", "content").javaRDD()
                .mapPartitions(new CutPartition(spec, wanted)).toLocalIterator();
        while (crops.hasNext()) onCrop.accept(crops.next());
        wanted.destroy();
    }

    /** A path as a Hadoop glob that matches only itself. */
    static String literal(String path) {
        return path.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
    }

    private record CutPartition(ScanSpec spec, Broadcast<Map<String, List<CropRequest>>> wanted)
            implements FlatMapFunction<Iterator<Row>, CropResult> {
        @Override
        public Iterator<CropResult> call(Iterator<Row> files) {
            CropCutter cutter = new CropCutter(ExecutorNetworks.get(spec), spec.size());
            List<CropResult> crops = new ArrayList<>();
            while (files.hasNext()) {
                Row file = files.next();
                List<CropRequest> requests = wanted.value().get(file.getString(0));
                if (requests != null) crops.addAll(cutter.cut((byte[]) file.get(1), requests));
            }
            return crops.iterator();
        }
    }
}
