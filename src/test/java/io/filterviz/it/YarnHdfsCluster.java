package io.filterviz.it;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptReport;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real HDFS and YARN on 127.0.0.1 ({@link YarnHdfsMiniClusterMain}, in a JVM of its own), a Spark home whose
 * bin/spark-submit runs Spark's own launcher (as a Spark distribution does: HADOOP_CONF_DIR and SPARK_CONF_DIR on
 * the class path, driver memory and options applied in client mode), and clients to look at both.
 * {@link #close()} ends every process it started, YARN's containers included.
 */
final class YarnHdfsCluster implements AutoCloseable {
    final Path dir;
    final Path hadoopConfDir;
    final Path sparkHome;
    final String defaultFs;
    private final Process process;
    private final Configuration conf;
    private final YarnClient yarn;
    private final FileSystem hdfs;

    YarnHdfsCluster(Path project, Path dir) throws Exception {
        this.dir = Files.createDirectories(dir);
        Path jars = project.resolve("target/yarn-minicluster/jars");
        Path sparkJars = project.resolve("target/spark-home/jars");
        if (!Files.isDirectory(jars) || !Files.isDirectory(sparkJars)) {
            throw new IllegalStateException(jars + " or " + sparkJars + " is missing: run the integration tests through Maven");
        }
        List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx1g", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "-cp", jars + "/*:" + project.resolve("target/test-classes"), YarnHdfsMiniClusterMain.class.getName(),
                dir.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("minicluster.log").toFile());
        // The NodeManager starts containers with $JAVA_HOME/bin/java: this JDK (17).
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        process = builder.start();
        defaultFs = waitForReady(dir.resolve("minicluster.log"));
        hadoopConfDir = dir.resolve("hadoop-conf");
        sparkHome = writeSparkHome(dir.resolve("spark-home"), sparkJars);

        conf = new YarnConfiguration();
        conf.addResource(new org.apache.hadoop.fs.Path(hadoopConfDir.resolve("core-site.xml").toUri()));
        conf.addResource(new org.apache.hadoop.fs.Path(hadoopConfDir.resolve("yarn-site.xml").toUri()));
        yarn = YarnClient.createYarnClient();
        yarn.init(conf);
        yarn.start();
        hdfs = FileSystem.get(conf);
    }

    FileSystem hdfs() { return hdfs; }

    /** What a machine with a Spark client and this cluster's configuration has in its environment. */
    Map<String, String> environment(Path sparkConfDir) {
        return Map.of("SPARK_HOME", sparkHome.toString(), "HADOOP_CONF_DIR", hadoopConfDir.toString(),
                "SPARK_CONF_DIR", sparkConfDir.toString(), "SPARK_SCALA_VERSION", "2.12",
                "SPARK_LOCAL_IP", "127.0.0.1", "JAVA_HOME", System.getProperty("java.home"));
    }

    List<ApplicationReport> applications() throws Exception {
        return yarn.getApplications();
    }

    ApplicationReport application(ApplicationId id) throws Exception {
        return yarn.getApplicationReport(id);
    }

    List<ApplicationAttemptReport> attempts(ApplicationId id) throws Exception {
        return yarn.getApplicationAttempts(id);
    }

    /** The executor JVMs YARN's NodeManager launched (descendants of the minicluster process). */
    List<ProcessHandle> executors() {
        return process.descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("YarnCoarseGrainedExecutorBackend")).toList();
    }

    @Override
    public void close() {
        try {
            yarn.stop();
        } catch (RuntimeException ignored) {
            // the cluster goes anyway
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String waitForReady(Path log) throws Exception {
        Instant end = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(end)) {
            if (!process.isAlive()) throw new IllegalStateException("the minicluster died; see " + log);
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log)) {
                    if (line.startsWith(YarnHdfsMiniClusterMain.READY)) {
                        return line.substring(YarnHdfsMiniClusterMain.READY.length()).trim();
                    }
                }
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the minicluster did not start in 3 minutes; see " + log);
    }

    /**
     * A Spark distribution's layout over the build's Spark jars: RELEASE (the launcher looks for it), jars/, and a
     * bin/spark-submit that, like Spark's own, asks org.apache.spark.launcher.Main for the java command and runs it.
     */
    static Path writeSparkHome(Path home, Path sparkJars) throws IOException {
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("RELEASE"), "Spark 3.5.9 (test layout of Maven Central's jars)\n");
        if (!Files.exists(home.resolve("jars"))) Files.createSymbolicLink(home.resolve("jars"), sparkJars);
        Path script = home.resolve("bin/spark-submit");
        Files.writeString(script, """
                #!/usr/bin/env bash
                # Spark's bin/spark-submit + bin/spark-class, condensed: Spark's launcher prints the java command
                # (a NUL line, then NUL-separated words, then its exit code) and this script runs it.
                export SPARK_HOME="$(cd "$(dirname "$0")/.." && pwd)"
                build() { "$JAVA_HOME/bin/java" -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main \\
                  org.apache.spark.deploy.SparkSubmit "$@"; printf '%d\\0' $?; }
                cmd=()
                {
                  IFS= read -r _ || true
                  while IFS= read -r -d '' word; do cmd+=("$word"); done
                } < <(build "$@")
                [ ${#cmd[@]} -gt 0 ] || exit 1
                last=$((${#cmd[@]} - 1))
                [ "${cmd[$last]}" = 0 ] || exit "${cmd[$last]}"
                exec "${cmd[@]:0:$last}"
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
