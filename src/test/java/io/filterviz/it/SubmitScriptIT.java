package io.filterviz.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What ./submit.sh hands to Spark: the effective configuration Spark's real launcher and SparkSubmit end up with
 * (our defaults below the cluster's and the command line's), what a cluster-mode driver is given (no path of this
 * machine), and which way it runs (local JVM or spark-submit, said in one line). Inputs are bad on purpose
 * (--layer nope): filterviz stops with exit 2 before any Spark context, so no cluster is needed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubmitScriptIT {
    private static final Path PROJECT = Path.of(System.getProperty("user.dir"));
    private static final Path WORK = PROJECT.resolve("target/submit-it");
    private static final Pattern SPARK_CONFIG_LINE = Pattern.compile("^\\(([^,]+),(.*)\\)$");

    private Path sparkHome;
    private Path verboseHome;
    private Path clusterConf;
    private Path recordingHome;

    @BeforeAll
    void layOut() throws Exception {
        Files.createDirectories(WORK);
        sparkHome = YarnHdfsCluster.writeSparkHome(WORK.resolve("spark-home"), PROJECT.resolve("target/spark-home/jars"));
        // spark-submit --verbose prints the configuration it starts the driver with ("Spark config:"); filterviz has
        // a --verbose of its own, so a wrapper asks for Spark's.
        verboseHome = Files.createDirectories(WORK.resolve("verbose/bin")).getParent();
        Path verbose = verboseHome.resolve("bin/spark-submit");
        Files.writeString(verbose, "#!/usr/bin/env bash\nexec " + sparkHome.resolve("bin/spark-submit") + " --verbose \"$@\"\n");
        Files.setPosixFilePermissions(verbose, PosixFilePermissions.fromString("rwxr-xr-x"));
        clusterConf = Files.createDirectories(WORK.resolve("cluster-conf"));
        // A cluster's own settings: one key our conf/spark-defaults.conf also sets, and executor JVM options.
        Files.writeString(clusterConf.resolve("spark-defaults.conf"), """
                # the cluster administrator's
                spark.executor.memory            7g
                spark.executor.extraJavaOptions  -XX:+UseG1GC
                spark.eventLog.enabled           false
                """);
        Files.writeString(WORK.resolve("log4j2-info.properties"), """
                rootLogger.level = info
                rootLogger.appenderRef.stderr.ref = console
                appender.console.type = Console
                appender.console.name = console
                appender.console.target = SYSTEM_ERR
                appender.console.layout.type = PatternLayout
                appender.console.layout.pattern = %m%n
                """);
        // A spark-submit that only writes down its arguments, one per line.
        recordingHome = Files.createDirectories(WORK.resolve("recording/bin")).getParent();
        Path script = recordingHome.resolve("bin/spark-submit");
        Files.writeString(script, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > \"$(dirname \"$0\")/../args.txt\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private SubmitScript.Result run(Map<String, String> env, String... args) throws Exception {
        return SubmitScript.run(env, List.of(args), SubmitScript.newLog(WORK), Duration.ofMinutes(2));
    }

    /** The "Spark config:" SparkSubmit --verbose prints: the configuration the driver is started with. */
    private static Map<String, String> sparkConfig(String output) {
        Map<String, String> conf = new HashMap<>();
        boolean inside = false;
        for (String line : output.lines().toList()) {
            if (line.equals("Spark config:")) {
                inside = true;
                continue;
            }
            Matcher m = SPARK_CONFIG_LINE.matcher(line);
            if (inside && m.matches()) conf.put(m.group(1), m.group(2));
            else if (inside) inside = false;
        }
        return conf;
    }

    @Test
    void ourDefaultsFillInOnlyWhatTheClusterAndTheCommandLineLeaveOpen() throws Exception {
        SubmitScript.Result result = run(Map.of("SPARK_HOME", verboseHome.toString(), "SPARK_CONF_DIR", clusterConf.toString(),
                        "SPARK_SCALA_VERSION", "2.12", "SPARK_LOCAL_IP", "127.0.0.1"),
                "--master", "spark://127.0.0.1:7",
                "--driver-java-options", "-Dlog4j2.configurationFile=file:" + WORK.resolve("log4j2-info.properties"),
                "--conf", "spark.executor.memoryOverhead=1500m", "--layer", "nope");
        assertEquals(2, result.exit(), result.output());
        assertTrue(result.output().contains("filterviz: --layer nope is not a VGG16 layer"), result.output());
        Map<String, String> conf = sparkConfig(result.output());
        assertFalse(conf.isEmpty(), "no 'Spark config:' in\n" + result.output());
        assertEquals("7g", conf.get("spark.executor.memory"), "the cluster's value");
        assertEquals("false", conf.get("spark.eventLog.enabled"), "a key only the cluster sets");
        assertEquals("1500m", conf.get("spark.executor.memoryOverhead"), "the command line's value");
        assertEquals("4", conf.get("spark.task.maxFailures"), "a key only conf/spark-defaults.conf sets");
        String executorJava = conf.get("spark.executor.extraJavaOptions");
        assertTrue(executorJava.startsWith("-XX:+UseG1GC ") && executorJava.contains("-Dorg.bytedeco.javacpp.maxbytes="),
                "the cluster's JVM options, then ours: " + executorJava);
        String driverJava = conf.get("spark.driver.extraJavaOptions");
        assertTrue(driverJava.startsWith("-Dlog4j2.configurationFile=file:" + WORK)
                && driverJava.contains("-Dfilterviz.conf=" + PROJECT.resolve("conf/filterviz.properties")), driverJava);
        assertTrue(result.output().contains("filterviz: submitting to spark://127.0.0.1:7 (client deploy mode) with "
                + verboseHome.resolve("bin/spark-submit")), result.output());
    }

    @Test
    void aClusterModeDriverGetsTheJobDefaultsAsAFileNotAPathOfThisMachine() throws Exception {
        Path userFiles = Files.writeString(WORK.resolve("lookup.txt"), "x");
        SubmitScript.Result result = run(Map.of("SPARK_HOME", recordingHome.toString(), "SPARK_CONF_DIR", clusterConf.toString()),
                "--master", "yarn", "--deploy-mode", "cluster", "--files", userFiles.toString(), "--layer", "nope");
        assertEquals(0, result.exit(), result.output());
        List<String> args = Files.readAllLines(recordingHome.resolve("args.txt"));
        String here = PROJECT.toString();
        int files = args.indexOf("--files");
        assertEquals(userFiles + "," + PROJECT.resolve("conf/filterviz.properties"), args.get(files + 1), args.toString());
        assertEquals(files, args.lastIndexOf("--files"), "one --files: " + args);
        int confFile = args.indexOf("--conf-file");
        assertEquals("filterviz.properties", args.get(confFile + 1), "read from the driver's working directory: " + args);
        for (int i = 0; i < args.size(); i++) {
            if (i == files + 1 || args.get(i).endsWith("-app.jar")) continue; // what spark-submit uploads
            assertFalse(args.get(i).contains(here), "a path of the submitting machine reaches the driver: " + args.get(i));
        }
    }

    @Test
    void aSparkSubmitOnThePathDoesNotTakeOverLocalMode() throws Exception {
        Files.deleteIfExists(recordingHome.resolve("args.txt"));
        SubmitScript.Result result = run(Map.of("PATH", recordingHome.resolve("bin") + ":" + System.getenv("PATH"),
                "FILTERVIZ_PRINT_COMMAND", "1"), "--driver-memory", "1500m", "--layer", "nope");
        assertEquals(2, result.exit(), result.output());
        assertFalse(Files.exists(recordingHome.resolve("args.txt")), "spark-submit was run");
        assertTrue(result.output().lines().anyMatch(l -> l.startsWith("filterviz: local mode in this JVM")), result.output());
        String java = result.output().lines().filter(l -> l.startsWith("filterviz command: ")).findFirst().orElseThrow();
        assertTrue(java.contains(" -Xmx1500m "), "the command line's driver memory: " + java);
        assertTrue(java.contains(" -Dorg.bytedeco.javacpp.maxbytes="), "an off-heap cap: " + java);
    }
}
