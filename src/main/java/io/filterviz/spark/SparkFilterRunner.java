package io.filterviz.spark;

import io.filterviz.engine.ComputeBackend;
import io.filterviz.job.JobPlan;
import io.filterviz.job.TargetLayer;
import io.filterviz.model.ModelSpec;
import io.filterviz.result.FilterId;
import io.filterviz.result.FilterRecord;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * The Spark layer: the planned (layer, filter) items become an RDD, executors render their partitions, and each partition's
 * results reach the driver (and {@code onResult}) as soon as its task finishes, not when the whole job does.
 */
public final class SparkFilterRunner {
    private final SparkContext spark;
    private final ComputeBackend backend;

    public SparkFilterRunner(SparkContext spark, ComputeBackend backend) {
        this.spark = spark;
        this.backend = backend;
    }

    public void run(JobPlan plan, Consumer<FilterRecord> onResult) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark);
        // The driver resolved the model or weights file once; Spark ships it to every executor (no shared disk needed).
        ModelSpec model = plan.model();
        if (model.file() != null) spark.addFile(model.file());
        List<List<FilterId>> partitions = plan.partitions();
        Map<String, Boolean> earlyExit = new LinkedHashMap<>();
        for (TargetLayer target : plan.targets()) earlyExit.put(target.name(), target.earlyExit());
        // One element per slice: each partition is one list of items, in the planned order (most expensive first).
        JavaRDD<FilterRecord> rendered = jsc.parallelize(partitions, partitions.size())
                .mapPartitions(new RenderPartition(model, backend, plan.ascent(), plan.schedule(),
                        plan.graph().inputChannels(), earlyExit));
        RDD<FilterRecord> rdd = rendered.rdd();
        List<Object> indices = new ArrayList<>(IntStream.range(0, rdd.getNumPartitions()).boxed().toList());
        spark.runJob(rdd, new DrainPartition(), JavaConverters.asScalaBuffer(indices).toSeq(),
                new Deliver(onResult), ClassTag$.MODULE$.apply(FilterRecord[].class));
    }

    /** Executor side: a partition's results as one array for the driver. */
    private static final class DrainPartition extends AbstractFunction2<TaskContext, Iterator<FilterRecord>, FilterRecord[]>
            implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public FilterRecord[] apply(TaskContext context, Iterator<FilterRecord> results) {
            List<FilterRecord> all = new ArrayList<>();
            while (results.hasNext()) all.add(results.next());
            return all.toArray(new FilterRecord[0]);
        }
    }

    /** Driver side: called once per finished partition. */
    private static final class Deliver extends AbstractFunction2<Object, FilterRecord[], BoxedUnit> {
        private final Consumer<FilterRecord> onResult;

        Deliver(Consumer<FilterRecord> onResult) {
            this.onResult = onResult;
        }

        @Override
        public BoxedUnit apply(Object partition, FilterRecord[] results) {
            for (FilterRecord result : results) onResult.accept(result);
            return BoxedUnit.UNIT;
        }
    }
}
