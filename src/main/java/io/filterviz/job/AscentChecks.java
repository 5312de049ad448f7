package io.filterviz.job;

import io.filterviz.config.BadInputException;
import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.UpscalingSchedule;
import io.filterviz.model.LayerSpec;
import io.filterviz.model.Vgg16;

/** The ascent's numbers (--step, --epochs, --upscaling-*, --output-dim): positive, and a start image the layer can see. */
final class AscentChecks {
    private AscentChecks() {}

    static void check(AscentSettings a, LayerSpec deepest) {
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
        UpscalingSchedule schedule = a.schedule();
        int needed = 1 << Vgg16.poolingsBefore(deepest.name());
        if (schedule.smallestSide() < needed) {
            throw new BadInputException("the start image " + schedule.start() + " (--output-dim " + a.outputWidth() + "x"
                    + a.outputHeight() + " / " + a.upscalingFactor() + "^" + a.upscalingSteps() + ") is smaller than "
                    + needed + " px, the least " + deepest.name() + " can see; raise --output-dim or lower --upscaling-steps");
        }
    }
}
