package io.filterviz.engine.lucid;

import java.io.Serializable;

/**
 * The Lucid recipe's numbers, every one a user option under {@code --preset lucid}. {@code transforms NONE} with
 * {@code initSd 0} is the deterministic form: a flat grey start and no random draw at all.
 *
 * @param redirectedReluSteps the first steps that ask the objective for the redirected ReLU gradient
 *                            ({@link RedirectedRelu}; Lucid's global steps 0–16: 17, the default); 0 for plain
 *                            gradients throughout.
 */
public record LucidSettings(double learningRate, int steps, double initSd, double fftDecay, Transforms transforms,
                            int outputWidth, int outputHeight, int channels, long seed, int redirectedReluSteps)
        implements Serializable {
    public static final int DEFAULT_STEPS = 512;
    public static final double DEFAULT_INIT_SD = 0.01;
    public static final double DEFAULT_FFT_DECAY = 1.0;
    public static final int DEFAULT_OUTPUT_DIM = 128;
    /** Lucid's global steps 0–16 (redirected_relu_grad.py). */
    public static final int LUCID_REDIRECTED_RELU_STEPS = 17;
    /** The smallest side the standard transforms can take (pad, two jitters and a 0.9 scale leave a picture). */
    public static final int MIN_SIDE = 8;

    /** {@code --transforms}: Lucid's standard set drawn afresh each step, or none. */
    public enum Transforms { STANDARD, NONE }

    public LucidSettings {
        if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be > 0, not " + learningRate);
        if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, not " + steps);
        if (!(initSd >= 0)) throw new IllegalArgumentException("init sd must be >= 0, not " + initSd);
        if (!Double.isFinite(fftDecay)) throw new IllegalArgumentException("fft decay must be finite");
        if (outputWidth < MIN_SIDE || outputHeight < MIN_SIDE) {
            throw new IllegalArgumentException("output size must be at least " + MIN_SIDE + " px a side");
        }
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("1 or 3 channels, not " + channels);
        if (redirectedReluSteps < 0) throw new IllegalArgumentException("redirected ReLU steps must be >= 0");
    }

    /** The same numbers at another picture size (the planner settles --output-dim). */
    public LucidSettings withOutput(int width, int height) {
        return new LucidSettings(learningRate, steps, initSd, fftDecay, transforms, width, height, channels, seed,
                redirectedReluSteps);
    }

    /** The same numbers for a network of {@code inputChannels} (1: grey, 3: RGB). */
    public LucidSettings withChannels(int inputChannels) {
        return new LucidSettings(learningRate, steps, initSd, fftDecay, transforms, outputWidth, outputHeight,
                inputChannels, seed, redirectedReluSteps);
    }

    /**
     * The smallest side of the image the network sees (a network that takes any size): the picture's smaller side
     * with no transforms; with the standard transforms the least any draw leaves (the 0.90 scale), pad and jitters
     * included.
     */
    public int smallestSeenSide() {
        if (transforms == Transforms.NONE) return Math.min(outputWidth, outputHeight);
        return StandardTransforms.smallestSide(outputHeight, outputWidth);
    }

    public static LucidSettings defaults() {
        return new LucidSettings(Adam.DEFAULT_LEARNING_RATE, DEFAULT_STEPS, DEFAULT_INIT_SD, DEFAULT_FFT_DECAY,
                Transforms.STANDARD, DEFAULT_OUTPUT_DIM, DEFAULT_OUTPUT_DIM, 3, 42L, LUCID_REDIRECTED_RELU_STEPS);
    }
}
