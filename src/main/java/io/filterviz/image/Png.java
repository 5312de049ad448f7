package io.filterviz.image;

import javax.imageio.ImageIO;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** PNG encoding through the JDK's ImageIO (no extra dependency; files open in any viewer). */
public final class Png {
    private Png() {}

    public static byte[] encode(RgbImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            write(image, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Streams the PNG: a 9169² grid is 250 MB raw, and the driver should hold it once, not twice. */
    public static void write(RgbImage image, java.io.OutputStream out) throws IOException {
        BufferedImage buffered;
        if (image.channels() == 1) { // an 8-bit grey PNG (colour type 0)
            buffered = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_BYTE_GRAY);
            buffered.getRaster().setDataElements(0, 0, image.width(), image.height(), image.buffer());
        } else { // wrap the RGB bytes as they are (no copy)
            DataBufferByte data = new DataBufferByte(image.buffer(), image.buffer().length);
            WritableRaster raster = Raster.createInterleavedRaster(data, image.width(), image.height(),
                    image.width() * 3, 3, new int[]{0, 1, 2}, null);
            ColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                    Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
            buffered = new BufferedImage(model, raster, false, null);
        }
        if (!ImageIO.write(buffered, "png", out)) throw new IOException("no PNG writer in this JDK");
    }

    /** An 8-bit grey PNG as a grey picture (its bytes as they are), anything else as RGB. */
    public static RgbImage decode(byte[] png) {
        try {
            BufferedImage read = ImageIO.read(new ByteArrayInputStream(png));
            if (read == null) throw new IOException("not a PNG image");
            if (read.getType() == BufferedImage.TYPE_BYTE_GRAY) {
                byte[] grey = new byte[read.getWidth() * read.getHeight()];
                read.getRaster().getDataElements(0, 0, read.getWidth(), read.getHeight(), grey);
                return new RgbImage(read.getWidth(), read.getHeight(), 1, grey);
            }
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
