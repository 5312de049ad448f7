package io.filterviz.report;

import io.filterviz.result.FilterId;

import java.util.Locale;

/** The names of what lands in --out, in one place (README, "Outputs"). */
public final class OutputLayout {
    public static final String INDEX = "index.html";
    public static final String CSV = "results.csv";
    public static final String PARQUET = "results";

    private OutputLayout() {}

    /** {@code filters/<layer>_<filter:04d>.png}. */
    public static String picture(FilterId id) {
        return "filters/" + id.stem() + ".png";
    }

    /** The Keras example's grid name, {@code vgg_<layer>_<n>x<n>.png}. */
    public static String grid(String layer, int side) {
        return String.format(Locale.ROOT, "vgg_%s_%dx%d.png", layer, side, side);
    }

    /** Whether {@code file} (a name in --out) is a grid of {@code layer}, of any side. */
    public static boolean isGrid(String file, String layer) {
        return file.matches(java.util.regex.Pattern.quote("vgg_" + layer + "_") + "(\\d+)x\\1\\.png");
    }

    /** A layer's own gallery page when a run covers several layers. */
    public static String layerPage(String layer) {
        return layer + ".html";
    }
}
