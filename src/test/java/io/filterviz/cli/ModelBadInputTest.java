package io.filterviz.cli;

import io.filterviz.testing.MainRun;
import io.filterviz.testing.TinyOnnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model the job cannot use: exit code 2, one line on stderr saying why, nothing created under --out. */
class ModelBadInputTest {
    @TempDir
    Path dir;

    private String assertBadInput(String... args) {
        Path out = dir.resolve("out");
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--out", out.toString()));
        MainRun run = MainRun.of(all, Map.of("KERAS_HOME", dir.resolve("keras").toString()));
        assertEquals(2, run.exit(), run.err());
        assertEquals(1, run.err().lines().count(), "one line: " + run.err());
        assertTrue(run.err().startsWith("filterviz: "), run.err());
        assertFalse(Files.exists(out), "nothing may be created under --out");
        return run.err();
    }

    private Path tiny() {
        return TinyOnnx.write(dir.resolve("tiny.onnx"), null);
    }

    /** A file named as a Keras model that is neither HDF5 nor ONNX is named for the format its extension claims. */
    @Test
    void anH5FileThatIsNotHdf5SaysSo() throws Exception {
        Path h5 = Files.writeString(dir.resolve("net.h5"), "not a model\n");
        assertEquals("filterviz: model file net.h5 is not an HDF5 file (a Keras .h5 model starts with the HDF5 signature)\n",
                assertBadInput("--model", h5.toString(), "--preprocess", "unit", "--list-layers"));
        Path hdf5 = Files.write(dir.resolve("net.hdf5"), Arrays.copyOf(Files.readAllBytes(tiny()), 40)); // ONNX, cut short
        assertEquals("filterviz: model file net.hdf5 is not an HDF5 file (a Keras .hdf5 model starts with the HDF5 signature)\n",
                assertBadInput("--model", hdf5.toString(), "--preprocess", "unit", "--list-layers"));
        Path keras = Files.write(dir.resolve("net.keras"), new byte[]{'P', 'K', 3, 4, 0, 0, 0, 0});
        String zip = assertBadInput("--model", keras.toString(), "--preprocess", "unit", "--list-layers");
        assertTrue(zip.startsWith("filterviz: model file net.keras is a Keras 3 .keras archive (zip), not HDF5"), zip);
        // an ONNX model named .h5 is read as ONNX, and its own faults keep their words
        Path onnx = Files.copy(tiny(), dir.resolve("onnx.h5"));
        assertEquals(0, MainRun.of(List.of("--model", onnx.toString(), "--preprocess", "unit", "--list-layers")).exit());
        Path odd = Files.copy(TinyOnnx.write(dir.resolve("odd.onnx"), "Selu"), dir.resolve("odd.h5"));
        String err = assertBadInput("--model", odd.toString(), "--preprocess", "unit", "--layer", "logits");
        assertTrue(err.contains("node 'odd' (Selu)"), err);
        // and a .onnx that is not ONNX still says so
        Path text = Files.writeString(dir.resolve("net.onnx"), "not a model\n");
        String notOnnx = assertBadInput("--model", text.toString(), "--preprocess", "unit", "--list-layers");
        assertTrue(notOnnx.startsWith("filterviz: model file net.onnx is not an ONNX model"), notOnnx);
    }

    @Test
    void anUnsupportedOperatorIsNamedWithItsNode() {
        Path odd = TinyOnnx.write(dir.resolve("odd.onnx"), "Selu");
        String err = assertBadInput("--model", odd.toString(), "--preprocess", "unit", "--layer", "logits");
        assertTrue(err.contains("node 'odd' (Selu)"), err);
    }

    @Test
    void aLayerThatDoesNotExistGetsTheNearestNames() {
        String err = assertBadInput("--model", tiny().toString(), "--preprocess", "unit", "--layer", "relu_ot");
        assertTrue(err.contains("--layer relu_ot is not a node or tensor of tiny; nearest: relu_out"), err);
        assertTrue(err.contains("--list-layers"), err);
    }

    @Test
    void aFilterRangeBeyondTheChannels() {
        String err = assertBadInput("--model", tiny().toString(), "--preprocess", "unit", "--layer", "relu",
                "--filter-range", "0:5");
        assertTrue(err.contains("--filter-range 0:5 is not a non-empty range inside relu_out's 4 filters (0:4)"), err);
        String units = assertBadInput("--model", tiny().toString(), "--preprocess", "unit", "--layer", "logits",
                "--filter-range", "2:9");
        assertTrue(units.contains("inside logits's 3 units (0:3)"), units);
    }

    @Test
    void aFileThatIsNeitherOnnxNorH5() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.onnx"), "this is not a network\n");
        String err = assertBadInput("--model", text.toString(), "--preprocess", "unit", "--layer", "logits");
        assertTrue(err.contains("is not an ONNX model"), err);
    }

    @Test
    void aTruncatedFile() throws Exception {
        byte[] whole = Files.readAllBytes(tiny());
        Path half = Files.write(dir.resolve("half.onnx"), Arrays.copyOf(whole, whole.length / 2));
        String err = assertBadInput("--model", half.toString(), "--preprocess", "unit", "--layer", "logits");
        assertTrue(err.contains("half.onnx is truncated"), err);
    }

    @Test
    void aBrokenHdf5FileAndAnUnsupportedKerasLayer() throws Exception {
        Path h5 = Files.write(dir.resolve("model.h5"), new byte[]{(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n', 0, 0});
        String broken = assertBadInput("--model", h5.toString(), "--preprocess", "unit", "--layer", "logits");
        assertTrue(broken.contains("model file model.h5 cannot be read as HDF5"), broken);
        Path unsupported = Path.of("src/test/resources/models/keras_unsupported.h5");
        String layer = assertBadInput("--model", unsupported.toString(), "--preprocess", "unit", "--layer", "conv");
        assertTrue(layer.contains("layer 'upsample' (UpSampling2D) is not supported; supported Keras layers: Activation, Add,"), layer);
    }

    @Test
    void aMissingFileAndAMissingPreprocess() {
        String missing = assertBadInput("--model", dir.resolve("none.onnx").toString(), "--preprocess", "unit");
        assertTrue(missing.contains("is not a readable file"), missing);
        String preprocess = assertBadInput("--model", tiny().toString(), "--layer", "logits");
        assertTrue(preprocess.contains("needs --preprocess"), preprocess);
        String unknown = assertBadInput("--model", tiny().toString(), "--preprocess", "imagenet", "--layer", "logits");
        assertTrue(unknown.contains("--preprocess imagenet is not one of none, unit, caffe, torch, tf"), unknown);
        String rgbOnGrey = assertBadInput("--model", tiny().toString(), "--preprocess", "torch", "--layer", "logits");
        assertTrue(rgbOnGrey.contains("needs 3 input channels"), rgbOnGrey);
    }

    @Test
    void theNd4jEngineRunsVgg16Only() {
        String err = assertBadInput("--model", tiny().toString(), "--preprocess", "unit", "--layer", "logits",
                "--engine", "nd4j");
        assertTrue(err.contains("--engine nd4j runs VGG16 only"), err);
    }

    @Test
    void weightsBelongToTheBuiltInModel() {
        String err = assertBadInput("--model", tiny().toString(), "--preprocess", "unit", "--weights", "random");
        assertTrue(err.contains("--weights random applies to the built-in models"), err);
    }

    @Test
    void listLayersPrintsEveryTensorWithChannelsStrideAndOperatorAndWritesNothing() {
        Path out = dir.resolve("out");
        MainRun run = MainRun.of(List.of("--model", tiny().toString(), "--preprocess", "unit", "--list-layers",
                "--out", out.toString()));
        assertEquals(0, run.exit(), run.err());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.get(0).startsWith("tiny: input 1×8×8 (fixed), --preprocess unit; 4 layers"), run.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\* relu_out +4 +1  Relu +relu")), run.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("  logits +3 units +1  Gemm +fc")), run.out());
        assertFalse(run.out().contains("preprocess  "), "the preprocessing node is not a layer: " + run.out());
        assertFalse(Files.exists(out));
    }
}
