package io.filterviz.cli;

import io.filterviz.app.ExamplesJob;
import io.filterviz.app.FilterVizJob;
import io.filterviz.config.BadInputException;
import io.filterviz.text.OneLine;
import picocli.CommandLine;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Entry point: options → config → {@link FilterVizJob}; exit codes through picocli's own mechanism. */
public final class Main {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;

    private Main() {}

    public static void main(String[] args) {
        quietConsoleUnlessConfigured();
        int code = run(args, System.out, System.err, System.getenv());
        if ("cluster".equals(System.getProperty("spark.submit.deployMode"))) {
            // The driver runs inside YARN's ApplicationMaster (or a standalone worker's DriverWrapper; spark-submit sets
            // "client" for a driver it runs itself), which reports the final status only after main returns. An exit
            // before that is read as a crash: YARN's AM defaults to FAILED in cluster mode and starts another attempt.
            // So return on success, throw on failure (the AM reports FAILED; the reason is on the driver's stderr).
            if (code == OK) return;
            throw new IllegalStateException("filterviz: exit code " + code
                    + (code == BAD_INPUT ? " (bad input)" : " (failed while running)") + ", see the driver's stderr");
        }
        System.exit(code);
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, System.getenv());
    }

    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> environment) {
        boolean examples = args.length > 0 && args[0].equals("examples");
        Options options = new Options(config -> new FilterVizJob(out, err, environment).run(config));
        CommandLine cli = (examples
                ? new CommandLine(new ExamplesCommand(config -> new ExamplesJob(out, err).run(config)))
                : Options.commandLine(options))
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .setExitCodeExceptionMapper(e -> e instanceof BadInputException ? BAD_INPUT : FAILED)
                .setParameterExceptionHandler((e, args1) -> {
                    String hint = e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()
                            ? "; did you mean " + String.join(" or ", u.getSuggestions()) + "?" : "";
                    err.println("filterviz: " + e.getMessage() + hint + " (see --help)");
                    return BAD_INPUT;
                })
                .setExecutionExceptionHandler((e, command, parsed) -> {
                    if (e instanceof BadInputException) {
                        err.println("filterviz: " + e.getMessage());
                        return BAD_INPUT;
                    }
                    err.println("filterviz: failed: " + failure(e));
                    if (options.verbose || examples && java.util.Arrays.asList(args).contains("--verbose")) e.printStackTrace(err);
                    return FAILED;
                });
        // The job defaults file holds the ascent's options (layer = block5_conv1): not the example scan's
        Path defaults = examples ? null : confFile(args);
        if (defaults != null) {
            if (!Files.isReadable(defaults)) {
                err.println("filterviz: --conf-file " + defaults + " is not a readable file");
                return BAD_INPUT;
            }
            cli.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(defaults.toFile()));
        }
        return cli.execute(examples ? java.util.Arrays.copyOfRange(args, 1, args.length) : args);
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

    /**
     * What the user reads after "failed:": the outermost message our code wrote, which names what went wrong and on
     * what ("cannot write URI", "oneDNN does not load on this machine"), then the innermost cause's first line unless
     * that message already holds it. Spark's wrapper ("Job aborted due to stage failure: ...") and wrappers that only
     * repeat their cause are passed over.
     */
    static String failure(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String rootText = root.getMessage() == null ? root.getClass().getSimpleName()
                : root.getClass().getSimpleName() + ": " + OneLine.of(root);
        Throwable ours = outermostOwnMessage(e);
        if (ours == null) return rootText;
        if (ours == root) return OneLine.of(root); // our own words, the class name adds nothing
        String said = OneLine.of(ours);
        return said.contains(rootText) ? said : said + ": " + rootText;
    }

    private static Throwable outermostOwnMessage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            boolean repeatsCause = t.getCause() != null && String.valueOf(t.getCause()).equals(t.getMessage());
            StackTraceElement[] frames = t.getStackTrace();
            boolean thrownByUs = frames.length > 0 && frames[0].getClassName().startsWith("io.filterviz.");
            if (t.getMessage() != null && !repeatsCause && thrownByUs) return t;
        }
        return null;
    }

    /**
     * A JVM launched with plain {@code java} (not submit.sh, not spark-submit) has no log4j2 configuration: Spark then
     * prints "Using Spark's default log4j profile" and logs at INFO (ND4J's start-up lines, Spark's host warnings)
     * around the output, even of --list-layers. Unless a configuration is given or on the class path, use
     * conf/log4j2.properties, packaged in the jar. Nothing has logged yet here, so it takes effect.
     */
    private static void quietConsoleUnlessConfigured() {
        if (System.getProperty("log4j2.configurationFile") != null || System.getProperty("log4j.configurationFile") != null) return;
        ClassLoader loader = Main.class.getClassLoader();
        for (String name : new String[]{"log4j2-test.properties", "log4j2-test.xml", "log4j2.properties", "log4j2.xml"}) {
            if (loader.getResource(name) != null) return;
        }
        if (loader.getResource("io/filterviz/log4j2.properties") != null) {
            System.setProperty("log4j2.configurationFile", "io/filterviz/log4j2.properties");
        }
    }
}
