package io.filterviz.app;

import io.filterviz.config.JobConfig;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.job.JobPlan;
import io.filterviz.job.JobPlanner;
import io.filterviz.job.RunParameters;
import io.filterviz.report.Progress;
import io.filterviz.report.RunReport;
import io.filterviz.result.FilterId;
import io.filterviz.result.FilterRecord;
import io.filterviz.spark.SparkFilterRunner;
import io.filterviz.storage.OutputStore;
import io.filterviz.storage.ResumeState;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The job's workflow, and the composition root that wires it: plan on the driver (every check before any task),
 * then the Spark runner with the chosen compute backend, then the report.
 */
public final class FilterVizJob {
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> environment;

    /** @param environment the process environment (KERAS_HOME), passed in so tests stay hermetic */
    public FilterVizJob(PrintStream out, PrintStream err, Map<String, String> environment) {
        this.out = out;
        this.err = err;
        this.environment = environment;
    }

    public void run(JobConfig config) {
        JobPlan plan = new JobPlanner(err, kerasModels()).plan(config);
        ComputeBackend backend = ComputeBackends.named(ComputeBackends.DEFAULT);
        SparkSession spark = session(config);
        try {
            OutputStore store = OutputStore.open(plan.out(), spark.sparkContext().hadoopConfiguration());
            if (config.overwrite()) store.deleteEverything();
            store.write(RunParameters.FILE, plan.parameters().bytes());
            ResumeState state = new ResumeState(store);
            RunReport report = new RunReport(store, state, plan.layerNames(), out, Progress.forConsole(out));
            Map<FilterId, FilterRecord> finished = state.finished();
            report.begin(plan.items(), finished);
            List<FilterId> remaining = plan.items().stream().filter(id -> !finished.containsKey(id)).toList();
            if (!remaining.isEmpty()) {
                new SparkFilterRunner(spark.sparkContext(), backend).run(plan.only(remaining), report::accept);
            }
            report.finish(spark, config.grid(), plan.parameters().json());
        } finally {
            spark.stop();
        }
    }

    /** Where Keras keeps downloaded models: {@code $KERAS_HOME/models}, else {@code ~/.keras/models}, as Keras does. */
    private Path kerasModels() {
        String home = environment.get("KERAS_HOME");
        return (home != null ? Path.of(home) : Path.of(System.getProperty("user.home"), ".keras")).resolve("models");
    }

    private static SparkSession session(JobConfig config) {
        SparkConf conf = new SparkConf().setAppName("filterviz " + String.join(",", config.layers()));
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
