package io.filterviz.image;

import java.io.Serializable;
import java.util.Arrays;

/** An 8-bit RGB picture, rows top to bottom, pixels interleaved R,G,B (numpy's H×W×3 uint8 layout). */
public final class RgbImage implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int width;
    private final int height;
    private final byte[] rgb;

    public RgbImage(int width, int height, byte[] rgb) {
        if (width <= 0 || height <= 0 || rgb.length != width * height * 3) {
            throw new IllegalArgumentException("RGB buffer of " + rgb.length + " bytes does not fit " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    public int width() { return width; }

    public int height() { return height; }

    /** Channel value 0..255 at (x, y). */
    public int get(int x, int y, int channel) {
        return rgb[(y * width + x) * 3 + channel] & 0xFF;
    }

    /** The backing buffer, shared: callers that mutate it own the image. */
    public byte[] buffer() { return rgb; }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other && width == other.width && height == other.height
                && Arrays.equals(rgb, other.rgb);
    }

    @Override
    public int hashCode() { return 31 * (31 * width + height) + Arrays.hashCode(rgb); }
}
