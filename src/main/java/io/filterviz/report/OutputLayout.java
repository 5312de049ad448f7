package io.filterviz.report;

import io.filterviz.result.FileSafeName;
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

    /**
     * The grid: {@code <model>_<layer>_<n>x<n>.png}, names made {@link FileSafeName file-safe}; VGG16's keeps the
     * Keras example's name, {@code vgg_<layer>_<n>x<n>.png}.
     */
    public static String grid(String model, String layer, int side) {
        return String.format(Locale.ROOT, "%s%dx%d.png", gridPrefix(model, layer), side, side);
    }

    /** Whether {@code file} (a name in --out) is a grid of {@code model}'s {@code layer}, of any side. */
    public static boolean isGrid(String file, String model, String layer) {
        return file.matches(java.util.regex.Pattern.quote(gridPrefix(model, layer)) + "(\\d+)x\\1\\.png");
    }

    private static String gridPrefix(String model, String layer) {
        return (model.equals("vgg16") ? "vgg" : FileSafeName.of(model)) + "_" + FileSafeName.of(layer) + "_";
    }

    /** A layer's own gallery page when a run covers several layers. */
    public static String layerPage(String layer) {
        return FileSafeName.of(layer) + ".html";
    }
}
