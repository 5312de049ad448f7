package io.filterviz.engine.lucid;

import org.jtransforms.fft.DoubleFFT_1D;

/**
 * numpy's {@code irfft2} and {@code rfft2} for one h × w plane: a real image against its half spectrum of h × (w/2 + 1)
 * complex bins (rows: frequencies {@code fftfreq(h)}; columns: {@code rfftfreq(w)}), kept as separate real and
 * imaginary arrays, row-major. As in numpy, the inverse reads only the real part of the columns that have no partner
 * (frequency 0 and, for even w, w/2). Rows and columns go through JTransforms' 1-D transforms, which take any length.
 * Keeps its scratch buffers, so an instance serves one thread.
 */
final class RealFft2d {
    private final int height;
    private final int width;
    private final int bins;
    private final DoubleFFT_1D alongRows;    // length width, real
    private final DoubleFFT_1D alongColumns; // length height, complex
    private final double[] row;
    private final double[] column;
    private final double[] halfRe; // h × bins: rows transformed, columns not yet
    private final double[] halfIm;

    RealFft2d(int height, int width) {
        if (height < 1 || width < 1) throw new IllegalArgumentException("empty plane " + height + "x" + width);
        this.height = height;
        this.width = width;
        this.bins = width / 2 + 1;
        this.alongRows = new DoubleFFT_1D(width);
        this.alongColumns = new DoubleFFT_1D(height);
        this.row = new double[width];
        this.column = new double[2 * height];
        this.halfRe = new double[height * bins];
        this.halfIm = new double[height * bins];
    }

    int height() { return height; }

    int width() { return width; }

    /** Columns of the half spectrum: w/2 + 1. */
    int bins() { return bins; }

    /** {@code image = irfft2(re + i·im)}: the inverse with its 1/(h·w). */
    void inverse(double[] re, double[] im, double[] image) {
        for (int l = 0; l < bins; l++) {
            for (int k = 0; k < height; k++) {
                column[2 * k] = re[k * bins + l];
                column[2 * k + 1] = im[k * bins + l];
            }
            alongColumns.complexInverse(column, true);
            for (int n = 0; n < height; n++) {
                halfRe[n * bins + l] = column[2 * n];
                halfIm[n * bins + l] = column[2 * n + 1];
            }
        }
        for (int n = 0; n < height; n++) {
            pack(halfRe, halfIm, n * bins, row);
            alongRows.realInverse(row, true);
            System.arraycopy(row, 0, image, n * width, width);
        }
    }

    /** {@code re + i·im = rfft2(image)}, unnormalised. */
    void forward(double[] image, double[] re, double[] im) {
        for (int n = 0; n < height; n++) {
            System.arraycopy(image, n * width, row, 0, width);
            alongRows.realForward(row);
            unpack(row, halfRe, halfIm, n * bins);
        }
        for (int l = 0; l < bins; l++) {
            for (int n = 0; n < height; n++) {
                column[2 * n] = halfRe[n * bins + l];
                column[2 * n + 1] = halfIm[n * bins + l];
            }
            alongColumns.complexForward(column);
            for (int k = 0; k < height; k++) {
                re[k * bins + l] = column[2 * k];
                im[k * bins + l] = column[2 * k + 1];
            }
        }
    }

    /*
     * JTransforms' packed real spectrum of length w: a[0] = Re[0]; a[2k] = Re[k], a[2k+1] = Im[k] for 0 < k < last;
     * the last bin (w/2 for even w, (w−1)/2 for odd) keeps Re in slot 1 when w is even (its Im is zero), and Re in slot
     * 2·last, Im in slot 1 when w is odd. Im[0] is always zero and has no slot.
     */
    private void pack(double[] re, double[] im, int offset, double[] a) {
        int last = bins - 1;
        a[0] = re[offset];
        for (int k = 1; k < last; k++) {
            a[2 * k] = re[offset + k];
            a[2 * k + 1] = im[offset + k];
        }
        if (last > 0) {
            if (width % 2 == 0) {
                a[1] = re[offset + last];
            } else {
                a[2 * last] = re[offset + last];
                a[1] = im[offset + last];
            }
        }
    }

    private void unpack(double[] a, double[] re, double[] im, int offset) {
        int last = bins - 1;
        re[offset] = a[0];
        im[offset] = 0;
        for (int k = 1; k < last; k++) {
            re[offset + k] = a[2 * k];
            im[offset + k] = a[2 * k + 1];
        }
        if (last > 0) {
            if (width % 2 == 0) {
                re[offset + last] = a[1];
                im[offset + last] = 0;
            } else {
                re[offset + last] = a[2 * last];
                im[offset + last] = a[1];
            }
        }
    }
}
