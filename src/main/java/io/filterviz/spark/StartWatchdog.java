package io.filterviz.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskStart;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Starved jobs speak: when no task has started {@code timeout} after the job was submitted, one line says why, in
 * the terms the user can change (executor size against what the cluster offers). Spark itself only logs "Initial job
 * has not accepted any resources", and a cluster that can never place an executor otherwise waits in silence.
 */
public final class StartWatchdog extends SparkListener implements AutoCloseable {
    private final Duration timeout;
    private final ExecutorRequest request;
    private final Consumer<String> say;
    private final AtomicInteger executorsAdded = new AtomicInteger();
    private final AtomicInteger executorsLost = new AtomicInteger();
    private volatile boolean taskStarted;
    private volatile String lastLoss;
    private boolean local;
    private ScheduledExecutorService timer;

    StartWatchdog(Duration timeout, ExecutorRequest request, Consumer<String> say) {
        this.timeout = timeout;
        this.request = request;
        this.say = say;
    }

    /** Watches {@code spark} from now on (call it as the job is submitted); the line goes to {@code say}. */
    public static StartWatchdog watch(SparkContext spark, Duration timeout, Consumer<String> say) {
        StartWatchdog watchdog = new StartWatchdog(timeout, ExecutorRequest.of(spark.getConf(), spark.hadoopConfiguration()), say);
        // Executors that registered before the listener did (the driver is not one). In local mode the driver is
        // the one executor from the start, whether or not its registration has reached the status store yet
        // (it is posted asynchronously: counting it from there raced with a fast watchdog).
        watchdog.local = spark.isLocal();
        int registered = spark.statusTracker().getExecutorInfos().length - 1;
        watchdog.executorsAdded.addAndGet(Math.max(0, registered));
        spark.addSparkListener(watchdog);
        watchdog.timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "filterviz-start-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        watchdog.timer.schedule(() -> watchdog.verdict().ifPresent(say), timeout.toMillis(), TimeUnit.MILLISECONDS);
        return watchdog;
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart taskStart) {
        taskStarted = true;
    }

    @Override
    public void onExecutorAdded(SparkListenerExecutorAdded executorAdded) {
        if (!"driver".equals(executorAdded.executorId())) executorsAdded.incrementAndGet();
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved executorRemoved) {
        executorsLost.incrementAndGet();
        lastLoss = executorRemoved.reason();
    }

    /** What to tell the user now that the timeout has passed; empty when a task has started. */
    Optional<String> verdict() {
        if (taskStarted) return Optional.empty();
        String head = "filterviz: no task has started " + readable(timeout) + " after the job was submitted: ";
        String still = "; still waiting (--start-timeout sets when this is said)";
        int lost = local ? 0 : executorsLost.get(), alive = local ? 1 : executorsAdded.get() - lost;
        if (lost > 0 && alive <= 0) {
            return Optional.of(head + lost + " executor(s) were lost before any task ran (last: "
                    + firstLine(lastLoss) + "); " + request.describe() + still);
        }
        if (alive > 0) {
            return Optional.of(head + alive + " executor(s) registered but none ran a task; each task needs "
                    + request.taskCpus() + " core(s) (spark.task.cpus), " + request.describe() + still);
        }
        return Optional.of(head + "no executor has been allocated; " + request.describe()
                + ": the cluster cannot place that (lower spark.executor.memory / spark.executor.memoryOverhead, "
                + "or use a queue or workers with more room)" + still);
    }

    @Override
    public void close() {
        if (timer != null) timer.shutdownNow();
    }

    private static String readable(Duration d) {
        if (d.toMillis() % 60_000 == 0) return d.toMinutes() + " min";
        if (d.toMillis() < 60_000) return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
        return String.format(Locale.ROOT, "%.1f min", d.toMillis() / 60_000.0);
    }

    private static String firstLine(String text) {
        return text == null ? "no reason given" : text.lines().findFirst().orElse("");
    }

    /**
     * What one executor asks the cluster for, as Spark sizes a container: heap + overhead (max(384 MB, factor ×
     * heap) unless set) + off-heap when enabled.
     */
    record ExecutorRequest(String master, long heapMb, long overheadMb, long offHeapMb, String cores, int taskCpus,
                           Long clusterMaxMb) {
        static ExecutorRequest of(SparkConf conf, Configuration hadoop) {
            long heap = conf.getSizeAsMb("spark.executor.memory", "1g");
            double factor = conf.getDouble("spark.executor.memoryOverheadFactor", 0.10);
            long overhead = conf.contains("spark.executor.memoryOverhead")
                    ? conf.getSizeAsMb("spark.executor.memoryOverhead", "0")
                    : Math.max(384, (long) (factor * heap));
            long offHeap = conf.getBoolean("spark.memory.offHeap.enabled", false)
                    ? conf.getSizeAsMb("spark.memory.offHeap.size", "0") : 0;
            String master = conf.get("spark.master", "local[*]");
            String maxAllocation = master.startsWith("yarn") ? hadoop.get("yarn.scheduler.maximum-allocation-mb") : null;
            return new ExecutorRequest(master, heap, overhead, offHeap, conf.get("spark.executor.cores", null),
                    conf.getInt("spark.task.cpus", 1), maxAllocation == null ? null : Long.valueOf(maxAllocation.trim()));
        }

        String describe() {
            if (master.startsWith("local")) return "tasks run inside the driver (master " + master + ")";
            String cpus = cores == null ? "" : " and " + cores + " core(s)";
            if (master.startsWith("spark:")) { // a standalone worker counts the heap only
                return "each executor asks " + master + " for spark.executor.memory " + heapMb + " MB" + cpus;
            }
            StringBuilder s = new StringBuilder("each executor asks ").append(master).append(" for ")
                    .append(heapMb + overheadMb + offHeapMb).append(" MB (spark.executor.memory ").append(heapMb)
                    .append(" MB + overhead ").append(overheadMb).append(" MB");
            if (offHeapMb > 0) s.append(" + spark.memory.offHeap.size ").append(offHeapMb).append(" MB");
            s.append(')').append(cpus);
            if (clusterMaxMb != null) {
                s.append("; yarn.scheduler.maximum-allocation-mb here is ").append(clusterMaxMb).append(" MB");
            }
            return s.toString();
        }
    }
}
