package io.filterviz.engine;

import io.filterviz.image.RgbImage;

/** What the ascent made of one filter: its last loss, the time it took and, if it is alive, its picture. */
public record RenderedFilter(int filter, float loss, double seconds, boolean dead, RgbImage image) {
    public static RenderedFilter dead(int filter, float loss, double seconds) {
        return new RenderedFilter(filter, loss, seconds, true, null);
    }
}
