package io.filterviz.image;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GridStitcherTest {
    private static RgbImage solid(int w, int h, int value) {
        byte[] rgb = new byte[w * h * 3];
        java.util.Arrays.fill(rgb, (byte) value);
        return new RgbImage(w, h, rgb);
    }

    @Test
    void sideIsFloorOfSqrt() {
        assertEquals(0, GridStitcher.defaultSide(0));
        assertEquals(1, GridStitcher.defaultSide(3));
        assertEquals(2, GridStitcher.defaultSide(4));
        assertEquals(2, GridStitcher.defaultSide(8));
        assertEquals(22, GridStitcher.defaultSide(512));
    }

    @Test
    void geometryOrderAndMargins() {
        List<RgbImage> tiles = new ArrayList<>();
        for (int i = 1; i <= 10; i++) tiles.add(solid(7, 4, i * 10));
        RgbImage grid = GridStitcher.stitch(tiles, 3, 5);
        assertEquals(3 * 7 + 2 * 5, grid.width());   // n·w + (n−1)·margin
        assertEquals(3 * 4 + 2 * 5, grid.height());
        // row-major: tile k at row k / n, column k % n; the 10th tile is left out
        for (int k = 0; k < 9; k++) {
            int x = (k % 3) * (7 + 5), y = (k / 3) * (4 + 5);
            assertEquals((k + 1) * 10, grid.get(x, y, 0), "tile " + k);
            assertEquals((k + 1) * 10, grid.get(x + 6, y + 3, 2), "tile " + k);
        }
        assertEquals(0, grid.get(7, 0, 0));      // margin between columns is black
        assertEquals(0, grid.get(0, 4, 1));      // margin between rows is black
    }

    @Test
    void allOfBlock5Conv1MakesA9169PixelWideGrid() {
        RgbImage strip = solid(412, 1, 7); // 412 px wide tiles, one row high: the width is the claim
        List<RgbImage> tiles = java.util.Collections.nCopies(512, strip);
        RgbImage grid = GridStitcher.stitch(tiles, GridStitcher.defaultSide(tiles.size()), GridStitcher.DEFAULT_MARGIN);
        assertEquals(9169, grid.width());
        assertEquals(22 + 21 * 5, grid.height());
    }

    @Test
    void tooFewTilesIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> GridStitcher.stitch(List.of(solid(2, 2, 1)), 2, 5));
    }

    @Test
    void pngRoundTripKeepsEveryByte() {
        byte[] rgb = new byte[5 * 3 * 3];
        for (int i = 0; i < rgb.length; i++) rgb[i] = (byte) (i * 17);
        RgbImage image = new RgbImage(5, 3, rgb);
        assertEquals(image, Png.decode(Png.encode(image)));
    }
}
