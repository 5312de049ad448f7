package io.filterviz.it;

import io.filterviz.model.RandomWeights;
import io.filterviz.testing.Await;
import io.filterviz.testing.KerasH5Fixture;
import io.filterviz.testing.ResultsCsv;
import io.filterviz.testing.TestFiles;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * filterviz on a real YARN and HDFS (one minicluster shared by every test, in a JVM of its own), submitted through
 * ./submit.sh and Spark's own launcher and SparkSubmit, as a data engineer would: HADOOP_CONF_DIR, a cluster
 * spark-defaults.conf in SPARK_CONF_DIR, weights on hdfs://, output on hdfs://. Sizes are tiny; what is checked is
 * what YARN reports (final status, attempts) and what lands on HDFS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class YarnIT {
    private static final Path PROJECT = Path.of(System.getProperty("user.dir"));
    private static final Path WORK = PROJECT.resolve("target/yarn-it");
    /** NodeManager 4 GB: an ApplicationMaster (client mode 1 GB, cluster mode 1.5 GB) and one executor of our
     *  default size (conf/spark-defaults.conf: 2.5 GB for 1 core), which YARN holds to its physical memory. */
    private static final List<String> DEFAULT_SIZES = List.of("--num-executors", "1");
    /** For tiny image sizes: a smaller executor (YARN still holds it to its physical memory). */
    private static final List<String> ONE_SMALL_EXECUTOR = List.of("--num-executors", "1", "--executor-cores", "1",
            "--executor-memory", "640m", "--conf", "spark.executor.memoryOverhead=640m");
    /** For the failure tests at tiny image sizes: two smaller executors, so one can be killed. */
    private static final List<String> TWO_SMALL_EXECUTORS = List.of("--num-executors", "2", "--executor-cores", "1",
            "--executor-memory", "640m", "--conf", "spark.executor.memoryOverhead=640m");

    private YarnHdfsCluster cluster;
    private Path sparkConf;
    private String weights;

    @BeforeAll
    void startCluster() throws Exception {
        TestFiles.deleteRecursively(WORK);
        cluster = new YarnHdfsCluster(PROJECT, WORK.resolve("minicluster"));
        FileSystem hdfs = cluster.hdfs();
        Path localWeights = WORK.resolve("vgg16-test-weights.h5");
        KerasH5Fixture.write(localWeights, RandomWeights.create("block5_conv1", 5), KerasH5Fixture.Style.KERAS1_NOTOP);
        weights = cluster.defaultFs + "/models/vgg16-test-weights.h5";
        hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(localWeights.toUri()), new org.apache.hadoop.fs.Path(weights));

        // The cluster's own Spark configuration, as an administrator leaves it: Spark's jars cached on HDFS once
        // (otherwise every submit zips and uploads them). submit.sh must keep it and add its defaults below it.
        org.apache.hadoop.fs.Path sparkJars = new org.apache.hadoop.fs.Path("/spark/jars");
        hdfs.mkdirs(sparkJars);
        try (Stream<Path> jars = Files.list(cluster.sparkHome.resolve("jars"))) {
            for (Path jar : jars.toList()) {
                hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(jar.toRealPath().toUri()), sparkJars);
            }
        }
        sparkConf = Files.createDirectories(WORK.resolve("spark-conf"));
        Files.writeString(sparkConf.resolve("spark-defaults.conf"),
                "spark.yarn.jars " + cluster.defaultFs + "/spark/jars/*.jar\n"
                        + "spark.ui.enabled false\n"); // a Spark home built from Maven jars has no YARN web-proxy filter
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) cluster.close();
    }

    @Test
    void clientAndClusterModeSucceedOnTheFirstAttemptWithWeightsAndOutputOnHdfs() throws Exception {
        // The default image sizes (412 px, ascent up to 343 px: what memory depends on), one step per size.
        Run client = submit("client", DEFAULT_SIZES, job("1:3", "client", "--epochs", "1"));
        assertEquals(0, client.finish(), client.log());
        assertSucceededFirstTime(client);
        assertTrue(client.log().contains("Compute filters 1 to 3"), client.log());
        assertFalse(client.log().contains("Lost executor"), "the default executor size does not fit:\n" + client.log());
        assertFalse(client.log().contains("Neither spark.yarn.jars nor spark.yarn.archive is set"),
                "the cluster's spark-defaults.conf was dropped:\n" + client.log());

        Run cluster = submit("cluster", DEFAULT_SIZES, job("1:3", "cluster", "--epochs", "1"),
                "--deploy-mode", "cluster", "--conf", "spark.yarn.submit.waitAppCompletion=true");
        assertEquals(0, cluster.finish(), cluster.log());
        assertSucceededFirstTime(cluster);

        Map<Integer, Float> inClientMode = losses("client"), inClusterMode = losses("cluster");
        assertEquals(List.of(1, 2), new ArrayList<>(inClientMode.keySet()));
        assertEquals(inClientMode, inClusterMode, "the same job gives the same losses in both deploy modes");
        for (String out : List.of("client", "cluster")) {
            Set<String> files = names(out);
            assertTrue(files.contains("index.html") && files.contains("run.json") && files.contains("results.csv")
                    && files.stream().anyMatch(f -> f.startsWith("vgg_block5_conv1_")), out + ": " + files);
        }
    }

    @Test
    void aKilledDriverInClientModeIsResumedOnHdfsAndEachFilterComputedOnce() throws Exception {
        List<String> args = job("0:8", "driver-killed", "--output-dim", "128", "--upscaling-steps", "3", "--epochs", "8");
        Run first = submit("driver-killed-1", TWO_SMALL_EXECUTORS, args);
        Await.finishedFilters(() -> stateRows("driver-killed").size(), 2, first.process, first::log);
        first.kill();
        Map<String, Long> finished = stateRows("driver-killed");
        assertTrue(finished.size() >= 2 && finished.size() < 8, "the kill came too late to test anything: " + finished);
        waitUntilFinished(first.application());

        Run rerun = submit("driver-killed-2", TWO_SMALL_EXECUTORS, args);
        assertEquals(0, rerun.finish(), rerun.log());
        assertTrue(rerun.log().contains("Resuming: " + finished.size() + " finished filters skipped, "
                + (8 - finished.size()) + " to compute"), rerun.log());
        Map<String, Long> after = stateRows("driver-killed");
        for (Map.Entry<String, Long> row : finished.entrySet()) {
            assertEquals(row.getValue(), after.get(row.getKey()), "a finished filter was written again: " + row.getKey());
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), new ArrayList<>(losses("driver-killed").keySet()));
        assertSucceededFirstTime(rerun);
    }

    @Test
    void aKilledExecutorContainerCostsTimeNotResults() throws Exception {
        // Live filters of about 3 s each (at 96 px and 6 epochs they took 0.4 s on a quiet machine, and the kill once
        // landed between a container's "Running task" line and the task's end)
        Run run = submit("executor-killed", TWO_SMALL_EXECUTORS, job("0:8", "executor-killed", "--output-dim", "128", "--upscaling-steps", "2",
                "--epochs", "30"));
        Await.finishedFilters(() -> stateRows("executor-killed").size(), 1, run.process, run::log);
        // kill a container while its log says it runs a task: the kill must cost a running task
        RunningTasks.awaitExecutorRunningATask(cluster::executors).destroyForcibly();
        assertEquals(0, run.finish(), run.log());
        assertTrue(run.log().contains("ExecutorLostFailure"), "the kill hit no running task:\n" + run.log());
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), new ArrayList<>(losses("executor-killed").keySet()), run.log());
        assertSucceededFirstTime(run);
    }

    @Test
    void aSecondRunIntoALiveHdfsOutputExits2NamingTheHolder() throws Exception {
        List<String> args = job("0:6", "leased", "--output-dim", "96", "--upscaling-steps", "2", "--epochs", "6");
        Run first = submit("leased-1", ONE_SMALL_EXECUTOR, args);
        Await.finishedFilters(() -> stateRows("leased").size(), 1, first.process, first::log);
        // Room is left for the second run's ApplicationMaster: it must be refused, not queued behind the first.
        Run second = submit("leased-2", ONE_SMALL_EXECUTOR, args);
        assertEquals(2, second.finish(), second.log());
        List<String> said = second.log().lines()
                .filter(l -> l.startsWith("filterviz: ") && !l.startsWith("filterviz: submitting")).toList();
        assertEquals(1, said.size(), second.log());
        assertTrue(said.get(0).contains(first.application().toString()), "names the holder: " + said.get(0));
        assertEquals(0, first.finish(), first.log());
        assertEquals(List.of(0, 1, 2, 3, 4, 5), new ArrayList<>(losses("leased").keySet()), first.log());
        assertSucceededFirstTime(first);
    }

    // --- helpers ---

    private List<String> job(String filters, String out, String... extra) {
        List<String> args = new ArrayList<>(List.of("--weights", weights, "--filter-range", filters, "--out", hdfsOut(out)));
        args.addAll(List.of(extra));
        return args;
    }

    private String hdfsOut(String name) {
        return cluster.defaultFs + "/viz/" + name;
    }

    /** ./submit.sh --master yarn, then {@code sizes} and {@code deployArgs}, then the job's own options. */
    private Run submit(String name, List<String> sizes, List<String> jobArgs, String... deployArgs) throws Exception {
        List<String> command = new ArrayList<>(List.of("--master", "yarn", "--queue", "default"));
        command.addAll(sizes);
        command.addAll(List.of(deployArgs));
        command.addAll(jobArgs);
        Set<ApplicationId> before = cluster.applications().stream().map(ApplicationReport::getApplicationId)
                .collect(Collectors.toSet());
        Path log = WORK.resolve(name + ".log");
        return new Run(SubmitScript.start(cluster.environment(sparkConf), command, log), log, before);
    }

    private final class Run {
        final Process process;
        final Path log;
        final Set<ApplicationId> before;

        Run(Process process, Path log, Set<ApplicationId> before) {
            this.process = process;
            this.log = log;
            this.before = before;
        }

        int finish() throws Exception {
            if (!process.waitFor(8, TimeUnit.MINUTES)) {
                kill();
                throw new AssertionError("no end after 8 minutes:\n" + log());
            }
            return process.exitValue();
        }

        void kill() throws InterruptedException {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor();
        }

        String log() throws IOException {
            return Files.readString(log);
        }

        /** The YARN application this submission created. */
        ApplicationId application() throws Exception {
            Instant end = Instant.now().plus(Duration.ofMinutes(2));
            while (Instant.now().isBefore(end)) {
                List<ApplicationId> created = cluster.applications().stream().map(ApplicationReport::getApplicationId)
                        .filter(id -> !before.contains(id)).toList();
                assertTrue(created.size() <= 1, "more than one application: " + created);
                if (created.size() == 1) return created.get(0);
                Thread.sleep(500);
            }
            throw new AssertionError("no YARN application was created:\n" + log());
        }
    }

    private void assertSucceededFirstTime(Run run) throws Exception {
        ApplicationId id = run.application();
        ApplicationReport report = cluster.application(id);
        assertEquals(YarnApplicationState.FINISHED, report.getYarnApplicationState(), report.getDiagnostics());
        assertEquals(FinalApplicationStatus.SUCCEEDED, report.getFinalApplicationStatus(), report.getDiagnostics());
        assertEquals(1, cluster.attempts(id).size(), "attempts of " + id + ": " + cluster.attempts(id));
    }

    private void waitUntilFinished(ApplicationId id) throws Exception {
        Instant end = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(end)) {
            YarnApplicationState state = cluster.application(id).getYarnApplicationState();
            if (state == YarnApplicationState.FINISHED || state == YarnApplicationState.FAILED
                    || state == YarnApplicationState.KILLED) return;
            Thread.sleep(500);
        }
        throw new AssertionError(id + " still runs 2 minutes after its driver was killed");
    }

    /** The rows of state/ (one file per finished filter) and when each was written. */
    private Map<String, Long> stateRows(String out) throws IOException {
        org.apache.hadoop.fs.Path state = new org.apache.hadoop.fs.Path(hdfsOut(out) + "/state");
        Map<String, Long> rows = new HashMap<>();
        if (!cluster.hdfs().exists(state)) return rows;
        for (FileStatus file : cluster.hdfs().listStatus(state)) {
            if (file.getPath().getName().endsWith(".csv")) rows.put(file.getPath().getName(), file.getModificationTime());
        }
        return rows;
    }

    private Set<String> names(String out) throws IOException {
        return Stream.of(cluster.hdfs().listStatus(new org.apache.hadoop.fs.Path(hdfsOut(out))))
                .map(s -> s.getPath().getName()).collect(Collectors.toSet());
    }

    private Map<Integer, Float> losses(String out) throws IOException {
        String csv;
        try (InputStream in = cluster.hdfs().open(new org.apache.hadoop.fs.Path(hdfsOut(out) + "/results.csv"))) {
            csv = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return ResultsCsv.losses(csv.lines().toList());
    }
}
