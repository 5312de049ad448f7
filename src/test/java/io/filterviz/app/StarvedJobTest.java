package io.filterviz.app;

import io.filterviz.cli.Main;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.master.Master;
import org.apache.spark.rpc.RpcEnv;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real Spark standalone master with no worker: the job can never start a task, and the driver says so. */
class StarvedJobTest {
    @TempDir
    Path dir;

    @Test
    void aJobNoExecutorCanTakeSaysWhyAfterTheStartTimeout() throws Exception {
        RpcEnv master = (RpcEnv) Master.startRpcEnvAndEndpoint("127.0.0.1", 0, 0,
                new SparkConf(false).set("spark.master.rest.enabled", "false"))._1();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        Path out = dir.resolve("out");
        try {
            String url = "spark://127.0.0.1:" + master.address().port();
            CompletableFuture<Integer> job = CompletableFuture.supplyAsync(() -> Main.run(new String[]{
                    "--master", url, "--start-timeout", "0.05", "--weights", "random", "--filter-range", "0:2",
                    "--out", out.toString()}, new PrintStream(new ByteArrayOutputStream()), err));
            Instant end = Instant.now().plus(Duration.ofMinutes(1));
            while (!stderr.toString(StandardCharsets.UTF_8).contains("no task has started") && Instant.now().isBefore(end)) {
                Thread.sleep(100);
            }
            // the user's Ctrl-C: stop the job's own session (an earlier test's may still be the default for a moment)
            while (Instant.now().isBefore(end)) {
                var session = SparkSession.getDefaultSession();
                if (session.isDefined() && session.get().sparkContext().master().equals(url)) {
                    session.get().stop();
                    break;
                }
                Thread.sleep(100);
            }
            assertEquals(Main.FAILED, job.get(2, TimeUnit.MINUTES));
        } finally {
            master.shutdown();
        }
        List<String> lines = stderr.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("no task has started")).toList();
        assertEquals(List.of("filterviz: no task has started 3.0 s after the job was submitted: no executor has been "
                + "allocated; each executor asks spark://127.0.0.1:" + lines.get(0).replaceAll(".*127\\.0\\.0\\.1:(\\d+).*", "$1")
                + " for spark.executor.memory 1024 MB: the cluster cannot place that (lower spark.executor.memory / "
                + "spark.executor.memoryOverhead, or use a queue or workers with more room); still waiting "
                + "(--start-timeout sets when this is said)"), lines);
        assertFalse(Files.exists(out.resolve(".filterviz-lease")), "released after a failure too");
        assertTrue(Files.exists(out.resolve("run.json")));
    }
}
