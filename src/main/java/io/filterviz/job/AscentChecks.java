package io.filterviz.job;

import io.filterviz.config.BadInputException;
import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.engine.UpscalingSchedule;
import io.filterviz.engine.lucid.LucidSettings;
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

    /**
     * The lucid preset's numbers settled and checked: the picture size (--output-dim, else a fixed-size network's
     * input size, else {@value LucidSettings#DEFAULT_OUTPUT_DIM}), at least {@value LucidSettings#MIN_SIDE} px a side
     * and, for a network of any size, enough for every target to see what the transforms leave; the network's input
     * channels; an engine that has the redirected ReLU gradient when the first steps ask for it.
     *
     * @param given   the lucid numbers as the command line gave them (their ranges checked there)
     * @param output  --output-dim as given, 0×0 when not
     */
    static LucidSettings lucid(LucidSettings given, AscentSettings output, Graph graph, List<TargetLayer> targets,
                               ComputeBackend backend, String engine) {
        int width = output.outputWidth(), height = output.outputHeight();
        if (width == 0 && height == 0) {
            width = graph.fixedSize() ? graph.fixedWidth() : LucidSettings.DEFAULT_OUTPUT_DIM;
            height = graph.fixedSize() ? graph.fixedHeight() : LucidSettings.DEFAULT_OUTPUT_DIM;
        }
        if (width < LucidSettings.MIN_SIDE || height < LucidSettings.MIN_SIDE) {
            throw new BadInputException("--output-dim " + width + "x" + height + " is below " + LucidSettings.MIN_SIDE
                    + " px a side, the least --preset lucid takes");
        }
        if (graph.inputChannels() != 1 && graph.inputChannels() != 3) {
            throw new BadInputException("--preset lucid draws grey or RGB images; the network takes "
                    + graph.inputChannels() + " input channels");
        }
        LucidSettings settled = given.withOutput(width, height).withChannels(graph.inputChannels());
        if (!graph.fixedSize()) { // a fixed-size network sees every image resized to its size
            int seen = settled.smallestSeenSide();
            for (TargetLayer target : targets) {
                int needed = graph.smallestInput(target.name());
                if (seen < needed) {
                    throw new BadInputException("--output-dim " + width + "x" + height + " leaves images of " + seen
                            + " px after the transforms, smaller than " + needed + " px, the least " + target.name()
                            + " can see (stride " + graph.stride(target.name()) + "); raise --output-dim");
                }
            }
        }
        if (settled.redirectedReluSteps() > 0 && !backend.redirectsReluGradients()) {
            throw new BadInputException("--engine " + engine + " has no redirected ReLU gradient, which --preset lucid "
                    + "uses over its first --redirected-relu-steps " + settled.redirectedReluSteps()
                    + "; use another --engine or --redirected-relu-steps 0");
        }
        return settled;
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
