package io.filterviz.examples;

import io.filterviz.image.BicubicResize;
import io.filterviz.image.RgbImage;

import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;

/**
 * A collection's image as the scan feeds it to the network: decoded (any format ImageIO reads), resized where asked,
 * and turned into the network's channels in pixel units 0–255. Grey images keep their grey values (read from the
 * raster: {@link BufferedImage#getRGB} would pass them through a linear-to-sRGB conversion).
 *
 * @param grey whether the file holds one channel (then R = G = B in {@code pixels})
 */
public record ScanImage(RgbImage pixels, boolean grey) {
    /** ITU-R BT.601 luma weights: an RGB image for a grey network. */
    public static final double[] LUMA = {0.299, 0.587, 0.114};

    /** A file that is not an image ImageIO can read, or a broken one. */
    public static final class UnreadableImageException extends RuntimeException {
        public UnreadableImageException(String message) { super(message); }
    }

    public int width() { return pixels.width(); }

    public int height() { return pixels.height(); }

    public static ScanImage decode(byte[] bytes) {
        BufferedImage image;
        try {
            // in memory: ImageIO.read(InputStream) would cache every file's bytes in a temporary file first
            image = ImageIO.read(new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes)));
        } catch (Exception | LinkageError e) { // a corrupt file can throw anything from inside a reader
            throw new UnreadableImageException("a broken image (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse("")) + ")");
        }
        if (image == null) throw new UnreadableImageException("not an image ImageIO can read");
        int w = image.getWidth(), h = image.getHeight();
        byte[] rgb = new byte[w * h * 3];
        boolean grey = image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        if (grey) {
            Raster raster = image.getRaster();
            int shift = Math.max(0, image.getColorModel().getComponentSize(0) - 8);
            for (int y = 0, i = 0; y < h; y++) {
                for (int x = 0; x < w; x++, i += 3) {
                    byte v = (byte) (raster.getSample(x, y, 0) >> shift);
                    rgb[i] = v;
                    rgb[i + 1] = v;
                    rgb[i + 2] = v;
                }
            }
        } else {
            for (int y = 0, i = 0; y < h; y++) {
                for (int x = 0; x < w; x++, i += 3) {
                    int argb = image.getRGB(x, y);
                    rgb[i] = (byte) (argb >> 16);
                    rgb[i + 1] = (byte) (argb >> 8);
                    rgb[i + 2] = (byte) argb;
                }
            }
        }
        return new ScanImage(new RgbImage(w, h, rgb), grey);
    }

    /** Resized to {@code width × height} (bicubic, as Pillow does it); itself when already that size. */
    public ScanImage resized(int width, int height) {
        if (width == width() && height == height()) return this;
        return new ScanImage(BicubicResize.resize(pixels, width, height), grey);
    }

    /**
     * The network's input in pixel units, C × H × W: a grey image repeated on 3 channels for an RGB network, an RGB
     * image as ITU-R 601 luma for a grey one.
     */
    public float[] toNetwork(int channels) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("networks of 1 or 3 input channels only, this one takes " + channels);
        }
        int plane = width() * height();
        byte[] rgb = pixels.buffer();
        float[] out = new float[channels * plane];
        for (int p = 0; p < plane; p++) {
            int r = rgb[3 * p] & 0xFF, g = rgb[3 * p + 1] & 0xFF, b = rgb[3 * p + 2] & 0xFF;
            if (channels == 3) {
                out[p] = r;
                out[plane + p] = g;
                out[2 * plane + p] = b;
            } else {
                out[p] = grey ? r : (float) (LUMA[0] * r + LUMA[1] * g + LUMA[2] * b);
            }
        }
        return out;
    }
}
