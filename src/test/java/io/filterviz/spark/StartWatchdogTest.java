package io.filterviz.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import io.filterviz.testing.Await;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Starved jobs speak: the watchdog's verdict from what the driver's listener saw, and one real local run. */
class StartWatchdogTest {
    private static final StartWatchdog.ExecutorRequest YARN_6G = StartWatchdog.ExecutorRequest.of(
            new SparkConf(false).set("spark.master", "yarn").set("spark.executor.memory", "2g")
                    .set("spark.executor.memoryOverhead", "4g").set("spark.executor.cores", "1"),
            conf("yarn.scheduler.maximum-allocation-mb", "4096"));

    private static Configuration conf(String key, String value) {
        Configuration conf = new Configuration(false);
        conf.set(key, value);
        return conf;
    }

    private static StartWatchdog watchdog() {
        return new StartWatchdog(Duration.ofMinutes(5), YARN_6G, line -> {});
    }

    @Test
    void noExecutorEverAllocatedNamesTheSizeAskedForAndTheClustersLimit() {
        String line = watchdog().verdict().orElseThrow();
        assertEquals("filterviz: no task has started 5 min after the job was submitted: no executor has been "
                + "allocated; each executor asks yarn for 6144 MB (spark.executor.memory 2048 MB + overhead 4096 MB) "
                + "and 1 core(s); yarn.scheduler.maximum-allocation-mb here is 4096 MB: the cluster cannot place that "
                + "(lower spark.executor.memory / spark.executor.memoryOverhead, or use a queue or workers with more "
                + "room); still waiting (--start-timeout sets when this is said)", line);
    }

    @Test
    void aStartedTaskMeansSilence() {
        StartWatchdog watchdog = watchdog();
        watchdog.onExecutorAdded(new SparkListenerExecutorAdded(0, "1", null));
        watchdog.onTaskStart(null);
        assertTrue(watchdog.verdict().isEmpty());
    }

    @Test
    void executorsLostBeforeAnyTaskAreNamedWithTheLastReason() {
        StartWatchdog watchdog = watchdog();
        watchdog.onExecutorAdded(new SparkListenerExecutorAdded(0, "1", null));
        watchdog.onExecutorRemoved(new SparkListenerExecutorRemoved(1, "1",
                "Container killed by YARN for exceeding physical memory limits\nmore"));
        String line = watchdog.verdict().orElseThrow();
        assertTrue(line.contains(": 1 executor(s) were lost before any task ran (last: Container killed by YARN for "
                + "exceeding physical memory limits); each executor asks yarn for 6144 MB"), line);
        assertEquals(1, line.lines().count());
    }

    @Test
    void executorsThatRunNothingPointAtTheCoresATaskNeeds() {
        StartWatchdog watchdog = new StartWatchdog(Duration.ofSeconds(90), StartWatchdog.ExecutorRequest.of(
                new SparkConf(false).set("spark.master", "spark://m:7077").set("spark.task.cpus", "4"),
                new Configuration(false)), line -> {});
        watchdog.onExecutorAdded(new SparkListenerExecutorAdded(0, "1", null));
        String line = watchdog.verdict().orElseThrow();
        assertTrue(line.startsWith("filterviz: no task has started 1.5 min after the job was submitted: 1 executor(s) "
                + "registered but none ran a task; each task needs 4 core(s) (spark.task.cpus), each executor asks "
                + "spark://m:7077 for spark.executor.memory 1024 MB; still waiting"), line);
    }

    @Test
    void overheadDefaultsToTenPercentOfTheHeapAndAtLeast384Mb() {
        var big = StartWatchdog.ExecutorRequest.of(new SparkConf(false).set("spark.executor.memory", "10g"),
                new Configuration(false));
        assertEquals(1024, big.overheadMb());
        var withOffHeap = StartWatchdog.ExecutorRequest.of(new SparkConf(false).set("spark.executor.memory", "1g")
                .set("spark.memory.offHeap.enabled", "true").set("spark.memory.offHeap.size", "512m"), new Configuration(false));
        assertEquals(384, withOffHeap.overheadMb());
        assertEquals(512, withOffHeap.offHeapMb());
    }

    @Test
    void onARealLocalContextItSpeaksOnlyWhenNoTaskStarted() throws Exception {
        SparkContext spark = new SparkContext(new SparkConf().setMaster("local[1]").setAppName("watchdog")
                .set("spark.ui.enabled", "false"));
        try {
            // Waits for what was said, however late a loaded machine runs the watchdog's timer.
            List<String> said = new CopyOnWriteArrayList<>();
            try (StartWatchdog idle = StartWatchdog.watch(spark, Duration.ofMillis(300), said::add)) {
                Await.until(Duration.ofMinutes(1), () -> "the idle watchdog never spoke", () -> !said.isEmpty());
            }
            assertEquals(1, said.size(), said.toString());
            assertTrue(said.get(0).startsWith("filterviz: no task has started 0.3 s after the job was submitted: "
                    + "1 executor(s) registered but none ran a task"), said.get(0));
            assertTrue(said.get(0).contains("tasks run inside the driver (master local[1])"), said.get(0));

            // A task starts: the listener hears it, and from then on the verdict (what the timer says) is silence.
            // The timeout is far off so the timer cannot fire while the task is still on its way.
            said.clear();
            try (StartWatchdog busy = StartWatchdog.watch(spark, Duration.ofHours(1), said::add)) {
                assertTrue(busy.verdict().isPresent(), "before any task there is something to say");
                assertEquals(3L, JavaSparkContext.fromSparkContext(spark).parallelize(List.of(1, 2, 3), 1).count());
                Await.until(Duration.ofMinutes(1), () -> "the listener never heard the task start",
                        () -> busy.verdict().isEmpty());
            }
            assertEquals(List.of(), said);
        } finally {
            spark.stop();
        }
    }
}
