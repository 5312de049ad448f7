package io.filterviz.spark;

import io.filterviz.engine.ComputeBackend;
import io.filterviz.engine.FilterRenderer;
import io.filterviz.engine.RenderLoop;
import io.filterviz.engine.lucid.LucidRenderer;
import io.filterviz.job.JobPlan;
import io.filterviz.job.TargetLayer;
import io.filterviz.model.ModelSpec;
import io.filterviz.model.onnx.OnnxLoader;
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
        // An ONNX model's external data files go beside it: executors look for them beside the shipped copy
        if (model.source() == ModelSpec.Source.ONNX) {
            for (java.nio.file.Path data : OnnxLoader.externalDataFiles(java.nio.file.Path.of(model.file()))) {
                spark.addFile(data.toString());
            }
        }
        List<List<FilterId>> partitions = plan.partitions();
        Map<String, Boolean> earlyExit = new LinkedHashMap<>();
        for (TargetLayer target : plan.targets()) earlyExit.put(target.name(), target.earlyExit());
        // One element per slice: each partition is one list of items, in the planned order (most expensive first).
        JavaRDD<FilterRecord> rendered = jsc.parallelize(partitions, partitions.size())
                .mapPartitions(new RenderPartition(model, backend, loops(plan), earlyExit));
        RDD<FilterRecord> rdd = rendered.rdd();
        List<Object> indices = new ArrayList<>(IntStream.range(0, rdd.getNumPartitions()).boxed().toList());
        Deliver deliver = new Deliver(onResult, spark);
        try {
            spark.runJob(rdd, new DrainPartition(), JavaConverters.asScalaBuffer(indices).toSeq(),
                    deliver, ClassTag$.MODULE$.apply(FilterRecord[].class));
        } catch (Exception e) { // SparkException is checked in Java's eyes but thrown undeclared by Scala
            if (deliver.failure == null) throw e;
        }
        if (deliver.failure != null) {
            awaitKilledTasks();
            throw deliver.failure; // what went wrong on the driver, not "job cancelled"
        }
    }

    /**
     * A cancelled job returns before its tasks have stopped: a task inside a native call notices the kill only when
     * it returns. Stopping Spark under it makes that task log a NullPointerException with its stack trace (SparkEnv
     * gone), so the driver waits for the executors to report no running task, for at most a minute.
     */
    private void awaitKilledTasks() {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && java.util.Arrays.stream(spark.statusTracker().getExecutorInfos())
                .anyMatch(executor -> executor.numRunningTasks() > 0)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The preset's render loop: the Keras example's, or the lucid one (a fixed-size network's size passed on). */
    static RenderLoop.Factory loops(JobPlan plan) {
        return switch (plan.config().preset()) {
            case KERAS -> new FilterRenderer.Loops(plan.ascent(), plan.schedule(), plan.graph().inputChannels());
            case LUCID -> new LucidRenderer.Loops(plan.lucid(), plan.graph().fixedWidth(), plan.graph().fixedHeight());
        };
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

    /**
     * Driver side: called once per finished partition. A failure here (say, --out stops taking writes) cancels the
     * job and is rethrown by {@link #run} once Spark has stopped it: thrown into Spark instead, it would fail the
     * job but leave its tasks running, and Spark logs each later failure with its stack trace.
     */
    private static final class Deliver extends AbstractFunction2<Object, FilterRecord[], BoxedUnit> {
        private final Consumer<FilterRecord> onResult;
        private final SparkContext spark;
        private volatile RuntimeException failure;

        Deliver(Consumer<FilterRecord> onResult, SparkContext spark) {
            this.onResult = onResult;
            this.spark = spark;
        }

        @Override
        public BoxedUnit apply(Object partition, FilterRecord[] results) {
            if (failure != null) return BoxedUnit.UNIT; // cancelled: what still arrives is not written
            try {
                for (FilterRecord result : results) onResult.accept(result);
            } catch (RuntimeException e) {
                failure = e;
                spark.cancelAllJobs();
            }
            return BoxedUnit.UNIT;
        }
    }
}
