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

    public UpscalingSchedule schedule() {
        return UpscalingSchedule.of(outputWidth, outputHeight, upscalingSteps, upscalingFactor);
    }
}
