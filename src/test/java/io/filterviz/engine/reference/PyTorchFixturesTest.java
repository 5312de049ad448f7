package io.filterviz.engine.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.onnx.OnnxLoader;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The ONNX fixtures (real torchvision architectures at reduced width, and a zoo of the other operators) loaded by
 * our loader, with the JSON's preprocessing as a graph node, run by the reference engine on the JSON's image and
 * compared with what PyTorch computed in float64 from the same modules (scripts/make_onnx_fixtures.py).
 * <p>
 * The file is not exactly the module: torch.onnx.export folds BatchNormalization into the convolutions' float32
 * weights, which moves mobilenet_v2's deep losses by 2e−6 (the JSON records the file-vs-module difference that
 * PyTorch measured, {@code onnx_graph_check}). Our error against the file is what the tolerance bounds, so the
 * allowance is 1e−6 (loss) and 1e−5 (gradient) plus that recorded difference.
 * <p>
 * The loss is a mean, and where its terms cancel (a residual stream's channel: terms near 0.4, their mean 0.006) an
 * error of float32's size in each term, such as the preprocessing folded into the first layer's float weights,
 * is large against the mean. So the loss's allowance is relative to the larger of the mean and the mean of the
 * terms' magnitudes: the scale at which the terms were computed.
 */
class PyTorchFixturesTest {
    private static final double LOSS_TOLERANCE = 1e-6;
    private static final double GRADIENT_TOLERANCE = 1e-5;

    @TestFactory
    Stream<DynamicTest> referenceEngineAgreesWithPyTorch() throws IOException, URISyntaxException {
        Path folder = Path.of(PyTorchFixturesTest.class.getResource("/models").toURI());
        List<Path> fixtures;
        try (Stream<Path> files = Files.list(folder)) {
            fixtures = files.filter(f -> f.toString().endsWith(".json") && Files.exists(onnxBeside(f))).sorted().toList();
        }
        assertFalse(fixtures.isEmpty(), "no ONNX fixture with a reference JSON in " + folder);
        List<DynamicTest> tests = new ArrayList<>();
        for (Path json : fixtures) {
            JsonNode doc = new ObjectMapper().readTree(json.toFile());
            for (JsonNode c : doc.get("cases")) {
                String title = doc.get("onnx").asText() + " " + c.get("tensor").asText() + "[" + c.get("channel").asInt() + "]";
                tests.add(DynamicTest.dynamicTest(title, () -> check(json.getParent(), doc, c)));
            }
        }
        return tests.stream();
    }

    private static Path onnxBeside(Path json) {
        String name = json.getFileName().toString();
        return json.resolveSibling(name.substring(0, name.length() - ".json".length()) + ".onnx");
    }

    private static void check(Path folder, JsonNode doc, JsonNode c) throws IOException {
        Graph graph = Preprocessing.parse(doc.get("preprocess").asText()).prepend(OnnxLoader.load(folder.resolve(doc.get("onnx").asText())));
        JsonNode img = doc.get("image");
        int channels = img.get("channels").asInt(), height = img.get("height").asInt(), width = img.get("width").asInt();
        double[] image = formulaImage(channels, height, width);
        float[] written = floats(folder.resolve(img.get("file").asText()));
        for (int i = 0; i < image.length; i++) assertEquals(written[i], image[i], 0.0, "the image formula at " + i);

        ReferenceGraph.Result result = new ReferenceGraph(graph)
                .lossAndGradient(c.get("tensor").asText(), c.get("channel").asInt(), image, height, width);

        double expectedLoss = c.get("loss").asDouble();
        double scale = Math.max(Math.abs(expectedLoss), meanMagnitude(graph, c.get("tensor").asText(), c.get("channel").asInt(), image, height, width));
        double lossError = Math.abs(result.loss() - expectedLoss) / scale;
        float[] expected = floats(folder.resolve(c.get("gradient").asText()));
        assertEquals(expected.length, result.gradient().length);
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.length; i++) {
            diff += (result.gradient()[i] - expected[i]) * (result.gradient()[i] - expected[i]);
            norm += (double) expected[i] * expected[i];
        }
        double gradientError = Math.sqrt(diff / norm);
        System.out.printf("fixture %s %s[%d]: loss %.9g vs PyTorch %.9g (error/scale %.2e, scale %.3g; file vs module %.1e), gradient rel L2 %.2e%n",
                doc.get("onnx").asText(), c.get("tensor").asText(), c.get("channel").asInt(), result.loss(), expectedLoss,
                lossError, scale, c.get("onnx_graph_check").get("loss_rel_diff").asDouble(), gradientError);
        JsonNode fileVsModule = c.get("onnx_graph_check");
        double lossAllowance = LOSS_TOLERANCE + fileVsModule.get("loss_rel_diff").asDouble();
        double gradientAllowance = GRADIENT_TOLERANCE + fileVsModule.get("gradient_rel_l2_diff").asDouble();
        assertTrue(lossError < lossAllowance, "loss " + result.loss() + " vs PyTorch " + expectedLoss + ": error/scale " + lossError + " > " + lossAllowance);
        assertTrue(gradientError < gradientAllowance, "gradient relative L2 error " + gradientError + " > " + gradientAllowance);
    }

    /** The mean of |x| over the terms of the unit's mean (the unit's entries of the target tensor). */
    static double meanMagnitude(Graph graph, String tensor, int unit, double[] image, int height, int width) {
        double[] values = new ReferenceGraph(graph.upTo(tensor)).forward(image, height, width).get(tensor);
        io.filterviz.model.graph.Shape shape = graph.upTo(tensor).shapes(height, width).get(tensor);
        double sum = 0;
        long count = 0;
        for (int i = 0; i < values.length; i++) {
            if (shape.unitOf(i) != unit) continue;
            sum += Math.abs(values[i]);
            count++;
        }
        return sum / count;
    }

    /** The JSON's formula, 128 + 40·sin(0.1·(x+1)·(c+1))·cos(0.07·(y+2)), in double, rounded to float as stored. */
    static double[] formulaImage(int channels, int height, int width) {
        double[] image = new double[channels * height * width];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double v = 128 + 40 * Math.sin(0.1 * (x + 1) * (c + 1)) * Math.cos(0.07 * (y + 2));
                    image[(c * height + y) * width + x] = (float) v;
                }
            }
        }
        return image;
    }

    private static float[] floats(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[bytes.remaining() / 4];
        bytes.asFloatBuffer().get(values);
        return values;
    }
}
