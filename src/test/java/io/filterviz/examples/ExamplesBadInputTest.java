package io.filterviz.examples;

import io.filterviz.testing.MainRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Input the scan cannot work with: one line on stderr, exit 2, and (checked on the driver) nothing written. */
class ExamplesBadInputTest {
    @TempDir
    Path temp;

    private MainRun run(Path images, String... more) throws Exception {
        Path model = Path.of(getClass().getResource("/models/fashion_mnist_cnn.onnx").toURI());
        List<String> args = new ArrayList<>(List.of("examples", "--images", images.toString(), "--model", model.toString(),
                "--preprocess", "unit", "--out", temp.resolve("out").toString(), "--master", "local[1]"));
        args.addAll(List.of(more));
        return MainRun.of(args);
    }

    private void assertRefused(MainRun run, String message, boolean nothingWritten) {
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains(message), run.err());
        assertEquals(1, run.err().lines().filter(l -> l.startsWith("filterviz:")).count(), run.err());
        if (nothingWritten) assertFalse(Files.exists(temp.resolve("out")), "--out was created");
    }

    private Path someImages() throws Exception {
        Path images = temp.resolve("images");
        FashionMnist.writePngs("t10k", 3, images);
        return images;
    }

    @Test
    void anEmptyOrMissingFolder() throws Exception {
        Path empty = Files.createDirectories(temp.resolve("empty"));
        Files.writeString(Files.createDirectories(empty.resolve("sub")).resolve(".hidden"), "x");
        assertRefused(run(empty), "--images " + empty + " holds no files", true);
        assertRefused(run(temp.resolve("nowhere")), "--images " + temp.resolve("nowhere") + ": no such file or folder", true);
        assertRefused(run(temp.resolve("nowhere/*.png")), "no such file or folder", true);
    }

    @Test
    void aLayerThatDoesNotExistNamesTheNearest() throws Exception {
        assertRefused(run(someImages(), "--layer", "/relu9/Relu_output_0"),
                "--layer /relu9/Relu_output_0 is not a node or tensor of the model; nearest: /relu1/Relu_output_0", true);
    }

    @Test
    void numbersOutOfRangeAndASizeTheNetworkDoesNotTake() throws Exception {
        Path images = someImages();
        assertRefused(run(images, "--top", "0"), "--top 0 must be at least 1", true);
        assertRefused(run(images, "--image-size", "32"), "--image-size 32: the model takes 28×28 px only", true);
        assertRefused(run(images, "--convolutions", "fast"),
                "--convolutions fast is not one of direct, winograd-where-faster", true);
    }

    @Test
    void aModelThatIsNotOnnx() throws Exception {
        Path images = someImages();
        Path fake = Files.writeString(temp.resolve("model.onnx"), "hello");
        List<String> args = List.of("examples", "--images", images.toString(), "--model", fake.toString(),
                "--out", temp.resolve("out").toString());
        assertRefused(MainRun.of(args), "model file model.onnx is not an ONNX model", true);
        List<String> missing = List.of("examples", "--images", images.toString(), "--model", temp.resolve("no.onnx").toString(),
                "--out", temp.resolve("out").toString());
        assertRefused(MainRun.of(missing), "--model " + temp.resolve("no.onnx") + " cannot be read", true);
    }

    @Test
    void noFileIsAnImage() throws Exception {
        Path images = Files.createDirectories(temp.resolve("texts"));
        Files.writeString(images.resolve("a.txt"), "one");
        Files.write(images.resolve("b.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0});
        assertRefused(run(images), "--images " + images + ": none of its 2 files could be scanned (file:" + images
                + "/a.txt: not an image ImageIO can read; file:" + images + "/b.png: a broken image", false);
        assertFalse(Files.exists(temp.resolve("out/examples.csv")));
    }
}
