package io.filterviz.result;

import java.io.Serializable;
import java.util.Comparator;
import java.util.Locale;

/** One unit of work and of resume: a filter of a layer. */
public record FilterId(String layer, int filter) implements Serializable {
    /** Network order is the caller's business; this orders by name, then number, for stable files and tables. */
    public static final Comparator<FilterId> BY_LAYER_THEN_FILTER =
            Comparator.comparing(FilterId::layer).thenComparingInt(FilterId::filter);

    /** {@code <layer>_<filter:04d>}, the layer's name made {@link FileSafeName file-safe}: the stem of the filter's picture and state row. */
    public String stem() {
        return String.format(Locale.ROOT, "%s_%04d", FileSafeName.of(layer), filter);
    }

    @Override
    public String toString() { return layer + " #" + filter; }
}
