package io.filterviz.engine.lucid;

import java.util.List;

/**
 * The transforms drawn for one step, in order, and the way back. Intermediate images live in a {@link Workspace}
 * that outlives the step, so a step allocates nothing once the buffers have grown to the largest size drawn.
 * Arrays returned may be longer than the image they hold: only the first {@code channels × outHeight × outWidth}
 * values count.
 */
final class TransformChain {
    private final List<ImageTransform> transforms;
    private final int inHeight;
    private final int inWidth;

    TransformChain(int inHeight, int inWidth, List<ImageTransform> transforms) {
        int h = inHeight;
        int w = inWidth;
        for (ImageTransform t : transforms) {
            if (t.inHeight() != h || t.inWidth() != w) {
                throw new IllegalArgumentException(t + " does not take a " + h + "x" + w + " image");
            }
            h = t.outHeight();
            w = t.outWidth();
        }
        this.transforms = List.copyOf(transforms);
        this.inHeight = inHeight;
        this.inWidth = inWidth;
    }

    static TransformChain identity(int height, int width) {
        return new TransformChain(height, width, List.of());
    }

    List<ImageTransform> transforms() { return transforms; }

    int outHeight() { return transforms.isEmpty() ? inHeight : transforms.get(transforms.size() - 1).outHeight(); }

    int outWidth() { return transforms.isEmpty() ? inWidth : transforms.get(transforms.size() - 1).outWidth(); }

    /** The transformed image: {@code image} itself when there is nothing to do, else one of the workspace's buffers. */
    double[] apply(double[] image, int channels, Workspace workspace) {
        double[] current = image;
        for (int i = 0; i < transforms.size(); i++) {
            ImageTransform t = transforms.get(i);
            double[] out = workspace.buffer(i % 2, channels * t.outHeight() * t.outWidth());
            t.apply(current, out, channels);
            current = out;
        }
        return current;
    }

    /** d loss / d image from d loss / d transformed image, through every adjoint in reverse order. */
    double[] adjoint(double[] outGradient, int channels, Workspace workspace) {
        double[] current = outGradient;
        for (int i = transforms.size() - 1; i >= 0; i--) {
            ImageTransform t = transforms.get(i);
            double[] in = workspace.buffer(2 + i % 2, channels * t.inHeight() * t.inWidth());
            t.adjoint(current, in, channels);
            current = in;
        }
        return current;
    }

    /** Grow-only buffers: two for the way forward, two for the way back. */
    static final class Workspace {
        private final double[][] buffers = new double[4][0];

        double[] buffer(int slot, int length) {
            if (buffers[slot].length < length) buffers[slot] = new double[length];
            return buffers[slot];
        }
    }
}
