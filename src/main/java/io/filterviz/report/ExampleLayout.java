package io.filterviz.report;

import io.filterviz.result.FileSafeName;

import java.util.Locale;

/** Where the example scan writes in --out (README, "Dataset examples"). */
public final class ExampleLayout {
    /** Every layer's examples, one table. */
    public static final String CSV = "examples.csv";
    /** The same table as Parquet. */
    public static final String PARQUET = "examples.parquet";
    /** The crops, one folder per layer and filter. */
    public static final String FOLDER = "examples";
    /** What was scanned with what: a rerun into --out must match it to reuse finished layers. */
    public static final String RECIPE = FOLDER + "/scan.json";

    private ExampleLayout() {}

    /** A finished layer's rows; written last, so its presence marks the layer done. */
    public static String layerTable(String layer) {
        return FOLDER + "/" + FileSafeName.of(layer) + "/examples.csv";
    }

    /** {@code examples/<layer>/<filter:04d>/<rank:02d>.png}. */
    public static String crop(String layer, int filter, int rank) {
        return String.format(Locale.ROOT, "%s/%s/%04d/%02d.png", FOLDER, FileSafeName.of(layer), filter, rank);
    }
}
