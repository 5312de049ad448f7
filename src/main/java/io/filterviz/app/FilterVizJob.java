package io.filterviz.app;

import io.filterviz.config.JobConfig;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.job.JobPlan;
import io.filterviz.job.JobPlanner;
import io.filterviz.job.RunParameters;
import io.filterviz.report.FilterRecord;
import io.filterviz.report.Progress;
import io.filterviz.report.ReportWriter;
import io.filterviz.spark.SparkFilterRunner;
import io.filterviz.storage.OutputStore;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * The job's workflow, and the composition root that wires it: plan on the driver (every check before any task),
 * then the Spark runner with the chosen compute backend, then the report.
 */
public final class FilterVizJob {
    private final PrintStream out;
    private final PrintStream err;

    public FilterVizJob(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public void run(JobConfig config) {
        JobPlan plan = new JobPlanner(err).plan(config);
        ComputeBackend backend = ComputeBackends.named(ComputeBackends.DEFAULT);
        SparkSession spark = session(config);
        try {
            OutputStore store = OutputStore.open(plan.out(), spark.sparkContext().hadoopConfiguration());
            if (config.overwrite()) store.deleteEverything();
            store.write(RunParameters.FILE, plan.parameters().bytes());
            ReportWriter report = new ReportWriter(store, plan.layer().name(), out, Progress.forConsole(out));
            Map<Integer, FilterRecord> finished = report.finished();
            report.begin(plan.filters().get(0), plan.filters().get(plan.filters().size() - 1) + 1, finished);
            List<Integer> remaining = plan.filters().stream().filter(f -> !finished.containsKey(f)).toList();
            if (!remaining.isEmpty()) {
                new SparkFilterRunner(spark.sparkContext(), backend).run(plan.only(remaining), report::accept);
            }
            report.finish(spark, config.grid(), plan.parameters().json());
        } finally {
            spark.stop();
        }
    }

    private static SparkSession session(JobConfig config) {
        SparkConf conf = new SparkConf().setAppName("filterviz " + config.layer());
        if (config.master() != null) {
            conf.setMaster(config.master());
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]"); // not under spark-submit: run on this machine
        }
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        spark.sparkContext().setLogLevel(config.verbose() ? "INFO" : "WARN");
        return spark;
    }
}
