package io.filterviz.job;

import io.filterviz.config.BadInputException;
import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.UpscalingSchedule;
import io.filterviz.model.graph.Graph;

import java.util.List;

/**
 * The ascent's numbers (--step, --epochs, --upscaling-*, --output-dim): positive, and a start image every target
 * can see (the graph's smallest input for it, which its strides and kernels set).
 */
final class AscentChecks {
    private AscentChecks() {}

    /** --output-dim when not given: a fixed-size network's input size, else the Keras example's 412. */
    static AscentSettings withDefaultOutput(AscentSettings a, Graph graph) {
        if (a.outputWidth() != 0 || a.outputHeight() != 0) return a;
        return graph.fixedSize() ? a.withOutput(graph.fixedWidth(), graph.fixedHeight())
                : a.withOutput(AscentSettings.DEFAULT_OUTPUT_DIM, AscentSettings.DEFAULT_OUTPUT_DIM);
    }

    static void check(AscentSettings a, UpscalingSchedule schedule, Graph graph, List<TargetLayer> targets) {
        if (!(a.step() > 0) || Double.isInfinite(a.step())) throw new BadInputException("--step must be positive, got " + a.step());
        if (a.epochs() <= 0) throw new BadInputException("--epochs must be positive, got " + a.epochs());
        if (a.upscalingSteps() <= 0) {
            throw new BadInputException("--upscaling-steps must be positive, got " + a.upscalingSteps());
        }
        if (!(a.upscalingFactor() > 1) || Double.isInfinite(a.upscalingFactor())) {
            throw new BadInputException("--upscaling-factor must be greater than 1, got " + a.upscalingFactor());
        }
        if (a.outputWidth() <= 0 || a.outputHeight() <= 0) {
            throw new BadInputException("--output-dim must be positive, got " + a.outputWidth() + "x" + a.outputHeight());
        }
        if (graph.fixedSize()) return; // the ascent runs at the network's own size, which the loader checked
        for (TargetLayer target : targets) {
            int needed = graph.smallestInput(target.name());
            if (schedule.smallestSide() < needed) {
                throw new BadInputException("the start image " + schedule.start() + " (--output-dim " + a.outputWidth()
                        + "x" + a.outputHeight() + " / " + a.upscalingFactor() + "^" + a.upscalingSteps()
                        + ") is smaller than " + needed + " px, the least " + target.name() + " can see (stride "
                        + graph.stride(target.name()) + "); raise --output-dim or lower --upscaling-steps");
            }
        }
    }
}
