package io.filterviz.job;

import io.filterviz.config.BadInputException;
import io.filterviz.config.FilterRange;
import io.filterviz.config.JobConfig;
import io.filterviz.config.Preset;
import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.Convolutions;
import io.filterviz.engine.CompiledModel;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.engine.Precision;
import io.filterviz.engine.lucid.LucidSettings;
import io.filterviz.model.graph.Graph;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The planner under --preset lucid: the settled numbers, and an engine without the redirected ReLU gradient. */
class LucidPlanTest {
    @TempDir
    Path dir;

    /** A backend whose objectives have no redirected ReLU gradient (all three engines have one). */
    private static final class PlainBackend implements ComputeBackend {
        @Override
        public CompiledModel compile(Graph graph) { throw new UnsupportedOperationException(); }
    }

    private static final class RedirectingBackend implements ComputeBackend {
        @Override
        public CompiledModel compile(Graph graph) { throw new UnsupportedOperationException(); }

        @Override
        public boolean redirectsReluGradients() { return true; }
    }

    private JobConfig config(int redirectedSteps, int outputDim) {
        LucidSettings lucid = new LucidSettings(0.05, 8, 0.01, 1.0, LucidSettings.Transforms.STANDARD, 128, 128, 3, 42,
                redirectedSteps);
        AscentSettings ascent = AscentSettings.defaults().withOutput(outputDim, outputDim);
        return new JobConfig(List.of("block1_conv1"), FilterRange.parse("0:2"), ascent, "vgg16", null, false, "random",
                dir.resolve("cache"), null, dir.resolve("out").toString(), null, null, null, false, false, 5, "plain",
                Precision.FP32, Convolutions.WINOGRAD_WHERE_FASTER, Preset.LUCID, lucid);
    }

    private JobPlanner planner() {
        return new JobPlanner(new PrintStream(new ByteArrayOutputStream()), dir.resolve("keras"), new Configuration());
    }

    @Test
    void anEngineWithoutTheRedirectedGradientIsRefusedUnlessNoStepAsksForIt() {
        BadInputException e = assertThrows(BadInputException.class, () -> planner().plan(config(17, 0), new PlainBackend()));
        assertEquals("--engine plain has no redirected ReLU gradient, which --preset lucid uses over its first "
                + "--redirected-relu-steps 17; use another --engine or --redirected-relu-steps 0", e.getMessage());
        assertFalse(Files.exists(dir.resolve("out")));
        JobPlan plan = planner().plan(config(0, 0), new PlainBackend());
        assertEquals(0, plan.lucid().redirectedReluSteps());
    }

    @Test
    void theSettledNumbers() {
        JobPlan plan = planner().plan(config(17, 0), new RedirectingBackend());
        assertEquals(128, plan.lucid().outputWidth(), "lucid's default size");
        assertEquals(3, plan.lucid().channels());
        assertEquals("caffe", plan.model().preprocess().label(), "VGG16 under lucid: what it was trained on");
        assertEquals("lucid", plan.record().recipe().toJson().get("preset").asText());
        JobPlan at40 = planner().plan(config(17, 40), new RedirectingBackend());
        assertEquals(40, at40.lucid().outputHeight());
        assertEquals(List.of(new io.filterviz.engine.UpscalingSchedule.Size(40, 40)), at40.schedule().ascentSizes());
        assertNull(planner().plan(new JobConfig(List.of("block1_conv1"), FilterRange.parse("0:2"),
                AscentSettings.defaults().withOutput(0, 0), "vgg16", null, false, "random", dir.resolve("cache"), null,
                dir.resolve("out2").toString(), null, null, null, false, false, 5, "plain", Precision.FP32, Convolutions.WINOGRAD_WHERE_FASTER, Preset.KERAS,
                null), new PlainBackend()).lucid());
    }
}
