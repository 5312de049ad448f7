package io.filterviz.examples;

import io.filterviz.image.RgbImage;

/** The part of an image a filter saw, cut out and enlarged for the gallery. */
public final class Crops {
    /** The smallest side of a saved crop, in pixels. */
    public static final int MIN_SIDE = 64;

    private Crops() {}

    /** The pixels inside {@code box} (clipped to the image), enlarged by a whole factor to at least {@link #MIN_SIDE}. */
    public static RgbImage crop(RgbImage image, ReceptiveField.Box box) {
        int top = Math.max(0, box.top()), left = Math.max(0, box.left());
        int bottom = Math.min(image.height() - 1, box.bottom()), right = Math.min(image.width() - 1, box.right());
        int w = right - left + 1, h = bottom - top + 1;
        // nearest neighbour by a whole factor: a 28-px digit stays sharp instead of being smeared
        int factor = Math.max(1, (MIN_SIDE + Math.min(w, h) - 1) / Math.min(w, h));
        byte[] src = image.buffer();
        byte[] dst = new byte[w * factor * h * factor * 3];
        int outWidth = w * factor;
        for (int y = 0; y < h * factor; y++) {
            int sy = top + y / factor;
            for (int x = 0; x < outWidth; x++) {
                int s = (sy * image.width() + left + x / factor) * 3, d = (y * outWidth + x) * 3;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        }
        return new RgbImage(outWidth, h * factor, dst);
    }
}
