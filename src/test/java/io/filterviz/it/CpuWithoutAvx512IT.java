package io.filterviz.it;

import io.filterviz.engine.onednn.OnednnBackend;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default engine on a CPU without AVX-512, as oneDNN sees one when {@code DNNL_MAX_CPU_ISA=AVX2} caps it:
 * oneDNN has no Winograd there (its only one needs AVX-512), so the default fp32 job must run on direct
 * convolutions instead of failing (each results row names the AVX2 kernels; run.json records the choice), and bf16 (AVX512_BF16) is refused in one line
 * with exit 2.
 */
class CpuWithoutAvx512IT {
    private static final Path PROJECT = Path.of(System.getProperty("user.dir"));
    private static final Path WORK = PROJECT.resolve("target/avx2-it");
    private static final Map<String, String> AVX2 = Map.of("DNNL_MAX_CPU_ISA", "AVX2");

    private static SubmitScript.Result submit(String... args) throws Exception {
        return submit(AVX2, args);
    }

    private static SubmitScript.Result submit(Map<String, String> env, String... args) throws Exception {
        return SubmitScript.run(env, List.of(args), SubmitScript.newLog(WORK), Duration.ofMinutes(3));
    }

    @Test
    void theDefaultFp32JobRunsOnDirectConvolutions() throws Exception {
        Path out = WORK.resolve("fp32");
        SubmitScript.Result result = submit("--weights", "random", "--filter-range", "0:2", "--output-dim", "64",
                "--upscaling-steps", "2", "--epochs", "2", "--master", "local[1]", "--overwrite", "--out", out.toString());
        assertEquals(0, result.exit(), result.output());
        String runJson = Files.readString(out.resolve("run.json"));
        assertTrue(runJson.contains("\"engine\" : \"onednn\""), "the job ran on oneDNN, not the nd4j fallback: " + runJson);
        assertTrue(runJson.contains("\"convolutions\" : \"winograd-where-faster\""),
                "run.json records the choice, not the driver's CPU: " + runJson);
        List<String> rows = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(3, rows.size(), "a header and 2 filters: " + rows);
        assertRanOnAvx2(rows);
    }

    /** Each row names the kernels that ran: AVX2's, no Winograd. */
    private static void assertRanOnAvx2(List<String> rows) {
        for (String row : rows.subList(1, rows.size())) {
            String kernels = row.split(",")[4];
            assertTrue(kernels.startsWith("avx2 ") && !kernels.contains("wino"), "each row says what ran: " + row);
        }
    }

    @Test
    void bf16IsRefusedInOneLine() throws Exception {
        SubmitScript.Result result = submit("--weights", "random", "--filter-range", "0:1", "--precision", "bf16",
                "--master", "local[1]", "--out", WORK.resolve("bf16").toString());
        assertEquals(2, result.exit(), result.output());
        List<String> lines = result.output().lines().filter(l -> !l.isBlank()).toList();
        assertEquals("filterviz: " + OnednnBackend.NO_BF16, lines.get(lines.size() - 1), result.output());
    }

    /**
     * The driver's CPU has AVX-512 and AVX512_BF16, its executors' do not (DNNL_MAX_CPU_ISA through
     * spark.executorEnv): fp32 runs there on direct convolutions, and a bf16 task fails with the driver's own line,
     * not a native error.
     */
    @Test
    void executorsOnACpuWithoutAvx512CheckForThemselves() throws Exception {
        try (SparkStandaloneCluster cluster = new SparkStandaloneCluster(PROJECT.resolve("target/spark-home"),
                WORK.resolve("cluster"), 1)) {
            String[] common = {"--weights", "random", "--filter-range", "0:2", "--output-dim", "64", "--upscaling-steps",
                    "2", "--epochs", "2", "--master", cluster.masterUrl(), "--overwrite",
                    "--conf", "spark.executorEnv.DNNL_MAX_CPU_ISA=AVX2"};
            Path fp32 = WORK.resolve("executors-fp32");
            SubmitScript.Result ran = submit(cluster.environment(), concat(common, "--out", fp32.toString()));
            assertEquals(0, ran.exit(), ran.output());
            assertEquals(3, Files.readAllLines(fp32.resolve("results.csv")).size(), ran.output());
            assertRanOnAvx2(Files.readAllLines(fp32.resolve("results.csv"))); // the executors' CPU, not the driver's

            SubmitScript.Result refused = submit(cluster.environment(),
                    concat(common, "--precision", "bf16", "--out", WORK.resolve("executors-bf16").toString()));
            assertEquals(1, refused.exit(), refused.output());
            List<String> said = refused.output().lines().filter(l -> l.startsWith("filterviz: failed")).toList();
            assertEquals(List.of("filterviz: failed: " + OnednnBackend.NO_BF16), said, refused.output());
        }
    }

    private static String[] concat(String[] first, String... more) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }
}
