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

    /** The largest absolute value. */
    public static double maxAbs(float[] values) {
        double max = 0;
        for (float v : values) max = Math.max(max, Math.abs(v));
        return max;
    }

    /** The largest absolute difference, element by element. */
    public static double maxAbsDifference(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException(a.length + " against " + b.length + " values");
        double max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        return max;
    }
}
