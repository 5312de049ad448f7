package io.filterviz.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterviz.engine.onednn.OnednnBackend;
import io.filterviz.testing.MainRun;
import io.filterviz.testing.ResultsCsv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --convolutions through the whole job: run.json records what ran, the choice changes the computation (where oneDNN
 * has Winograd), and a folder made with one choice refuses the other.
 */
class ConvolutionsEndToEndTest {
    /** block1_conv2 (64 channels at 48 px) and block2_conv1 (24 px) are where the default picks Winograd. */
    private static final List<String> LUCID = List.of("--weights", "random", "--preset", "lucid", "--layer",
            "block2_conv1", "--filter-range", "0:2", "--steps", "4", "--transforms", "none", "--init-sd", "0",
            "--output-dim", "48", "--master", "local[1]");

    @TempDir
    Path dir;

    private static MainRun run(List<String> base, Path out, String... extra) {
        return MainRun.into(out, base, extra);
    }

    private static String recorded(Path out) throws Exception {
        return new ObjectMapper().readTree(Files.readString(out.resolve("run.json"))).get("recipe").get("convolutions").asText();
    }

    @Test
    void runJsonRecordsTheChoiceAndAnotherChoiceIsRefused() throws Exception {
        Path direct = dir.resolve("direct"), byDefault = dir.resolve("default");
        MainRun first = run(LUCID, direct, "--convolutions", "direct");
        assertEquals(0, first.exit(), first.err());
        assertEquals("direct", recorded(direct));
        MainRun second = run(LUCID, byDefault);
        assertEquals(0, second.exit(), second.err());
        assertEquals("winograd-where-faster", recorded(byDefault), "run.json records the choice, whatever the CPU");
        Map<Integer, Float> directLosses = ResultsCsv.losses(direct), defaultLosses = ResultsCsv.losses(byDefault);
        // What ran is in each row's kernels: Winograd where this CPU has it (AVX-512), direct elsewhere
        boolean winograd = OnednnBackend.winogradSupported();
        assertEquals(winograd, ResultsCsv.kernels(byDefault).contains("wino"), ResultsCsv.kernels(byDefault));
        assertFalse(ResultsCsv.kernels(direct).contains("wino"), ResultsCsv.kernels(direct));
        if (winograd) {
            assertNotEquals(directLosses, defaultLosses, "Winograd rounds otherwise: the option reached the kernels");
        } else {
            assertEquals(directLosses, defaultLosses, "without Winograd both run direct");
        }

        byte[] before = Files.readAllBytes(direct.resolve("run.json"));
        MainRun refused = run(LUCID, direct, "--filter-range", "2:3");
        assertEquals(2, refused.exit(), refused.err());
        assertEquals(1, refused.err().lines().count(), refused.err());
        assertFalse(refused.err().contains("Exception"), refused.err());
        assertTrue(refused.err().startsWith("filterviz: --out "), refused.err());
        assertTrue(refused.err().contains(" holds pictures made with convolutions \"direct\", this run has "
                + "\"winograd-where-faster\": use another --out, or --overwrite"), refused.err());
        assertEquals(new String(before), Files.readString(direct.resolve("run.json")), "run.json untouched");
    }

    @Test
    void theKerasPresetTakesItToo() throws Exception {
        Path out = dir.resolve("keras");
        MainRun ran = run(List.of("--weights", "random", "--layer", "block2_conv1", "--filter-range", "0:1",
                "--output-dim", "48", "--upscaling-steps", "1", "--epochs", "2", "--master", "local[1]"), out,
                "--convolutions", "direct");
        assertEquals(0, ran.exit(), ran.err());
        assertEquals("direct", recorded(out));
    }
}
