package io.filterviz.engine.lucid;

import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.Precision;
import io.filterviz.engine.RenderedFilter;
import io.filterviz.engine.lucid.LucidObjective.ReluGradient;
import io.filterviz.engine.lucid.LucidSettings.Transforms;
import io.filterviz.engine.onednn.OnednnBackend;
import io.filterviz.engine.reference.ReferenceObjective;
import io.filterviz.model.graph.Activation;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the redirected ReLU gradient is for: a unit dead at the start comes alive. The unit: a 1×1 convolution of the
 * RGB pixels, 0.1 R − 0.1 G + 0.05 B − 7, then a ReLU; on the deterministic form's flat grey start (127.5) its input
 * is 0.05 · 127.5 − 7 = −0.625 everywhere, so its loss and plain gradient are 0 and the plain recipe never moves.
 */
class LucidRevivesDeadUnitsTest {
    private static final int STEPS = 30;

    static Graph deadAtGrey() {
        Conv conv = Conv.simple(3, 1, 1, 0, new float[]{0.1f, -0.1f, 0.05f}, new float[]{-7f});
        return new Graph("dead-at-grey", "input", 3, 0, 0, List.of(
                new Node("conv", conv, "input", "conv"), new Node("relu", Activation.relu(), "conv", "relu")));
    }

    private static LucidSettings settings(int redirectedSteps) {
        return new LucidSettings(0.05, STEPS, 0, 1.0, Transforms.NONE, 16, 16, 3, 1, redirectedSteps);
    }

    @Test
    void lucidsDefaultIsSeventeenRedirectedSteps() {
        assertEquals(17, LucidSettings.defaults().redirectedReluSteps());
        assertEquals(17, LucidSettings.LUCID_REDIRECTED_RELU_STEPS);
    }

    @Test
    void aUnitDeadAtTheStartComesAliveWithTheRedirectedGradientOnly() {
        List<Float> plain = new ArrayList<>(), redirected = new ArrayList<>();
        RenderedFilter stillDead = render(new ReferenceObjective(deadAtGrey(), "relu"), 0, plain);
        RenderedFilter revived = render(new ReferenceObjective(deadAtGrey(), "relu"), 17, redirected);
        System.out.println("revived: losses " + redirected);

        assertTrue(plain.stream().allMatch(loss -> loss == 0f), "plain gradients never move a dead unit: " + plain);
        assertTrue(stillDead.dead());

        assertEquals(0f, redirected.get(0), "dead at the start");
        int firstAlive = 0;
        while (firstAlive < redirected.size() && redirected.get(firstAlive) == 0f) firstAlive++;
        assertTrue(firstAlive > 0 && firstAlive < 17, "alive within the redirected steps: " + redirected);
        assertFalse(revived.dead());
        assertTrue(revived.loss() > redirected.get(firstAlive), "and it keeps climbing on plain gradients: " + revived.loss());
    }

    /** The deterministic form on oneDNN agrees with the reference engine through the redirected steps and after. */
    @Test
    void oneDnnRevivesItAsTheReferenceDoes() {
        List<Float> reference = new ArrayList<>(), onednn = new ArrayList<>();
        RenderedFilter want = render(new ReferenceObjective(deadAtGrey(), "relu"), 17, reference);
        try (FilterObjective objective = new OnednnBackend(Precision.FP32).compile(deadAtGrey()).newObjective("relu", 1)) {
            RenderedFilter got = render(objective, 17, onednn);
            assertEquals(want.loss(), got.loss(), 1e-4 * want.loss());
        }
        assertEquals(reference.size(), onednn.size());
        for (int i = 0; i < reference.size(); i++) {
            assertEquals(reference.get(i), onednn.get(i), 1e-4 * Math.max(reference.get(i), 1e-2), "step " + i);
        }
    }

    /** Renders filter 0, recording the loss of every call (the last is the final image's). */
    private static RenderedFilter render(FilterObjective objective, int redirectedSteps, List<Float> losses) {
        LucidObjective lucid = LucidObjective.of(objective);
        assertTrue(lucid instanceof FilterObjective, "the engine's own redirected gradient, not LucidObjective.plain");
        LucidObjective recording = (image, width, height, filter, gradient, relu) -> {
            float loss = lucid.lossAndGradient(image, width, height, filter, gradient, relu);
            losses.add(loss);
            return loss;
        };
        return new LucidRenderer(recording, settings(redirectedSteps), "relu", true).render(0);
    }
}
