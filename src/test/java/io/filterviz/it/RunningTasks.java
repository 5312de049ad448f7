package io.filterviz.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.filterviz.testing.Await;

/**
 * Which executor runs a task right now, from its own log (Spark's executors log "Running task … (TID n)" and
 * "Finished task … (TID n)" at INFO): a kill test kills that one, not whichever executor happens to be listed first.
 */
final class RunningTasks {
    private static final Pattern RUNNING = Pattern.compile("Running task \\S+ in stage \\S+ \\(TID (\\d+)\\)");
    private static final Pattern FINISHED = Pattern.compile("Finished task \\S+ in stage \\S+ \\(TID (\\d+)\\)");

    private RunningTasks() {}

    /** Waits until one of {@code executors} runs a task, and returns it. */
    static ProcessHandle awaitExecutorRunningATask(Supplier<List<ProcessHandle>> executors) throws Exception {
        ProcessHandle[] found = new ProcessHandle[1];
        Await.until(Duration.ofMinutes(3), () -> "no executor ran a task: " + executors.get(), () -> {
            for (ProcessHandle executor : executors.get()) {
                if (runsATask(executor)) {
                    found[0] = executor;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static boolean runsATask(ProcessHandle executor) {
        Optional<Path> log = stderr(executor);
        if (log.isEmpty()) return false;
        String text;
        try {
            text = Files.readString(log.get());
        } catch (IOException e) {
            return false; // gone meanwhile
        }
        Set<String> running = new HashSet<>();
        for (Matcher m = RUNNING.matcher(text); m.find(); ) running.add(m.group(1));
        for (Matcher m = FINISHED.matcher(text); m.find(); ) running.remove(m.group(1));
        return !running.isEmpty() && executor.isAlive();
    }

    /**
     * The file the executor's stderr ends up in: a YARN container's shell redirects it to a file (fd 2 is that file);
     * a standalone worker reads it through a pipe into {@code stderr} in the executor's working folder.
     */
    private static Optional<Path> stderr(ProcessHandle process) {
        Path proc = Path.of("/proc", String.valueOf(process.pid()));
        try {
            Path target = Files.readSymbolicLink(proc.resolve("fd/2"));
            if (Files.isRegularFile(target)) return Optional.of(target);
            Path copied = Files.readSymbolicLink(proc.resolve("cwd")).resolve("stderr");
            return Files.isRegularFile(copied) ? Optional.of(copied) : Optional.empty();
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }
}
