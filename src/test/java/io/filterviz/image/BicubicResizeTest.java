package io.filterviz.image;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class BicubicResizeTest {
    /** The same pattern the Pillow reference below was computed on: value = (37x + 91y + 53c) mod 256. */
    private static RgbImage pattern(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) rgb[(y * w + x) * 3 + c] = (byte) ((x * 37 + y * 91 + c * 53) % 256);
            }
        }
        return new RgbImage(w, h, rgb);
    }

    private static int[] channel(RgbImage image, int c) {
        int[] out = new int[image.width() * image.height()];
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) out[y * image.width() + x] = image.get(x, y, c);
        }
        return out;
    }

    // Expected values: Pillow 9.4.0 (Debian 12 python3-pil), img.resize((9, 7), Image.BICUBIC) on the pattern,
    // and img.resize((12, 11), BICUBIC).resize((7, 5), BICUBIC) for the shrinking case.
    @Test
    void upscaleMatchesPillowExactly() {
        RgbImage up = BicubicResize.resize(pattern(5, 4), 9, 7);
        assertArrayEquals(new int[]{0, 2, 26, 46, 67, 88, 108, 132, 144, 23, 33, 57, 81, 108, 129, 149, 173, 185, 81,
                93, 117, 140, 166, 187, 207, 231, 243, 149, 167, 192, 144, 83, 96, 124, 148, 160, 174, 195, 221, 122, 0, 6,
                40, 64, 76, 67, 82, 107, 86, 57, 73, 98, 122, 134, 1, 12, 36, 66, 98, 120, 139, 163, 175}, channel(up, 0));
        assertArrayEquals(new int[]{43, 55, 79, 99, 120, 140, 162, 199, 219, 73, 89, 119, 140, 161, 187, 195, 163, 144,
                133, 148, 177, 198, 219, 255, 241, 102, 23, 214, 175, 105, 105, 136, 166, 166, 96, 57, 248, 169, 30, 14,
                52, 73, 94, 123, 138, 127, 108, 76, 83, 110, 131, 152, 182, 198, 52, 72, 109, 132, 151, 172, 192, 216,
                228}, channel(up, 1));
    }

    @Test
    void shrinkMatchesPillowExactly() {
        RgbImage down = BicubicResize.resize(BicubicResize.resize(pattern(5, 4), 12, 11), 7, 5);
        assertArrayEquals(new int[]{105, 125, 155, 181, 207, 236, 248, 175, 208, 173, 70, 81, 118, 139, 113, 142, 122,
                49, 62, 107, 137, 50, 69, 103, 140, 172, 159, 132, 120, 140, 170, 202, 241, 139, 13}, channel(down, 2));
    }

    @Test
    void sameSizeIsTheImageItselfAndFlatStaysFlat() {
        RgbImage image = pattern(6, 6);
        assertSame(image, BicubicResize.resize(image, 6, 6));
        byte[] grey = new byte[8 * 8 * 3];
        java.util.Arrays.fill(grey, (byte) 128);
        RgbImage up = BicubicResize.resize(new RgbImage(8, 8, grey), 19, 13);
        assertEquals(19, up.width());
        assertEquals(13, up.height());
        for (byte b : up.buffer()) assertEquals(128, b & 0xFF);
    }
}
