package io.filterviz.model.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterviz.engine.reference.ReferenceGraph;
import io.filterviz.model.graph.ModelException;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.ChannelAffine;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.onnx.OnnxLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Whole Keras models (.h5, written by scripts/make_keras_fixtures.py) read through DL4J's Keras import into our graph,
 * run by the reference engine, against independent values: PyTorch's for the same weights (fashion_mnist_cnn.json for
 * the trained CNN, whose .h5 holds the ONNX file's weights in Keras' layouts; keras_zoo.json for the functional zoo),
 * and the ONNX file's graph at every layer.
 */
class KerasModelLoaderTest {
    private static final Path MODELS = Path.of("src/test/resources/models");
    /** The Keras layers of keras_fashion_mnist.h5 and the ONNX tensors of fashion_mnist_cnn.onnx they equal. */
    private static final Map<String, String> FASHION_LAYERS = Map.of("conv1", "/relu1/Relu_output_0",
            "conv2", "/conv2/Conv_output_0", "relu2", "/relu2/Relu_output_0", "pool1", "/pool1/MaxPool_output_0",
            "relu3", "/relu3/Relu_output_0", "pool2", "/pool2/MaxPool_output_0", "logits", "logits");

    @TempDir
    Path dir;

    @Test
    void theTrainedSequentialModelMatchesPyTorch() throws IOException {
        Graph graph = Preprocessing.UNIT.prepend(KerasModelLoader.load(MODELS.resolve("keras_fashion_mnist.h5")));
        assertEquals(1, graph.inputChannels());
        assertEquals(28, graph.fixedHeight());
        assertEquals(28, graph.fixedWidth());
        JsonNode doc = new ObjectMapper().readTree(MODELS.resolve("fashion_mnist_cnn.json").toFile());
        Map<String, String> kerasName = Map.of("/relu2/Relu_output_0", "relu2", "/relu3/Relu_output_0", "relu3", "logits", "logits");
        for (JsonNode c : doc.get("cases")) {
            check(graph, kerasName.get(c.get("tensor").asText()), c, doc.get("image"), 1e-6, 1e-5);
        }
    }

    @Test
    void theTrainedSequentialModelEqualsItsOnnxFileAtEveryLayer() {
        Graph keras = Preprocessing.UNIT.prepend(KerasModelLoader.load(MODELS.resolve("keras_fashion_mnist.h5")));
        Graph onnx = Preprocessing.UNIT.prepend(OnnxLoader.load(MODELS.resolve("fashion_mnist_cnn.onnx")));
        double[] image = formulaImage(1, 28, 28);
        Map<String, double[]> k = new ReferenceGraph(keras).forward(image, 28, 28);
        Map<String, double[]> o = new ReferenceGraph(onnx).forward(image, 28, 28);
        for (var layer : FASHION_LAYERS.entrySet()) {
            double[] a = k.get(layer.getKey()), b = o.get(layer.getValue());
            assertNotNull(a, layer.getKey());
            assertEquals(b.length, a.length, layer.getKey());
            double diff = 0, norm = 0;
            for (int i = 0; i < a.length; i++) {
                diff += (a[i] - b[i]) * (a[i] - b[i]);
                norm += b[i] * b[i];
            }
            assertTrue(norm > 0 && Math.sqrt(diff / norm) < 1e-9, layer + ": relative L2 difference " + Math.sqrt(diff / norm));
        }
    }

    @Test
    void theFunctionalZooMatchesPyTorch() throws IOException {
        Graph graph = Preprocessing.TF.prepend(KerasModelLoader.load(MODELS.resolve("keras_zoo.h5")));
        assertFalse(graph.fixedSize());
        assertEquals(3, graph.inputChannels());
        JsonNode doc = new ObjectMapper().readTree(MODELS.resolve("keras_zoo.json").toFile());
        for (JsonNode c : doc.get("cases")) check(graph, c.get("tensor").asText(), c, doc.get("image"), 1e-6, 1e-5);
    }

    @Test
    void layersKeepTheirKerasNames() {
        Graph graph = KerasModelLoader.load(MODELS.resolve("keras_zoo.h5"));
        // a convolution with an activation inside is two nodes; the layer's name is the activation's output
        assertInstanceOf(Conv.class, graph.producer("conv_a/preactivation").orElseThrow().op());
        assertInstanceOf(Activation.class, graph.producer("conv_a").orElseThrow().op());
        assertInstanceOf(ChannelAffine.class, graph.producer("bn1").orElseThrow().op()); // not folded: a target too
        Conv depthwise = (Conv) graph.producer("dw").orElseThrow().op();
        assertEquals(8, depthwise.group());
        assertEquals(16, depthwise.outChannels());
        assertTrue(graph.resolve("dropout").isEmpty(), "Dropout writes nothing");
        // the atlas: each convolution after its batch norm and activation
        assertEquals(List.of("relu6", "act_relu", "conv_a", "branch1", "sigmoid"), graph.convolutionOutputs());
    }

    @Test
    void anUnsupportedLayerIsNamedWithItsClassAndWhatIsSupported() {
        ModelException e = assertThrows(ModelException.class,
                () -> KerasModelLoader.load(MODELS.resolve("keras_unsupported.h5")));
        assertEquals("model file keras_unsupported.h5: layer 'upsample' (UpSampling2D) is not supported; supported Keras "
                + "layers: " + String.join(", ", KerasLayers.SUPPORTED), e.getMessage());
        assertTrue(e.getMessage().contains("Conv2D, "), e.getMessage());
    }

    @Test
    void aTruncatedFileAndAFileWithoutAModelSayWhy() throws IOException {
        byte[] whole = Files.readAllBytes(MODELS.resolve("keras_zoo.h5"));
        Path half = Files.write(dir.resolve("half.h5"), Arrays.copyOf(whole, whole.length / 2));
        ModelException truncated = assertThrows(ModelException.class, () -> KerasModelLoader.load(half));
        assertTrue(truncated.getMessage().startsWith("model file half.h5 "), truncated.getMessage());
        assertFalse(truncated.getMessage().contains("\n"), truncated.getMessage());
    }

    private static void check(Graph graph, String tensor, JsonNode c, JsonNode img, double lossTolerance,
                              double gradientTolerance) throws IOException {
        int channels = img.get("channels").asInt(), height = img.get("height").asInt(), width = img.get("width").asInt();
        double[] image = formulaImage(channels, height, width);
        ReferenceGraph.Result result = new ReferenceGraph(graph).lossAndGradient(tensor, c.get("channel").asInt(), image, height, width);
        double expected = c.get("loss").asDouble();
        double lossError = Math.abs(result.loss() - expected) / Math.abs(expected);
        float[] gradient = floats(MODELS.resolve(c.get("gradient").asText()));
        assertEquals(gradient.length, result.gradient().length);
        double diff = 0, norm = 0;
        for (int i = 0; i < gradient.length; i++) {
            diff += (result.gradient()[i] - gradient[i]) * (result.gradient()[i] - gradient[i]);
            norm += (double) gradient[i] * gradient[i];
        }
        double gradientError = Math.sqrt(diff / norm);
        System.out.printf("keras %s[%d]: loss %.9g vs PyTorch %.9g (rel %.2e), gradient rel L2 %.2e%n", tensor,
                c.get("channel").asInt(), result.loss(), expected, lossError, gradientError);
        // plus an absolute 1e-7: the graph's 'tf' preprocessing holds 1/127.5 as a float, which moves x/127.5 − 1 (near 0
        // for mid-grey pixels) by up to 4e-8, and a small channel mean (conv_s2's, 0.007) feels it relatively
        assertTrue(Math.abs(result.loss() - expected) < lossTolerance * Math.abs(expected) + 1e-7,
                tensor + ": loss " + result.loss() + " vs PyTorch " + expected);
        assertTrue(gradientError < gradientTolerance, tensor + ": gradient relative L2 error " + gradientError);
    }

    private static double[] formulaImage(int channels, int height, int width) {
        double[] image = new double[channels * height * width];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    image[(c * height + y) * width + x] = (float) (128 + 40 * Math.sin(0.1 * (x + 1) * (c + 1)) * Math.cos(0.07 * (y + 2)));
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
