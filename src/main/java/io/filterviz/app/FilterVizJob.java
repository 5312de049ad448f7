package io.filterviz.app;

import io.filterviz.config.BadInputException;
import io.filterviz.model.ModelSpec;
import io.filterviz.model.graph.ModelException;
import io.filterviz.model.graph.ModelMemoryException;
import io.filterviz.config.JobConfig;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.job.JobPlan;
import io.filterviz.job.JobPlanner;
import io.filterviz.job.RunRecord;
import io.filterviz.report.Progress;
import io.filterviz.report.RunReport;
import io.filterviz.result.FilterId;
import io.filterviz.result.FilterRecord;
import io.filterviz.spark.SparkFilterRunner;
import io.filterviz.spark.StartWatchdog;
import io.filterviz.storage.LeaseHeldException;
import io.filterviz.storage.OutputLease;
import io.filterviz.storage.OutputStore;
import io.filterviz.storage.ResumeState;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The job's workflow, and the composition root that wires it: plan on the driver (every check before any task),
 * take the lease on --out, then the Spark runner with the chosen compute backend, then the report.
 */
public final class FilterVizJob {
    /** The master when neither --master nor spark-submit names one: this machine. */
    public static final String LOCAL_MASTER = "local[*]";
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
        SparkConf sparkConf = sparkConf(config);
        // One Hadoop configuration for every file-system access: the cluster's own files plus spark.hadoop.* (from
        // --conf, or -D in local mode), derived as Spark derives its own, but before Spark starts: validation must
        // not wait for (or start) a SparkContext.
        Configuration hadoop = SparkHadoopUtil.get().newConfiguration(sparkConf);
        JobPlanner planner = new JobPlanner(err, kerasModels(), hadoop);
        if (config.listLayers()) {
            out.print(planner.listLayers(config));
            return;
        }
        String engine = ComputeBackends.resolveEngine(config.engine(), config.precision(), err);
        ComputeBackend backend = ComputeBackends.forJob(engine, config.precision(), config.convolutions());
        JobPlan plan = planner.plan(config.withEngine(engine), backend);
        ComputeBackends.checkRuns(engine, plan.graph());
        checkModelFits(plan.model(), sparkConf,
                ComputeBackends.tensorHeapPerTask(engine, plan.graph(), plan.layerNames(), plan.schedule()));
        OutputStore store = OutputStore.open(plan.out(), hadoop);
        try (OutputLease lease = lease(store, config.overwrite(), sparkConf.get("spark.yarn.app.id", null))) {
            SparkSession spark = SparkSession.builder().config(sparkConf).getOrCreate();
            spark.sparkContext().setLogLevel(config.verbose() ? "INFO" : "WARN");
            try {
                lease.nameApplication(spark.sparkContext().applicationId());
                if (config.overwrite()) store.deleteEverythingExcept(OutputLease.FILE);
                store.write(RunRecord.FILE, plan.record().bytes());
                ResumeState state = new ResumeState(store);
                // Everything finished in the folder, this selection's or not (run.json matched the recipe).
                Map<FilterId, FilterRecord> recorded = state.finished(err::println);
                Set<String> earlierLayers = new HashSet<>();
                recorded.keySet().forEach(id -> earlierLayers.add(id.layer()));
                RunReport report = new RunReport(store, state, plan.model().name(), plan.layerNamesWith(earlierLayers), out,
                        Progress.forConsole(out), plan.record().recipe().summary());
                Map<FilterId, FilterRecord> finished = report.withIntactPictures(recorded, err::println);
                report.begin(plan.items(), finished);
                List<FilterId> remaining = plan.items().stream().filter(id -> !finished.containsKey(id)).toList();
                if (!remaining.isEmpty()) {
                    Duration startTimeout = Duration.ofMillis(Math.round(config.startTimeoutMinutes() * 60_000));
                    try (StartWatchdog watchdog = StartWatchdog.watch(spark.sparkContext(), startTimeout, err::println)) {
                        new SparkFilterRunner(spark.sparkContext(), backend).run(plan.only(remaining), result -> {
                            lease.checkHeld(); // another run took --out over: stop writing into it
                            report.accept(result);
                        });
                    }
                }
                lease.checkHeld();
                report.finish(spark, config.grid(), plan.record().json());
            } finally {
                spark.stop();
            }
        }
    }

    /**
     * Refuses on the driver (exit 2) a model whose weights up to the targets an executor's heap cannot hold, before
     * any task starts: in local mode this JVM's free heap (the tasks run in it), else spark.executor.memory less the
     * 300 MB Spark reserves. Executors check again against their actual heap when they load it. Each task at once
     * also needs {@code tensorsPerTask} (the reference engine's tensors, {@link ComputeBackends#tensorHeapPerTask}).
     */
    static void checkModelFits(ModelSpec model, SparkConf conf, long tensorsPerTask) {
        long weights;
        try {
            weights = model.heapToLoad();
        } catch (ModelException e) {
            throw new BadInputException(e.getMessage());
        }
        if (weights == 0 && tensorsPerTask == 0 || model.file() == null) return;
        String name = Path.of(model.file()).getFileName().toString();
        long fileBytes = Path.of(model.file()).toFile().length();
        boolean local = conf.get("spark.master", LOCAL_MASTER).startsWith("local");
        int tasks = local ? localTasks(conf.get("spark.master", LOCAL_MASTER)) : conf.getInt("spark.executor.cores", 1);
        long needed = weights + tasks * tensorsPerTask;
        String what = tensorsPerTask == 0 ? "of heap for its weights up to " + String.join(", ", model.targets())
                : "of heap for its weights and the reference engine's double-precision tensors up to "
                + String.join(", ", model.targets()) + " (" + ModelMemoryException.megabytes(tensorsPerTask) + " per task, "
                + tasks + " at once)";
        if (local) {
            Runtime runtime = Runtime.getRuntime();
            long free = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
            if (needed > free) {
                System.gc();
                free = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
            }
            if (needed > free) {
                throw new BadInputException(new ModelMemoryException(name, fileBytes, "needs about "
                        + ModelMemoryException.megabytes(needed) + " " + what + ", more than the " + ModelMemoryException.megabytes(free) + " free of this JVM's "
                        + ModelMemoryException.megabytes(runtime.maxMemory()) + " (local mode: the tasks run in the "
                        + "driver's JVM)").raise("--driver-memory"));
            }
            return;
        }
        long executor = conf.getSizeAsBytes("spark.executor.memory", "1g") - 300L * 1024 * 1024;
        if (needed > executor) {
            throw new BadInputException(new ModelMemoryException(name, fileBytes, "needs about "
                    + ModelMemoryException.megabytes(needed) + " " + what + ", more than an executor's " + ModelMemoryException.megabytes(executor)
                    + " (spark.executor.memory less Spark's reserved 300 MB)").raise("--executor-memory"));
        }
    }

    /** The tasks local mode runs at once: local (1), local[N], local[*] (the cores), local[N,F]. */
    static int localTasks(String master) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("local\\[(\\*|\\d+)(,\\d+)?]").matcher(master);
        if (!m.matches()) return 1;
        return m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
    }

    /** The first thing written under --out, once every check has passed. */
    private static OutputLease lease(OutputStore store, boolean overwrite, String yarnApplication) {
        try {
            return OutputLease.acquire(store, overwrite, yarnApplication);
        } catch (LeaseHeldException e) {
            throw new BadInputException(e.getMessage());
        }
    }

    /** Where Keras keeps downloaded models: {@code $KERAS_HOME/models}, else {@code ~/.keras/models}, as Keras does. */
    private Path kerasModels() {
        String home = environment.get("KERAS_HOME");
        return (home != null ? Path.of(home) : Path.of(System.getProperty("user.home"), ".keras")).resolve("models");
    }

    private static SparkConf sparkConf(JobConfig config) {
        SparkConf conf = new SparkConf().setAppName("filterviz " + String.join(",", config.layers()));
        if (config.master() != null) {
            conf.setMaster(config.master());
        } else if (!conf.contains("spark.master")) {
            conf.setMaster(LOCAL_MASTER); // not under spark-submit: run on this machine
        }
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        return conf;
    }
}
