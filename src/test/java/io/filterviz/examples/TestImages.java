package io.filterviz.examples;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Generated PNGs for the scan's tests: blobs and stripes of random colours, some files twice under other names. */
final class TestImages {
    private TestImages() {}

    static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static BufferedImage random(Random random, int width, int height, boolean grey) {
        BufferedImage image = new BufferedImage(width, height, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        double fx = random.nextDouble() * 0.8, fy = random.nextDouble() * 0.8;
        int cx = random.nextInt(width), cy = random.nextInt(height);
        int[] colour = {random.nextInt(256), random.nextInt(256), random.nextInt(256)};
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double blob = Math.exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / 18.0);
                double wave = 0.5 + 0.5 * Math.sin(fx * x + fy * y);
                int[] c = new int[3];
                for (int k = 0; k < 3; k++) c[k] = (int) Math.min(255, colour[k] * blob + 120 * wave + random.nextInt(20));
                if (grey) image.getRaster().setSample(x, y, 0, c[0]);
                else image.setRGB(x, y, (c[0] << 16) | (c[1] << 8) | c[2]);
            }
        }
        return image;
    }

    /** {@code count} RGB images of {@code width × height}, named img_NNN.png; every fifth one also as dup_NNN.png. */
    static Map<String, byte[]> collection(long seed, int count, int width, int height) {
        Random random = new Random(seed);
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            byte[] bytes = png(random(random, width, height, false));
            files.put(String.format("file:/images/img_%03d.png", i), bytes);
            if (i % 5 == 0) files.put(String.format("file:/images/dup_%03d.png", i), bytes);
        }
        return files;
    }
}
