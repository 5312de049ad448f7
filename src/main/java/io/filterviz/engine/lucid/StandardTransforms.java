package io.filterviz.engine.lucid;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Lucid's {@code standard_transforms}, drawn afresh at each step: pad 12 with 0.5, jitter 8, scale by one of
 * {0.90, 0.92, …, 1.10}, rotate by one of {−10 … 10} ∪ 5×{0} degrees, jitter 4. The pixel amounts are Lucid's for
 * 128 px images, scaled by size/128 (rounded half to even as Python's round, at least 1). A jitter of d is a random
 * crop d pixels smaller on each axis, at offsets 0…d inclusive. Draw order per step: the first jitter's row and column
 * offsets, the scale, the angle, the second jitter's offsets.
 */
final class StandardTransforms {
    static final double PAD_VALUE = 0.5;
    static final double[] SCALES = new double[11];
    static final int[] ANGLES = new int[26];

    static {
        for (int i = 0; i < 11; i++) SCALES[i] = 1 + (i - 5) / 50.0; // Lucid: [1 + (i - 5) / 50. for i in range(11)]
        for (int i = 0; i <= 20; i++) ANGLES[i] = i - 10;            // list(range(-10, 11)) + 5 * [0]
    }

    private StandardTransforms() {}

    /** A Lucid pixel amount (for 128 px) at this size. */
    static int pixels(int lucidAmount, int size) {
        return Math.max(1, (int) Math.rint(lucidAmount * size / 128.0));
    }

    static TransformChain draw(RandomGenerator random, int height, int width) {
        int size = Math.max(height, width);
        List<ImageTransform> chain = new ArrayList<>(5);
        Pad pad = new Pad(height, width, pixels(12, size), PAD_VALUE);
        chain.add(pad);
        Crop first = jitter(random, pad.outHeight(), pad.outWidth(), pixels(8, size));
        chain.add(first);
        double scale = SCALES[random.nextInt(SCALES.length)];
        // Python's int(scale * side): the same double product, truncated
        BilinearResize resize = new BilinearResize(first.outHeight(), first.outWidth(),
                (int) (scale * first.outHeight()), (int) (scale * first.outWidth()));
        chain.add(resize);
        Rotation rotation = new Rotation(resize.outHeight(), resize.outWidth(), ANGLES[random.nextInt(ANGLES.length)]);
        chain.add(rotation);
        chain.add(jitter(random, rotation.outHeight(), rotation.outWidth(), pixels(4, size)));
        return new TransformChain(height, width, chain);
    }

    /** The smallest side any draw at this size leaves: pad, the first jitter, the smallest scale, the second jitter. */
    static int smallestSide(int height, int width) {
        int size = Math.max(height, width);
        int pad = pixels(12, size), first = pixels(8, size), second = pixels(4, size);
        int h = (int) (SCALES[0] * (height + 2 * pad - first)) - second;
        int w = (int) (SCALES[0] * (width + 2 * pad - first)) - second;
        return Math.min(h, w);
    }

    private static Crop jitter(RandomGenerator random, int height, int width, int amount) {
        int top = random.nextInt(amount + 1);
        int left = random.nextInt(amount + 1);
        return new Crop(height, width, top, left, height - amount, width - amount);
    }
}
