package io.filterviz.testing;

import java.util.Arrays;

/** Figures the tests summarise measurements with. */
public final class Stats {
    private Stats() {}

    /** The middle value; the mean of the two middle ones for an even count. */
    public static double median(double[] values) {
        if (values.length == 0) throw new IllegalArgumentException("no values");
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
