package io.filterviz.examples;

import io.filterviz.image.RgbImage;
import io.filterviz.model.Preprocessing;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScanImageTest {

    @Test
    void aGreyPngKeepsItsValuesAndFillsThreeChannels() {
        BufferedImage grey = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        int[] values = {0, 37, 100, 128, 200, 255};
        for (int i = 0; i < values.length; i++) grey.getRaster().setSample(i % 3, i / 3, 0, values[i]);
        ScanImage image = ScanImage.decode(TestImages.png(grey));
        assertTrue(image.grey());
        float[] one = image.toNetwork(1), three = image.toNetwork(3);
        for (int i = 0; i < values.length; i++) {
            assertEquals(values[i], one[i], 0, "grey value " + i + " as written (no gamma conversion)");
            for (int c = 0; c < 3; c++) assertEquals(values[i], three[c * 6 + i], 0);
        }
    }

    @Test
    void anRgbImageForAGreyNetworkIsItsBt601Luma() {
        BufferedImage rgb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, (255 << 16) | (10 << 8) | 20);
        rgb.setRGB(1, 0, (1 << 16) | (200 << 8) | 99);
        ScanImage image = ScanImage.decode(TestImages.png(rgb));
        float[] luma = image.toNetwork(1);
        assertEquals(0.299 * 255 + 0.587 * 10 + 0.114 * 20, luma[0], 1e-4);
        assertEquals(0.299 * 1 + 0.587 * 200 + 0.114 * 99, luma[1], 1e-4);
        assertArrayEquals(new float[]{255, 1, 10, 200, 20, 99}, image.toNetwork(3)); // channels first, RGB order
    }

    @Test
    void resizingGivesTheAskedSize() {
        ScanImage image = ScanImage.decode(TestImages.png(TestImages.random(new Random(1), 40, 30, false)));
        ScanImage small = new InputSize(16, 16).apply(image);
        assertEquals(16, small.width());
        assertEquals(16, small.height());
        assertEquals(image, InputSize.OWN.apply(image));
    }

    @Test
    void brokenAndForeignFilesAreUnreadable() {
        byte[] png = TestImages.png(TestImages.random(new Random(2), 20, 20, false));
        assertThrows(ScanImage.UnreadableImageException.class,
                () -> ScanImage.decode("not an image".getBytes(StandardCharsets.UTF_8)));
        assertThrows(ScanImage.UnreadableImageException.class, () -> ScanImage.decode(Arrays.copyOf(png, png.length / 2)));
        assertThrows(ScanImage.UnreadableImageException.class, () -> ScanImage.decode(new byte[0]));
    }

    @Test
    void theScannerSkipsAndCountsWhatItCannotUse() {
        ScanTotals totals = new ScanTotals(2);
        try (ReferenceScan scan = new ReferenceScan(Preprocessing.UNIT.prepend(SmallNetworks.cnn(3)), List.of("relu2"))) {
            ImageScanner scanner = new ImageScanner(scan, 3, InputSize.OWN);
            scanner.accept("b.txt", "hello".getBytes(StandardCharsets.UTF_8), totals);
            scanner.accept("a.png", TestImages.png(TestImages.random(new Random(3), 12, 12, true)), totals);
            scanner.accept("tiny.png", TestImages.png(TestImages.random(new Random(3), 1, 1, false)), totals);
            scanner.finish(totals);
        }
        assertEquals(1, totals.scanned());
        assertEquals(2, totals.skipped());
        assertEquals(2, totals.skipReasons().size());
        assertTrue(totals.skipReasons().get(0).startsWith("b.txt: not an image"), totals.skipReasons().toString());
        assertTrue(totals.skipReasons().get(1).startsWith("tiny.png: 1×1 px is too small"), totals.skipReasons().toString());
    }

    @Test
    void aCropIsTheBoxEnlargedByAWholeFactorToAtLeast64() {
        RgbImage image = ScanImage.decode(TestImages.png(TestImages.random(new Random(5), 28, 28, false))).pixels();
        ReceptiveField.Box box = new ReceptiveField.Box(3, 5, 12, 20); // 10 rows × 16 columns
        RgbImage crop = Crops.crop(image, box);
        assertEquals(16 * 7, crop.width());
        assertEquals(10 * 7, crop.height());
        for (int y = 0; y < crop.height(); y++) {
            for (int x = 0; x < crop.width(); x++) {
                for (int c = 0; c < 3; c++) assertEquals(image.get(5 + x / 7, 3 + y / 7, c), crop.get(x, y, c));
            }
        }
        RgbImage large = ScanImage.decode(TestImages.png(TestImages.random(new Random(5), 100, 90, false))).pixels();
        RgbImage same = Crops.crop(large, new ReceptiveField.Box(0, 0, 89, 99));
        assertEquals(large, same);
    }
}
