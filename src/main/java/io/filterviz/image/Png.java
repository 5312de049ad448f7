package io.filterviz.image;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** PNG encoding through the JDK's ImageIO (no extra dependency; files open in any viewer). */
public final class Png {
    private Png() {}

    public static byte[] encode(RgbImage image) {
        BufferedImage buffered = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) buffered.getRaster().getDataBuffer()).getData();
        byte[] rgb = image.buffer();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(buffered, "png", bytes)) throw new IOException("no PNG writer in this JDK");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static RgbImage decode(byte[] png) {
        try {
            BufferedImage read = ImageIO.read(new ByteArrayInputStream(png));
            if (read == null) throw new IOException("not a PNG image");
            byte[] rgb = new byte[read.getWidth() * read.getHeight() * 3];
            int i = 0;
            for (int y = 0; y < read.getHeight(); y++) {
                for (int x = 0; x < read.getWidth(); x++) {
                    int argb = read.getRGB(x, y);
                    rgb[i++] = (byte) (argb >> 16);
                    rgb[i++] = (byte) (argb >> 8);
                    rgb[i++] = (byte) argb;
                }
            }
            return new RgbImage(read.getWidth(), read.getHeight(), rgb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
