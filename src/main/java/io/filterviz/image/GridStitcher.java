package io.filterviz.image;

import java.util.List;

/** The Keras example's {@code _draw_filters}: n×n tiles, row-major, on black with a fixed margin between tiles. */
public final class GridStitcher {
    public static final int DEFAULT_MARGIN = 5;

    private GridStitcher() {}

    /** Largest n with n² ≤ count (the Keras example's floor(sqrt(count))). */
    public static int defaultSide(int count) {
        int n = (int) Math.floor(Math.sqrt(count));
        while ((long) (n + 1) * (n + 1) <= count) n++;
        while ((long) n * n > count) n--;
        return n;
    }

    /** Stitches the first n² tiles, which must all have the same size and channels (grey tiles make a grey grid). */
    public static RgbImage stitch(List<RgbImage> tiles, int n, int margin) {
        if (n <= 0 || tiles.size() < n * n) {
            throw new IllegalArgumentException("a " + n + "x" + n + " grid needs " + (n * n) + " images, got " + tiles.size());
        }
        int tileW = tiles.get(0).width();
        int tileH = tiles.get(0).height();
        int channels = tiles.get(0).channels();
        int width = n * tileW + (n - 1) * margin;
        int height = n * tileH + (n - 1) * margin;
        byte[] out = new byte[width * height * channels];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                RgbImage tile = tiles.get(i * n + j);
                if (tile.width() != tileW || tile.height() != tileH || tile.channels() != channels) {
                    throw new IllegalArgumentException("grid tiles differ in size or channels");
                }
                int top = (tileH + margin) * i;
                int left = (tileW + margin) * j;
                for (int y = 0; y < tileH; y++) {
                    System.arraycopy(tile.buffer(), y * tileW * channels, out, ((top + y) * width + left) * channels,
                            tileW * channels);
                }
            }
        }
        return new RgbImage(width, height, channels, out);
    }
}
