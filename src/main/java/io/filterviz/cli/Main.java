package io.filterviz.cli;

import io.filterviz.config.BadInputException;
import io.filterviz.config.JobConfig;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.job.JobPlan;
import io.filterviz.job.JobPlanner;
import io.filterviz.job.RunParameters;
import io.filterviz.report.FilterResult;
import io.filterviz.report.Progress;
import io.filterviz.report.ReportWriter;
import io.filterviz.storage.OutputStore;
import io.filterviz.spark.SparkFilterRunner;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Entry point: options → config → (driver) plan → (executors) filters → (driver) report. */
public final class Main {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options options = new Options();
        CommandLine cli = Options.commandLine(options)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
        try {
            Path defaults = confFile(args);
            if (defaults != null) {
                if (!Files.isReadable(defaults)) {
                    err.println("filterviz: --conf-file " + defaults + " is not a readable file");
                    return BAD_INPUT;
                }
                cli.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(defaults.toFile()));
            }
            CommandLine.ParseResult parsed = cli.parseArgs(args);
            if (CommandLine.printHelpIfRequested(parsed)) return OK;
        } catch (CommandLine.ParameterException e) {
            String hint = e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()
                    ? "; did you mean " + String.join(" or ", u.getSuggestions()) + "?" : "";
            err.println("filterviz: " + e.getMessage() + hint + " (see --help)");
            return BAD_INPUT;
        }
        try {
            JobConfig config = options.toConfig();
            JobPlan plan = new JobPlanner(err).plan(config);
            execute(plan, out);
            return OK;
        } catch (BadInputException e) {
            err.println("filterviz: " + e.getMessage());
            return BAD_INPUT;
        } catch (RuntimeException | Error e) {
            err.println("filterviz: failed: " + rootCause(e));
            if (options.verbose) e.printStackTrace(err);
            return FAILED;
        }
    }

    /** The last --conf-file on the command line, else the file submit.sh names (-Dfilterviz.conf), else none. */
    static Path confFile(String[] args) {
        String file = System.getProperty("filterviz.conf");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--conf-file") && i + 1 < args.length) file = args[i + 1];
            else if (args[i].startsWith("--conf-file=")) file = args[i].substring("--conf-file=".length());
        }
        return file == null ? null : Path.of(file);
    }

    private static void execute(JobPlan plan, PrintStream out) {
        SparkSession spark = session(plan.config());
        try {
            OutputStore store = OutputStore.open(plan.out(), spark.sparkContext().hadoopConfiguration());
            if (plan.config().overwrite()) store.deleteEverything();
            store.write(RunParameters.FILE, plan.parameters().bytes());
            ReportWriter report = new ReportWriter(store, plan.layer().name(), out, Progress.forConsole(out));
            Map<Integer, FilterResult> finished = report.finished();
            report.begin(plan.filters().get(0), plan.filters().get(plan.filters().size() - 1) + 1, finished);
            List<Integer> remaining = plan.filters().stream().filter(f -> !finished.containsKey(f)).toList();
            if (!remaining.isEmpty()) {
                new SparkFilterRunner(spark.sparkContext(), ComputeBackend.standard())
                        .run(plan.only(remaining), report::accept);
            }
            report.finish(spark, plan.config().grid(), plan.parameters().json());
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

    static String rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName()
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
