package io.filterviz.config;

import java.io.Serializable;

/** Filters {@code from} (inclusive) to {@code to} (exclusive); {@code to} null means "to the last filter". */
public record FilterRange(int from, Integer to) implements Serializable {
    public static final FilterRange ALL = new FilterRange(0, null);

    /** "LO:HI", "LO:" or ":HI", as the Keras example's {@code filter_range=(lo, hi)}. */
    public static FilterRange parse(String text) {
        String t = text.trim();
        int colon = t.indexOf(':');
        if (colon < 0 || t.indexOf(':', colon + 1) >= 0) {
            throw new BadInputException("--filter-range '" + text + "' is not LO:HI, LO: or :HI (HI exclusive)");
        }
        try {
            int from = colon == 0 ? 0 : Integer.parseInt(t.substring(0, colon).trim());
            String hi = t.substring(colon + 1).trim();
            return new FilterRange(from, hi.isEmpty() ? null : Integer.valueOf(hi));
        } catch (NumberFormatException e) {
            throw new BadInputException("--filter-range '" + text + "' is not LO:HI, LO: or :HI with whole numbers");
        }
    }

    public int end(int filters) { return to == null ? filters : to; }

    @Override
    public String toString() { return from + ":" + (to == null ? "" : to); }
}
