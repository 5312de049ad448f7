package io.filterviz.model.onnx;

import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Add;
import io.filterviz.model.graph.ChannelAffine;
import io.filterviz.model.graph.Concat;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Op;
import io.filterviz.model.graph.Pool;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/** The torchvision exports of scripts/make_onnx_fixtures.py read as graphs: what each architecture becomes. */
class OnnxFixturesTest {
    private static Graph fixture(String name) {
        try {
            return OnnxLoader.load(Path.of(OnnxFixturesTest.class.getResource("/models/" + name + ".onnx").toURI()));
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("fixture " + name + ".onnx is missing (scripts/make_onnx_fixtures.py writes it)", e);
        }
    }

    private static long count(Graph g, Predicate<Op> which) {
        return g.nodes().stream().map(Node::op).filter(which).count();
    }

    @Test
    void resnet18() {
        Graph g = fixture("resnet18");
        assertEquals("resnet18", g.name());
        assertEquals(3, g.inputChannels());
        assertFalse(g.fixedSize());
        assertEquals(20, count(g, op -> op instanceof Conv));
        assertEquals(8, count(g, op -> op instanceof Add));
        assertEquals(0, count(g, op -> op instanceof ChannelAffine), "torch folded every BatchNorm into its conv");
        assertEquals(20, g.convolutionOutputs().size());
        Graph.Layer logits = g.layers().get(g.layers().size() - 1);
        assertEquals(new Graph.Layer("logits", "/fc/Gemm", "Gemm", 10, true, 32), logits);
        assertTrue(g.nonNegative("/layer4/layer4.1/relu_1/Relu_output_0"));
        assertFalse(g.nonNegative("logits"));
        assertEquals(32, g.stride("/layer4/layer4.1/relu_1/Relu_output_0"));
    }

    @Test
    void mobilenetV2() {
        Graph g = fixture("mobilenet_v2");
        assertEquals(35, count(g, op -> op.equals(new Activation(Activation.Kind.CLIP, 0, 6))));
        assertEquals(17, count(g, op -> op instanceof Conv c && c.group() > 1 && c.group() == c.inChannels()), "depthwise");
        // an inverted residual's projection has no activation: the atlas target is the raw (folded) conv output
        assertTrue(g.convolutionOutputs().stream().anyMatch(t -> g.producer(t).orElseThrow().op() instanceof Conv));
    }

    @Test
    void googlenet() {
        Graph g = fixture("googlenet");
        assertEquals(9, count(g, op -> op instanceof Concat));
        assertEquals(4, count(g, op -> op instanceof Pool p && p.ceil() && p.strideHeight() == 2));
        assertEquals(57, g.convolutionOutputs().size());
    }

    @Test
    void densenet121KeepsItsUnfoldedBatchNorms() {
        Graph g = fixture("densenet121");
        // the 62 BatchNormalization nodes torch could not fold all follow a Concat: each stays an affine
        assertEquals(62, count(g, op -> op instanceof ChannelAffine));
        assertTrue(g.producer("/features/norm5/BatchNormalization_output_0").orElseThrow().op() instanceof ChannelAffine);
        assertEquals(120, g.convolutionOutputs().size());
    }

    @Test
    void fashionMnistIsGreyAndFixedSize() {
        Graph g = fixture("fashion_mnist_cnn");
        assertEquals(1, g.inputChannels());
        assertEquals(28, g.fixedHeight());
        assertEquals(28, g.fixedWidth());
        assertEquals(28, g.smallestInput("logits"));
        assertEquals(10, g.shapes(28, 28).get("logits").channels());
    }

    @Test
    void everyFixtureListsEveryTensor() {
        for (String name : List.of("resnet18", "mobilenet_v2", "googlenet", "densenet121", "zoo", "fashion_mnist_cnn")) {
            Graph g = fixture(name);
            List<Graph.Layer> layers = g.layers();
            assertEquals(g.tensors(), layers.stream().map(Graph.Layer::tensor).toList(), name);
            assertTrue(layers.stream().allMatch(l -> l.channels() > 0 && l.stride() >= 1), name);
            assertTrue(g.smallestInput("logits") > 0, name);
        }
    }
}
