package io.filterviz.image;

import java.io.Serializable;
import java.util.Arrays;

/**
 * An 8-bit picture, rows top to bottom, pixels interleaved (numpy's H×W×C uint8 layout): RGB (3 channels, R,G,B),
 * or grey (1 channel) for networks that take grey images.
 */
public final class RgbImage implements Serializable {
    private static final long serialVersionUID = 2L;

    private final int width;
    private final int height;
    private final int channels;
    private final byte[] pixels;

    /** An RGB picture. */
    public RgbImage(int width, int height, byte[] rgb) {
        this(width, height, 3, rgb);
    }

    public RgbImage(int width, int height, int channels, byte[] pixels) {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("a picture is grey (1) or RGB (3), not " + channels + " channels");
        if (width <= 0 || height <= 0 || pixels.length != (long) width * height * channels) {
            throw new IllegalArgumentException(channels + "-channel buffer of " + pixels.length + " bytes does not fit " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.channels = channels;
        this.pixels = pixels;
    }

    public int width() { return width; }

    public int height() { return height; }

    /** 3 for RGB, 1 for grey. */
    public int channels() { return channels; }

    /** Channel value 0..255 at (x, y). */
    public int get(int x, int y, int channel) {
        return pixels[(y * width + x) * channels + channel] & 0xFF;
    }

    /** The backing buffer, shared: callers that mutate it own the image. */
    public byte[] buffer() { return pixels; }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other && width == other.width && height == other.height
                && channels == other.channels && Arrays.equals(pixels, other.pixels);
    }

    @Override
    public int hashCode() { return 31 * (31 * (31 * width + height) + channels) + Arrays.hashCode(pixels); }
}
