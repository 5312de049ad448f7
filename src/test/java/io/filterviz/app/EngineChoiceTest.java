package io.filterviz.app;

import io.filterviz.config.BadInputException;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.engine.Convolutions;
import io.filterviz.engine.Precision;
import io.filterviz.engine.onednn.ConvolutionChoice;
import io.filterviz.engine.onednn.OnednnBackend;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * --engine, --precision and --convolutions against what the machine offers: a refusal names the option the user
 * passed, and the backend's convolutions (what run.json records) are what it runs.
 */
class EngineChoiceTest {
    private static final Supplier<String> NO_ONEDNN = () -> "java.lang.UnsatisfiedLinkError: no jnidnnl";
    private static final Supplier<String> ONEDNN = () -> null;
    private final ByteArrayOutputStream said = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(said, true, StandardCharsets.UTF_8);

    private String refusal(String engine, Precision precision, Supplier<String> onednn, boolean bf16) {
        return assertThrows(BadInputException.class,
                () -> ComputeBackends.resolveEngine(engine, precision, onednn, () -> bf16, err)).getMessage();
    }

    @Test
    void bf16WithoutOnednnNamesPrecisionNotAnEngineTheUserDidNotPass() {
        assertEquals("--precision bf16 needs oneDNN, which does not load on this machine "
                + "(java.lang.UnsatisfiedLinkError: no jnidnnl): use --precision fp32", refusal(null, Precision.BF16, NO_ONEDNN, false));
    }

    @Test
    void bf16WithoutAvx512Bf16NamesPrecision() {
        assertEquals(OnednnBackend.NO_BF16, refusal(null, Precision.BF16, ONEDNN, false));
        assertEquals(OnednnBackend.NO_BF16, refusal("onednn", Precision.BF16, ONEDNN, false));
    }

    @Test
    void anEngineAskedForByNameIsNamed() {
        assertEquals("--engine onednn: oneDNN does not load on this machine (java.lang.UnsatisfiedLinkError: no jnidnnl)",
                refusal("onednn", Precision.FP32, NO_ONEDNN, true));
    }

    @Test
    void theDefaultFallsBackToNd4jWithOneLine() {
        assertEquals("nd4j", ComputeBackends.resolveEngine(null, Precision.FP32, NO_ONEDNN, () -> false, err));
        assertEquals("filterviz: oneDNN does not load here (java.lang.UnsatisfiedLinkError: no jnidnnl); using --engine nd4j\n",
                said.toString(StandardCharsets.UTF_8));
    }

    @Test
    void nd4jNeverAsksAboutOnednn() {
        Supplier<String> mustNotLoad = () -> { throw new AssertionError("oneDNN loaded for an nd4j job"); };
        assertEquals("nd4j", ComputeBackends.resolveEngine("nd4j", Precision.FP32, mustNotLoad, () -> false, err));
    }

    @Test
    void onednnRunsTheConvolutionsAskedFor() {
        ComputeBackend winograd = ComputeBackends.forJob("onednn", Precision.FP32, Convolutions.WINOGRAD_WHERE_FASTER);
        assertEquals(new OnednnBackend(Precision.FP32, ConvolutionChoice.MEASURED), winograd);
        assertEquals("winograd-where-faster", winograd.convolutions());
        ComputeBackend direct = ComputeBackends.forJob("onednn", Precision.FP32, Convolutions.DIRECT);
        assertEquals(new OnednnBackend(Precision.FP32, ConvolutionChoice.DIRECT), direct);
        assertEquals("direct", direct.convolutions());
    }

    @Test
    void bf16AndTheDirectOnlyEnginesAreDirectWhateverWasAsked() {
        for (Convolutions asked : Convolutions.values()) {
            ComputeBackend bf16 = ComputeBackends.forJob("onednn", Precision.BF16, asked);
            assertEquals(new OnednnBackend(Precision.BF16, ConvolutionChoice.DIRECT), bf16, asked.label());
            assertEquals("direct", bf16.convolutions(), asked.label());
            assertEquals("direct", ComputeBackends.forJob("nd4j", Precision.FP32, asked).convolutions());
            assertEquals("direct", ComputeBackends.forJob("reference", Precision.FP32, asked).convolutions());
        }
    }
}
