package io.filterviz.engine.lucid;

import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.Precision;
import io.filterviz.engine.RenderedFilter;
import io.filterviz.engine.lucid.LucidSettings.Transforms;
import io.filterviz.engine.onednn.OnednnBackend;
import io.filterviz.engine.reference.ReferenceObjective;
import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deterministic form (--transforms none --init-sd 0) with Lucid's redirected ReLU over its default first 17 steps,
 * against PyTorch: src/test/python/lucid_deterministic_reference.py ("ReLU network") writes the same loop with
 * autograd, torch.optim.Adam and the redirected rule as its own autograd Function, in float64, on a two-layer ReLU
 * network that is dead everywhere at the flat grey start. Its printed losses, each step's then the final image's,
 * are held here for the reference engine (double inside) and oneDNN (fp32); with 0 redirected steps both sides stay
 * at 0 for ever.
 */
class LucidRedirectedReluPyTorchTest {
    private static final int STEPS = 30;

    /** The script's printout: 17 redirected steps. */
    private static final double[] TORCH_17 = {0.0, 0.0, 0.003916642282206692, 0.01123647750746954,
            0.017836631203160456, 0.023419726517795995, 0.03035154939760145, 0.041542651027797514, 0.06566995409888136,
            0.1037299171541682, 0.1535961211499936, 0.2117875261529636, 0.27802400942740996, 0.3494301548587282,
            0.4241595134039119, 0.503777691449148, 0.5857528126867679, 0.6695786031647172, 0.7544172440941349,
            0.8395432290309939, 0.9244723023137602, 1.008509861467158, 1.0926567333262258, 1.1774221344654219,
            1.2612255716265914, 1.344567071714367, 1.4265683498917952, 1.5064527435480146, 1.5855096402681625,
            1.6627975431925854, 1.737552468739908};

    /** The script's network: conv1 1×1 3→2, ReLU, conv2 3×3 2→2 pad 1, ReLU (the target), weights as float32. */
    static Graph network() {
        Conv conv1 = Conv.simple(3, 2, 1, 0, new float[]{0.1f, -0.1f, 0.05f, 0.02f, 0.03f, -0.01f}, new float[]{-7f, -6f});
        float[] w2 = new float[2 * 2 * 3 * 3];
        for (int k = 0; k < w2.length; k++) w2[k] = (float) (0.3 * Math.sin(1.3 * k + 0.4) + 0.1);
        Conv conv2 = Conv.simple(2, 2, 3, 1, w2, new float[]{-0.5f, 0.2f});
        return new Graph("relu-network", "input", 3, 0, 0, List.of(
                new Node("conv1", conv1, "input", "conv1"), new Node("relu1", Activation.relu(), "conv1", "relu1"),
                new Node("conv2", conv2, "relu1", "conv2"), new Node("relu2", Activation.relu(), "conv2", "relu2")));
    }

    @ParameterizedTest
    @CsvSource({"reference, 17", "onednn, 17", "reference, 0", "onednn, 0"})
    void redirectedStepsAgreeWithPyTorch(String engine, int redirectedSteps) {
        List<Float> losses = new ArrayList<>();
        RenderedFilter rendered;
        try (FilterObjective objective = engine.equals("reference") ? new ReferenceObjective(network(), "relu2")
                : new OnednnBackend(Precision.FP32).compile(network()).newObjective("relu2", 1)) {
            LucidObjective lucid = LucidObjective.of(objective);
            assertTrue(lucid instanceof FilterObjective, "the engine's own redirected gradient");
            LucidObjective recording = (image, width, height, filter, gradient, relu) -> {
                float loss = lucid.lossAndGradient(image, width, height, filter, gradient, relu);
                losses.add(loss);
                return loss;
            };
            LucidSettings settings = new LucidSettings(0.05, STEPS, 0, 1.0, Transforms.NONE, 16, 16, 3, 7, redirectedSteps);
            rendered = new LucidRenderer(recording, settings, "relu2", true).render(0);
        }
        assertEquals(STEPS + 1, losses.size());
        if (redirectedSteps == 0) {
            assertTrue(losses.stream().allMatch(loss -> loss == 0f), "plain gradients never move it: " + losses);
            assertTrue(rendered.dead());
            return;
        }
        double worst = 0;
        for (int i = 0; i <= STEPS; i++) worst = Math.max(worst, Math.abs(TORCH_17[i] - losses.get(i)));
        System.out.printf("%s, %d redirected steps: largest difference from PyTorch %.2e (final loss %.4f)%n", engine,
                redirectedSteps, worst, TORCH_17[STEPS]);
        for (int i = 0; i <= STEPS; i++) {
            // float32 losses and, on oneDNN, float32 arithmetic: about 1e-6 of the loss, far below a step's change
            assertEquals(TORCH_17[i], losses.get(i), 1e-5 + 1e-4 * TORCH_17[i], "call " + i + ": " + losses);
        }
        assertFalse(rendered.dead());
        assertEquals(TORCH_17[STEPS], rendered.loss(), 1e-4 * TORCH_17[STEPS]);
    }
}
