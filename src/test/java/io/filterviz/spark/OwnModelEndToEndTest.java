package io.filterviz.spark;

import io.filterviz.image.Png;
import io.filterviz.image.RgbImage;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.onnx.OnnxLoader;
import io.filterviz.testing.BigOnnx;
import io.filterviz.testing.ClassPictures;
import io.filterviz.testing.MainRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole job in local[2] on networks that are not VGG16, from the ONNX fixtures (scripts/make_onnx_fixtures.py,
 * scripts/train_fashion_mnist.py): a trained grey Fashion-MNIST CNN of one fixed size, and ResNet-18 at reduced
 * width with free input size.
 */
class OwnModelEndToEndTest {
    private static final Path MODELS = Path.of("src/test/resources/models");

    @TempDir
    Path dir;

    private static MainRun run(List<String> args) {
        MainRun run = MainRun.of(args);
        assertEquals(0, run.exit(), run.err());
        return run;
    }

    /**
     * A model with external data renders as the same model in one file, bit for bit: the driver ships the data file
     * beside the model (SparkContext.addFile, which keeps no folders; the model names weights/...) and the task
     * finds it beside its shipped copy.
     */
    @Test
    void externalDataRendersAsTheEmbeddedModel() throws Exception {
        Path embedded = BigOnnx.write(Files.createDirectories(dir.resolve("one")).resolve("net.onnx"), 10, false);
        Path external = BigOnnx.write(Files.createDirectories(dir.resolve("two")).resolve("net.onnx"), 10, true);
        List<byte[]> pictures = new java.util.ArrayList<>();
        for (Path model : List.of(embedded, external)) {
            Path out = model.resolveSibling("out");
            run(List.of("--model", model.toString(), "--preprocess", "unit", "--layer", BigOnnx.LOGITS, "--filter-range",
                    "0:2", "--output-dim", "16", "--upscaling-steps", "1", "--epochs", "3", "--master", "local[1]",
                    "--out", out.toString()));
            pictures.add(Files.readAllBytes(out.resolve("filters").resolve("logits_0001.png")));
        }
        assertTrue(java.util.Arrays.equals(pictures.get(0), pictures.get(1)), "the two renders differ");
    }

    /**
     * The trained network's class pictures at the defaults (the Keras recipe at its one size, 28×28): each is a grey
     * 28×28 PNG, and the network itself, run in double precision on the written picture, puts at least 9 of the 10
     * into their own class.
     */
    @Test
    void fashionMnistClassPicturesAreClassifiedAsTheirOwnClass() throws Exception {
        Path model = MODELS.resolve("fashion_mnist_cnn.onnx");
        Path out = dir.resolve("fashion");
        MainRun run = run(List.of("--model", model.toString(), "--preprocess", "unit", "--layer", "logits",
                "--master", "local[2]", "--out", out.toString()));
        assertTrue(run.out().contains("10 filters processed: 10 live, 0 dead"), run.out());

        List<Integer> predicted = ClassPictures.predicted(model, out);
        long own = ClassPictures.ownClass(predicted);
        assertTrue(own >= 9, "classes of the 10 class pictures: " + predicted);

        assertTrue(Files.isRegularFile(out.resolve("fashion_mnist_cnn_logits_3x3.png")));
        assertEquals(1, Png.decode(Files.readAllBytes(out.resolve("fashion_mnist_cnn_logits_3x3.png"))).channels());
        String runJson = Files.readString(out.resolve("run.json"));
        assertTrue(runJson.contains("\"model\" : \"" + model + ", md5 "), runJson);
        assertTrue(runJson.contains("\"preprocess\" : \"unit\""), runJson);
        assertTrue(runJson.contains("\"outputWidth\" : 28"), runJson);
        assertTrue(Files.readString(out.resolve("index.html")).contains("fashion_mnist_cnn <code>logits</code>"));
    }

    /**
     * The same trained network as a whole Keras model (.h5, Sequential, channels last; scripts/make_keras_fixtures.py
     * copied the ONNX file's weights into it): its dense layer's 10 units at the defaults, grey 28×28 pictures that
     * the ONNX network, run in double precision, puts into their own class (at least 9 of 10).
     */
    @Test
    void aWholeKerasModelRunsThroughTheJob() throws Exception {
        Path model = MODELS.resolve("keras_fashion_mnist.h5");
        Path out = dir.resolve("keras");
        MainRun run = run(List.of("--model", model.toString(), "--preprocess", "unit", "--layer", "logits",
                "--master", "local[2]", "--out", out.toString()));
        assertTrue(run.out().contains("10 filters processed: 10 live, 0 dead"), run.out());
        List<Integer> predicted = ClassPictures.predicted(MODELS.resolve("fashion_mnist_cnn.onnx"), out);
        assertTrue(ClassPictures.ownClass(predicted) >= 9,
                "classes of the 10 class pictures: " + predicted);
        assertTrue(Files.isRegularFile(out.resolve("keras_fashion_mnist_logits_3x3.png")));
        String runJson = Files.readString(out.resolve("run.json"));
        assertTrue(runJson.contains("\"model\" : \"" + model + ", md5 "), runJson);
    }

    /** The atlas of ResNet-18: every convolution's output, one picture each, names made file-safe. */
    @Test
    void resnet18AtlasCoversEveryConvolution() throws Exception {
        Path model = MODELS.resolve("resnet18.onnx");
        Path out = dir.resolve("resnet");
        run(List.of("--model", model.toString(), "--preprocess", "torch", "--layer", "all", "--filter-range", "0:1",
                "--output-dim", "48", "--upscaling-steps", "2", "--epochs", "2", "--master", "local[2]",
                "--out", out.toString()));
        List<String> targets = Preprocessing.TORCH.prepend(OnnxLoader.load(model)).convolutionOutputs();
        assertEquals(20, targets.size(), targets.toString()); // 17 convolutions of ResNet-18's body plus 3 downsamples
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(targets.size() + 1, csv.size(), csv.toString());
        for (String target : targets) {
            String safe = io.filterviz.result.FileSafeName.of(target);
            assertTrue(csv.stream().anyMatch(l -> l.startsWith(target + ",0,")), target);
            Path picture = out.resolve("filters").resolve(safe + "_0000.png");
            if (Files.exists(picture)) {
                RgbImage image = Png.decode(Files.readAllBytes(picture));
                assertEquals(3, image.channels());
                assertEquals(48, image.width());
            }
            assertTrue(Files.isRegularFile(out.resolve(safe + ".html")), safe);
        }
        assertTrue(Files.readString(out.resolve("index.html")).contains("What the filters of resnet18 respond to"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "mobilenet_v2", "googlenet", "densenet121", "fashion_mnist_cnn"})
    void listLayersShowsEveryVisualisableTensor(String name) {
        Path model = MODELS.resolve(name + ".onnx");
        MainRun run = run(List.of("--model", model.toString(), "--preprocess", "unit", "--list-layers"));
        Graph graph = OnnxLoader.load(model);
        List<String> rows = run.out().lines().skip(2).toList();
        assertEquals(graph.nodes().size(), rows.size(), run.out());
        long starred = rows.stream().filter(r -> r.startsWith("*")).count();
        assertEquals(graph.convolutionOutputs().size(), starred, run.out());
        assertTrue(run.out().startsWith(name + ": input " + graph.inputChannels() + "×"), run.out());
    }
}
