package io.filterviz.engine.lucid;

/**
 * Lucid's {@code _linear_decorelate_color}: the optimised channels live in a decorrelated colour space and reach RGB
 * through the square root of ImageNet's colour correlation, {@code rgb = t · Cᵀ / max_col_norm(C)}.
 */
final class ColorDecorrelation {
    /** The square root of ImageNet's colour correlation matrix (Lucid {@code color_correlation_svd_sqrt}). */
    static final double[][] CORRELATION_SQRT = {
            {0.26, 0.09, 0.02},
            {0.27, 0.00, -0.05},
            {0.27, -0.09, 0.03}};

    /** C divided by its largest column norm (0.4619524), row-major: rgb[c] = Σ_j MATRIX[c][j] · t[j]. */
    static final double[][] MATRIX = normalised();

    private ColorDecorrelation() {}

    /** In place, for every pixel of a 3 × plane channels-first image. */
    static void toRgb(double[] chw, int plane) {
        apply(chw, plane, false);
    }

    /** The transpose: d loss / d t from d loss / d rgb, in place. */
    static void toRgbTransposed(double[] chw, int plane) {
        apply(chw, plane, true);
    }

    private static void apply(double[] chw, int plane, boolean transposed) {
        double[][] m = MATRIX;
        for (int p = 0; p < plane; p++) {
            double a = chw[p];
            double b = chw[plane + p];
            double c = chw[2 * plane + p];
            for (int row = 0; row < 3; row++) {
                double v = transposed
                        ? m[0][row] * a + m[1][row] * b + m[2][row] * c
                        : m[row][0] * a + m[row][1] * b + m[row][2] * c;
                chw[row * plane + p] = v;
            }
        }
    }

    private static double[][] normalised() {
        double maxNorm = 0;
        for (int j = 0; j < 3; j++) {
            double sum = 0;
            for (int i = 0; i < 3; i++) sum += CORRELATION_SQRT[i][j] * CORRELATION_SQRT[i][j];
            maxNorm = Math.max(maxNorm, Math.sqrt(sum));
        }
        double[][] m = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) m[i][j] = CORRELATION_SQRT[i][j] / maxNorm;
        }
        return m;
    }
}
