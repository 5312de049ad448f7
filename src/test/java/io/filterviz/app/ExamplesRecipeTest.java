package io.filterviz.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterviz.engine.Convolutions;
import io.filterviz.config.ExamplesConfig;
import io.filterviz.examples.InputSize;
import io.filterviz.examples.ScanSpec;
import io.filterviz.model.Preprocessing;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** examples.json, what a rerun must match to reuse finished layers: written by Jackson, compared as JSON. */
class ExamplesRecipeTest {
    private static ExamplesConfig config(String images) {
        return new ExamplesConfig(images, "net.onnx", "torch", List.of("all"), 9, null, "out", null, null, false, false,
                "onednn", Convolutions.DIRECT, 1);
    }

    private static ScanSpec spec(int top) {
        return new ScanSpec("net \"v2\".onnx", "ab12", Preprocessing.parse("torch"), List.of("t"), new InputSize(28, 28),
                top, 1, "onednn", Convolutions.DIRECT, 1);
    }

    @Test
    void aFolderWrittenBeforeTheRecipeWasJacksonsStillMatches() throws Exception {
        // the form the scan wrote with String.format before: one line, quotes escaped by hand
        String earlier = "{\"model\": \"net \\\"v2\\\".onnx\", \"model_sha256\": \"ab12\", \"preprocess\": \"torch\", "
                + "\"images\": \"C:\\\\data\\\\fmnist\", \"top\": 9, \"input_size\": \"28×28 px\"}\n";
        assertEquals(new ObjectMapper().readTree(earlier), ExamplesJob.recipe(config("C:\\data\\fmnist"), spec(9)));
    }

    @Test
    void anotherTopOrImageFolderIsAnotherScan() {
        assertNotEquals(ExamplesJob.recipe(config("imgs"), spec(9)), ExamplesJob.recipe(config("imgs"), spec(5)));
        assertNotEquals(ExamplesJob.recipe(config("imgs"), spec(9)), ExamplesJob.recipe(config("other"), spec(9)));
    }
}
