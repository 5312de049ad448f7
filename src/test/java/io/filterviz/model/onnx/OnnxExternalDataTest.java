package io.filterviz.model.onnx;

import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Dense;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.ModelException;
import io.filterviz.model.graph.Node;
import io.filterviz.testing.BigOnnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * ONNX external data (a model's weights in files beside it), and the loader's ways of reading less than the whole
 * model: the nodes up to a target, or the structure without weights.
 */
class OnnxExternalDataTest {
    private static final int UNITS = 10;

    @TempDir
    Path dir;

    @Test
    void externalDataReadsAsTheSameModelEmbedded() throws Exception {
        Path embedded = BigOnnx.write(Files.createDirectories(dir.resolve("one")).resolve("big.onnx"), UNITS, false);
        Path external = BigOnnx.write(Files.createDirectories(dir.resolve("two")).resolve("big.onnx"), UNITS, true);
        assertTrue(Files.size(external) < 1000, "the weights are not in the model file: " + Files.size(external));
        assertEquals(List.of(external.resolveSibling("weights").resolve("big.onnx.data")), OnnxLoader.externalDataFiles(external));
        Graph a = OnnxLoader.load(embedded), b = OnnxLoader.load(external);
        assertSameNetwork(a, b);
        Conv conv = (Conv) b.producer(BigOnnx.CONV).orElseThrow().op();
        for (int i = 0; i < conv.weights().length; i++) assertEquals(BigOnnx.value(1, i), conv.weights()[i]);
        Dense dense = (Dense) b.producer(BigOnnx.LOGITS).orElseThrow().op();
        assertEquals(UNITS * BigOnnx.FLAT, dense.weights().length);
        for (int i = 0; i < dense.weights().length; i += 97) assertEquals(BigOnnx.value(3, i), dense.weights()[i]);
        assertEquals(BigOnnx.value(4, UNITS - 1), dense.bias()[UNITS - 1]);
    }

    @Test
    void aShippedCopyFindsItsDataBesideIt() throws Exception {
        // Spark's addFile puts every file in one folder, without the weights/ folder the location names
        Path original = BigOnnx.write(Files.createDirectories(dir.resolve("src")).resolve("big.onnx"), UNITS, true);
        Path shipped = Files.createDirectories(dir.resolve("shipped"));
        Files.copy(original, shipped.resolve("big.onnx"));
        for (Path data : OnnxLoader.externalDataFiles(original)) Files.copy(data, shipped.resolve(data.getFileName()));
        assertSameNetwork(OnnxLoader.load(original), OnnxLoader.load(shipped.resolve("big.onnx")));
    }

    @Test
    void aMissingOrShortDataFileIsOneLine() throws Exception {
        Path model = BigOnnx.write(dir.resolve("big.onnx"), UNITS, true);
        Path data = dir.resolve("weights").resolve("big.onnx.data");
        Files.write(data, new byte[100]); // shorter than the tensors it should hold
        ModelException shortData = assertThrows(ModelException.class, () -> OnnxLoader.structure(model));
        assertTrue(shortData.getMessage().startsWith("model file big.onnx: initializer "), shortData.getMessage());
        assertTrue(shortData.getMessage().contains("of weights/big.onnx.data, which holds 100 (truncated"), shortData.getMessage());
        Files.delete(data);
        for (ModelException e : List.of(assertThrows(ModelException.class, () -> OnnxLoader.structure(model)),
                assertThrows(ModelException.class, () -> OnnxLoader.load(model)),
                assertThrows(ModelException.class, () -> OnnxLoader.externalDataFiles(model)))) {
            assertEquals("model file big.onnx: initializer w keeps its data in weights/big.onnx.data, which is missing (looked in "
                    + dir.toAbsolutePath() + ")", e.getMessage());
        }
        ModelException bytes = assertThrows(ModelException.class,
                () -> OnnxLoader.load("big.onnx", Files.readAllBytes(model)));
        assertTrue(bytes.getMessage().contains("keeps its data in an external file"), bytes.getMessage());
    }

    @Test
    void targetsReadOnlyTheNodesTheyNeed() {
        Path model = BigOnnx.write(dir.resolve("big.onnx"), UNITS, false);
        Graph whole = OnnxLoader.load(model);
        Graph upToRelu = OnnxLoader.load(model, List.of(BigOnnx.RELU));
        assertEquals(List.of(BigOnnx.CONV, BigOnnx.RELU), upToRelu.tensors());
        assertSameNetwork(whole.upTo(BigOnnx.RELU), upToRelu);
        assertEquals(whole.tensors(), OnnxLoader.load(model, List.of()).tensors());
        long dense = 4L * UNITS * BigOnnx.FLAT;
        long conv = 4L * (8 * 27 + 8);
        assertEquals(conv + 4 * 8 * 27, OnnxLoader.heapToLoad(model, List.of(BigOnnx.RELU)));
        assertEquals(conv + dense + 4 * UNITS + dense, OnnxLoader.heapToLoad(model, List.of(BigOnnx.LOGITS)));
    }

    @Test
    void theStructureHoldsNoWeights() {
        Path model = BigOnnx.write(dir.resolve("big.onnx"), UNITS, true);
        Graph structure = OnnxLoader.structure(model), whole = OnnxLoader.load(model);
        assertEquals(whole.tensors(), structure.tensors());
        assertEquals(whole.shapes(16, 16), structure.shapes(16, 16));
        assertFalse(((Conv) structure.producer(BigOnnx.CONV).orElseThrow().op()).hasWeights());
        assertFalse(((Dense) structure.producer(BigOnnx.LOGITS).orElseThrow().op()).hasWeights());
        assertTrue(((Dense) whole.producer(BigOnnx.LOGITS).orElseThrow().op()).hasWeights());
    }

    private static void assertSameNetwork(Graph expected, Graph actual) {
        assertEquals(expected.tensors(), actual.tensors());
        assertEquals(expected.input(), actual.input());
        for (int i = 0; i < expected.nodes().size(); i++) {
            Node e = expected.nodes().get(i), a = actual.nodes().get(i);
            assertEquals(e.name(), a.name());
            assertEquals(e.inputs(), a.inputs());
            if (e.op() instanceof Conv c) {
                Conv d = (Conv) a.op();
                assertArrayEquals(c.weights(), d.weights());
                assertArrayEquals(c.bias(), d.bias());
            } else if (e.op() instanceof Dense c) {
                Dense d = (Dense) a.op();
                assertArrayEquals(c.weights(), d.weights());
                assertArrayEquals(c.bias(), d.bias());
            } else {
                assertEquals(e.op(), a.op());
            }
        }
    }
}
