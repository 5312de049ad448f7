package io.filterviz.engine;

import java.io.Serializable;

/** The Keras example's numbers, every one a user option. Defaults reproduce {@code visualize_layer(vgg, 'block5_conv1')}. */
public record AscentSettings(double step, int epochs, int upscalingSteps, double upscalingFactor,
                             int outputWidth, int outputHeight, long seed) implements Serializable {
    public static final double DEFAULT_STEP = 1.0;
    public static final int DEFAULT_EPOCHS = 15;
    public static final int DEFAULT_UPSCALING_STEPS = 9;
    public static final double DEFAULT_UPSCALING_FACTOR = 1.2;
    public static final int DEFAULT_OUTPUT_DIM = 412;
    public static final long DEFAULT_SEED = 42L;

    public static AscentSettings defaults() {
        return new AscentSettings(DEFAULT_STEP, DEFAULT_EPOCHS, DEFAULT_UPSCALING_STEPS, DEFAULT_UPSCALING_FACTOR,
                DEFAULT_OUTPUT_DIM, DEFAULT_OUTPUT_DIM, DEFAULT_SEED);
    }

    /** The schedule of a network that takes any input size. */
    public UpscalingSchedule schedule() {
        return UpscalingSchedule.of(outputWidth, outputHeight, upscalingSteps, upscalingFactor);
    }

    /**
     * The schedule for a network whose input is {@code fixedWidth × fixedHeight} (0 × 0: any size): at that size
     * only when it is fixed, else {@link #schedule()}.
     */
    public UpscalingSchedule schedule(int fixedWidth, int fixedHeight) {
        if (fixedWidth <= 0) return schedule();
        return UpscalingSchedule.fixed(fixedWidth, fixedHeight, upscalingSteps, outputWidth, outputHeight);
    }

    /** The same settings with another picture size (a fixed-size network's default). */
    public AscentSettings withOutput(int width, int height) {
        return new AscentSettings(step, epochs, upscalingSteps, upscalingFactor, width, height, seed);
    }
}
