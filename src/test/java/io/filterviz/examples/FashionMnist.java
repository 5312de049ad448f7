package io.filterviz.examples;

import io.filterviz.testing.Prerequisite;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Debian's dataset-fashion-mnist (IDX files), written as 8-bit grey PNGs for the scan's tests and measurements. */
public final class FashionMnist {
    public static final Path FOLDER = Path.of("/usr/share/datasets/fashion-mnist");
    public static final String[] CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle boot"};

    private FashionMnist() {}

    /** The first {@code count} labels of a set ("t10k" or "train"). */
    public static int[] labels(String set, int count) throws IOException {
        try (DataInputStream in = open(set + "-labels-idx1-ubyte.gz")) {
            if (in.readInt() != 2049) throw new IOException("not an IDX label file");
            int n = Math.min(count, in.readInt());
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) labels[i] = in.readUnsignedByte();
            return labels;
        }
    }

    /**
     * Writes the first {@code count} images of a set as {@code <set>_<index:05d>.png} into {@code folder} (repeating
     * the set when it has fewer) and returns how many it wrote.
     */
    public static int writePngs(String set, int count, Path folder) throws IOException {
        Files.createDirectories(folder);
        byte[][] images;
        try (DataInputStream in = open(set + "-images-idx3-ubyte.gz")) {
            if (in.readInt() != 2051) throw new IOException("not an IDX image file");
            int n = in.readInt(), rows = in.readInt(), cols = in.readInt();
            images = new byte[Math.min(n, count)][rows * cols];
            for (byte[] image : images) in.readFully(image);
        }
        for (int i = 0; i < count; i++) {
            BufferedImage png = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            png.getRaster().setDataElements(0, 0, 28, 28, images[i % images.length]);
            ImageIO.write(png, "png", folder.resolve(String.format("%s_%05d.png", set, i)).toFile());
        }
        return count;
    }

    /** The index in the set of a file {@link #writePngs} wrote (its path may be a URI). */
    public static int index(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return Integer.parseInt(name.substring(name.indexOf('_') + 1, name.indexOf('.')));
    }

    private static DataInputStream open(String name) throws IOException {
        Prerequisite.require(Files.isRegularFile(FOLDER.resolve(name)),
                "Debian's dataset-fashion-mnist (" + FOLDER.resolve(name) + ")");
        InputStream raw = Files.newInputStream(FOLDER.resolve(name));
        return new DataInputStream(new java.io.BufferedInputStream(new GZIPInputStream(raw)));
    }
}
