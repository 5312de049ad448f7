package io.filterviz.image;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Grey networks (one input channel) go through the same picture steps as RGB ones. The oracle: a grey picture is
 * an RGB picture whose three channels are equal, so each step on the grey picture must give channel 0 of that step
 * on the RGB copy.
 */
class GreyPictureTest {
    private static byte[] noise(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static RgbImage asRgb(RgbImage grey) {
        byte[] rgb = new byte[grey.buffer().length * 3];
        for (int i = 0; i < grey.buffer().length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey.buffer()[i];
        return new RgbImage(grey.width(), grey.height(), rgb);
    }

    private static byte[] channel0(RgbImage rgb) {
        byte[] out = new byte[rgb.width() * rgb.height()];
        for (int i = 0; i < out.length; i++) out[i] = rgb.buffer()[3 * i];
        return out;
    }

    @Test
    void aGreyPictureIsWrittenAsAnEightBitGreyPng() {
        RgbImage grey = new RgbImage(7, 5, 1, noise(35, 1));
        byte[] png = Png.encode(grey);
        // IHDR: bytes 24 (bit depth) and 25 (colour type: 0 = greyscale)
        assertEquals(8, png[24]);
        assertEquals(0, png[25]);
        assertEquals(grey, Png.decode(png));
    }

    @Test
    void anRgbPictureStaysAnRgbPng() {
        RgbImage rgb = new RgbImage(4, 3, noise(36, 2));
        byte[] png = Png.encode(rgb);
        assertEquals(2, png[25]); // colour type 2: truecolour
        assertEquals(rgb, Png.decode(png));
    }

    @Test
    void resizingGreyIsResizingEachChannelOfRgb() {
        RgbImage grey = new RgbImage(9, 11, 1, noise(99, 3));
        for (int[] size : List.of(new int[]{19, 13}, new int[]{4, 5}, new int[]{9, 23})) {
            RgbImage g = BicubicResize.resize(grey, size[0], size[1]);
            RgbImage c = BicubicResize.resize(asRgb(grey), size[0], size[1]);
            assertEquals(1, g.channels());
            assertArrayEquals(channel0(c), g.buffer());
        }
    }

    @Test
    void deprocessAndProcessOfGreyMatchTheRgbCopy() {
        int w = 6, h = 4, plane = w * h;
        double[] grey = new double[plane];
        SplittableRandom random = new SplittableRandom(4);
        for (int i = 0; i < plane; i++) grey[i] = random.nextDouble() * 50 + 100;
        double[] rgb = new double[3 * plane];
        for (int c = 0; c < 3; c++) System.arraycopy(grey, 0, rgb, c * plane, plane);

        Deprocess.Deprocessed g = Deprocess.deprocess(grey, w, h);
        Deprocess.Deprocessed c = Deprocess.deprocess(rgb, w, h);
        assertEquals(1, g.image().channels());
        assertArrayEquals(channel0(c.image()), g.image().buffer());
        assertEquals(c.formerMean(), g.formerMean(), 1e-12);
        assertEquals(c.formerStd(), g.formerStd(), 1e-12);
        double[] back = Deprocess.process(g.image(), g.formerMean(), g.formerStd());
        double[] backRgb = Deprocess.process(c.image(), c.formerMean(), c.formerStd());
        assertEquals(plane, back.length);
        for (int i = 0; i < plane; i++) assertEquals(backRgb[i], back[i], 1e-12); // the means sum 3× as many terms
    }

    @Test
    void aGridOfGreyTilesIsGrey() {
        List<RgbImage> tiles = List.of(new RgbImage(2, 2, 1, noise(4, 5)), new RgbImage(2, 2, 1, noise(4, 6)),
                new RgbImage(2, 2, 1, noise(4, 7)), new RgbImage(2, 2, 1, noise(4, 8)));
        RgbImage grid = GridStitcher.stitch(tiles, 2, 1);
        assertEquals(1, grid.channels());
        assertEquals(5, grid.width());
        assertEquals(tiles.get(3).get(1, 1, 0), grid.get(4, 4, 0));
        assertEquals(tiles.get(1).get(0, 1, 0), grid.get(3, 1, 0));
        assertEquals(0, grid.get(2, 0, 0)); // the margin is black
    }
}
