package io.filterviz.image;

/**
 * The Keras example's {@code deprocess_image} / {@code process_image} pair between the optimised float image
 * (channels-first, C×H×W doubles, C = 3 for RGB or 1 for grey) and an 8-bit picture of as many channels.
 *
 * <p>One quirk is kept on purpose: the Keras example's deprocess standardises its argument <em>in place</em>, so the
 * "former" image whose mean and std {@code process_image} uses is the standardised one
 * ((x − mean)/(std + 1e−7)·0.25 + 0.5, before clipping), not the raw one. After the first upscale the image
 * therefore lives around [0, 1] rather than around 128. {@link Deprocessed} carries those statistics.
 */
public final class Deprocess {
    /** Keras' {@code K.epsilon()}. */
    public static final double EPSILON = 1e-7;

    private Deprocess() {}

    /** The picture plus the mean and std of the standardised float image the Keras example's process step reads. */
    public record Deprocessed(RgbImage image, double formerMean, double formerStd) {}

    public static Deprocessed deprocess(double[] chw, int width, int height) {
        int plane = width * height;
        int channels = chw.length / plane;
        if ((channels != 1 && channels != 3) || chw.length != channels * plane) {
            throw new IllegalArgumentException("expected 3x" + height + "x" + width + " or 1x" + height + "x" + width + " values");
        }
        double mean = mean(chw);
        double std = std(chw, mean);
        double scale = 0.25 / (std + EPSILON);
        double[] standardised = new double[chw.length];
        for (int i = 0; i < chw.length; i++) standardised[i] = (chw[i] - mean) * scale + 0.5;
        byte[] pixels = new byte[chw.length];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < plane; p++) {
                double v = Math.min(1.0, Math.max(0.0, standardised[c * plane + p])) * 255.0;
                pixels[p * channels + c] = (byte) (int) v; // numpy astype('uint8') truncates
            }
        }
        double formerMean = mean(standardised);
        return new Deprocessed(new RgbImage(width, height, channels, pixels), formerMean, std(standardised, formerMean));
    }

    /** {@code (x / 255 − 0.5) · 4 · formerStd + formerMean}, back to channels-first doubles. */
    public static double[] process(RgbImage image, double formerMean, double formerStd) {
        int plane = image.width() * image.height();
        int channels = image.channels();
        double[] chw = new double[channels * plane];
        byte[] pixels = image.buffer();
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < channels; c++) {
                chw[c * plane + p] = ((pixels[p * channels + c] & 0xFF) / 255.0 - 0.5) * 4 * formerStd + formerMean;
            }
        }
        return chw;
    }

    static double mean(double[] values) {
        double sum = 0;
        for (double v : values) sum += v;
        return sum / values.length;
    }

    static double std(double[] values, double mean) {
        double sum = 0;
        for (double v : values) sum += (v - mean) * (v - mean);
        return Math.sqrt(sum / values.length);
    }
}
