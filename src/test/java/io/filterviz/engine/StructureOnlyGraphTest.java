package io.filterviz.engine;

import io.filterviz.engine.onednn.OnednnBackend;
import io.filterviz.engine.reference.ReferenceBackend;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.onnx.OnnxLoader;
import io.filterviz.testing.BigOnnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The driver's weightless structure of a model never runs: every engine refuses it instead of computing zeros. */
class StructureOnlyGraphTest {
    @TempDir
    Path dir;

    @Test
    void enginesRefuseAGraphReadWithoutWeights() {
        Path file = BigOnnx.write(dir.resolve("net.onnx"), 10, false);
        Graph structure = OnnxLoader.structure(file);
        assertTrue(structure.structureOnly());
        assertFalse(OnnxLoader.load(file).structureOnly());
        assertThrows(IllegalArgumentException.class, () -> new ReferenceBackend().compile(structure));
        assertThrows(IllegalArgumentException.class, () -> new OnednnBackend(Precision.FP32).compile(structure));
    }
}
