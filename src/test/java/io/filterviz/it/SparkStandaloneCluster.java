package io.filterviz.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on 127.0.0.1 for tests: a master and workers in JVMs of their own, started from
 * Spark's own classes (target/spark-home/jars, laid out by the build), plus a bin/spark-submit that runs Spark's
 * real SparkSubmit. {@link #close()} ends every process it started, executors included.
 */
final class SparkStandaloneCluster implements AutoCloseable {
    /** The flags Spark's launcher adds on Java 17, from the project's one list (a java @argfile). */
    static final List<String> JAVA17_OPENS = List.of("@" + Path.of(System.getProperty("user.dir"), "conf", "java17.args"));

    final Path sparkHome;
    final Path workDir;
    final int port;
    private final List<Process> processes = new ArrayList<>();

    SparkStandaloneCluster(Path sparkHome, Path workDir, int workers) throws Exception {
        this.sparkHome = sparkHome;
        this.workDir = workDir;
        if (!Files.isDirectory(sparkHome.resolve("jars"))) {
            throw new IllegalStateException(sparkHome + "/jars is missing: run the integration tests through Maven");
        }
        writeSparkSubmit();
        Files.createDirectories(workDir);
        port = freePort();
        start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--webui-port", String.valueOf(freePort()));
        waitForPort(port, Duration.ofSeconds(60));
        for (int i = 1; i <= workers; i++) {
            start("worker" + i, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1",
                    "--memory", "3g", "--webui-port", String.valueOf(freePort()),
                    "--work-dir", workDir.resolve("worker" + i).toString(), masterUrl());
        }
        for (int i = 1; i <= workers; i++) waitForLog(workDir.resolve("worker" + i + ".log"), "Successfully registered with master");
    }

    String masterUrl() { return "spark://127.0.0.1:" + port; }

    Map<String, String> environment() {
        return Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_SCALA_VERSION", "2.12", "SPARK_LOCAL_IP", "127.0.0.1");
    }

    private void writeSparkSubmit() throws IOException {
        Path bin = Files.createDirectories(sparkHome.resolve("bin"));
        Path script = bin.resolve("spark-submit");
        Files.writeString(script, "#!/usr/bin/env bash\n# Spark's real SparkSubmit from this test distribution\n"
                + "exec java " + String.join(" ", JAVA17_OPENS) + " -cp \"$SPARK_HOME/jars/*\" "
                + "org.apache.spark.deploy.SparkSubmit \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private void start(String name, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("java", "-Xmx512m"));
        command.addAll(JAVA17_OPENS);
        command.addAll(List.of("-cp", sparkHome.resolve("jars") + "/*", mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(workDir.resolve(name + ".log").toFile());
        builder.environment().putAll(environment());
        processes.add(builder.start());
    }

    /** The executor JVMs the workers launched (children of the worker processes). */
    List<ProcessHandle> executors() {
        return processes.stream().flatMap(Process::descendants)
                .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend")).toList();
    }

    /** The stderr files of every executor this cluster has run so far. */
    java.util.Set<Path> executorLogs() throws IOException {
        try (Stream<Path> files = Files.walk(workDir)) {
            return files.filter(p -> p.getFileName().toString().equals("stderr")).collect(java.util.stream.Collectors.toSet());
        }
    }

    /** Lines containing {@code text} in the executor logs that are not in {@code before}: one job's executors. */
    List<String> executorLogLines(String text, java.util.Set<Path> before) throws IOException {
        try (Stream<Path> files = executorLogs().stream().filter(p -> !before.contains(p))) {
            return files.flatMap(p -> {
                try {
                    return Files.readAllLines(p).stream();
                } catch (IOException e) {
                    return Stream.empty();
                }
            }).filter(l -> l.contains(text)).toList();
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void waitForPort(int port, Duration timeout) throws Exception {
        Instant end = Instant.now().plus(timeout);
        while (Instant.now().isBefore(end)) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(300);
            }
        }
        throw new IllegalStateException("Spark master did not listen on " + port);
    }

    static void waitForLog(Path log, String text) throws Exception {
        Instant end = Instant.now().plus(Duration.ofSeconds(90));
        while (Instant.now().isBefore(end)) {
            if (Files.exists(log) && Files.readString(log).contains(text)) return;
            Thread.sleep(300);
        }
        throw new IllegalStateException(log + " never said '" + text + "'");
    }
}
