package io.filterviz.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** ./submit.sh as a user runs it, in a process of its own: its output and errors go to one log file. */
final class SubmitScript {
    static final Path PROJECT = Path.of(System.getProperty("user.dir"));

    record Result(int exit, String output) {}

    private SubmitScript() {}

    /**
     * Starts {@code ./submit.sh args}. The environment is this JVM's without SPARK_HOME and SPARK_CONF_DIR (the
     * test decides which Spark, if any, is found), plus {@code env}.
     */
    static Process start(Map<String, String> env, List<String> args, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(PROJECT.resolve("submit.sh").toString()));
        command.addAll(args);
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().remove("SPARK_HOME");
        builder.environment().remove("SPARK_CONF_DIR");
        builder.environment().putAll(env);
        return builder.start();
    }

    /** Runs it to its end: the exit code and what it said. */
    static Result run(Map<String, String> env, List<String> args, Path log, Duration timeout) throws Exception {
        Process process = start(env, args, log);
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("submit.sh did not end within " + timeout + ":\n" + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log));
    }

    /** A fresh log file in {@code dir}. */
    static Path newLog(Path dir) throws IOException {
        return Files.createTempFile(Files.createDirectories(dir), "submit-", ".log");
    }
}
