package io.filterviz.app;

import io.filterviz.config.BadInputException;
import io.filterviz.engine.UpscalingSchedule;
import io.filterviz.engine.reference.ReferenceGraph;
import io.filterviz.model.ModelSpec;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Shape;
import io.filterviz.model.onnx.OnnxLoader;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The reference engine keeps every tensor in double precision, which a full-size ViT-B at a 1 GB heap cannot hold:
 * the driver refuses such a job in one line naming the option to raise, instead of an executor's OutOfMemoryError.
 */
class ReferenceHeapCheckTest {
    private static final String TARGET = "/layer2/layer2.1/relu_1/Relu_output_0";

    private static Path resnet() throws URISyntaxException {
        return Path.of(ReferenceHeapCheckTest.class.getResource("/models/resnet18.onnx").toURI());
    }

    @Test
    void theEstimateIsEveryTensorTwiceInDoubles() throws Exception {
        Graph graph = OnnxLoader.load(resnet());
        long values = 0;
        for (Shape s : graph.upTo(TARGET).shapes(64, 96).values()) values += s.size();
        assertEquals(16 * values, ReferenceGraph.heapBytes(graph, List.of(TARGET), 64, 96));
        UpscalingSchedule schedule = UpscalingSchedule.of(96, 96, 3, 1.2);
        assertEquals(ReferenceGraph.heapBytes(graph, List.of(TARGET), 80, 80),
                ComputeBackends.tensorHeapPerTask("reference", graph, List.of(TARGET), schedule),
                "the largest size the ascent runs at: 96 / 1.2 = 80");
        assertEquals(0, ComputeBackends.tensorHeapPerTask("onednn", graph, List.of(TARGET), schedule));
    }

    @Test
    void tensorsAnExecutorCannotHoldAreOneLineNamingTheOption() throws Exception {
        Path file = resnet();
        ModelSpec spec = new ModelSpec("resnet18", ModelSpec.Source.ONNX, file.toString(), null, 0, Preprocessing.NONE,
                List.of(TARGET));
        SparkConf cluster = new SparkConf(false).set("spark.master", "spark://nowhere:7077")
                .set("spark.executor.memory", "1g").set("spark.executor.cores", "2");
        FilterVizJob.checkModelFits(spec, cluster, 100_000_000L); // 2 × 100 MB and the weights fit in 759 MB (1 GiB less 300 MiB)
        BadInputException e = assertThrows(BadInputException.class,
                () -> FilterVizJob.checkModelFits(spec, cluster, 400_000_000L));
        assertTrue(e.getMessage().startsWith("model file resnet18.onnx ("), e.getMessage());
        assertTrue(e.getMessage().contains("the reference engine's double-precision tensors up to " + TARGET
                + " (400 MB per task, 2 at once), more than an executor's 759 MB"), e.getMessage());
        assertTrue(e.getMessage().endsWith("; raise --executor-memory"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void localModeRunsAsManyTasksAsItsMasterSays() {
        assertEquals(1, FilterVizJob.localTasks("local"));
        assertEquals(3, FilterVizJob.localTasks("local[3]"));
        assertEquals(4, FilterVizJob.localTasks("local[4,2]"));
        assertEquals(Runtime.getRuntime().availableProcessors(), FilterVizJob.localTasks("local[*]"));
    }
}
