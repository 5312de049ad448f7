package io.filterviz.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The sizes the Keras example optimises at: {@code int(dim / factor^up)} for up = steps … 1, then a final resize to the
 * output size that is not optimised. Defaults: 79, 95, 114, 137, 165, 198, 238, 286, 343, then 412. A network of
 * one fixed input size has a {@link #fixed} schedule instead.
 */
public record UpscalingSchedule(List<Size> ascentSizes, Size finalSize) implements java.io.Serializable {
    public record Size(int width, int height) implements java.io.Serializable {
        @Override public String toString() { return width + "x" + height; }
    }

    public static UpscalingSchedule of(int width, int height, int steps, double factor) {
        List<Size> sizes = new ArrayList<>();
        for (int up = steps; up >= 1; up--) sizes.add(scaled(width, height, factor, up));
        return new UpscalingSchedule(List.copyOf(sizes), new Size(width, height));
    }

    private static Size scaled(int width, int height, double factor, int up) {
        double divisor = Math.pow(factor, up);
        return new Size((int) (width / divisor), (int) (height / divisor));
    }

    /**
     * A network that takes one input size only: every ascent step runs at that size ({@code steps} stages of the
     * recipe, deprocess and process between them as usual, the resize an identity), then the picture is resized to
     * the output size.
     */
    public static UpscalingSchedule fixed(int inputWidth, int inputHeight, int steps, int width, int height) {
        List<Size> sizes = new ArrayList<>();
        for (int up = steps; up >= 1; up--) sizes.add(new Size(inputWidth, inputHeight));
        return new UpscalingSchedule(List.copyOf(sizes), new Size(width, height));
    }

    public Size start() { return ascentSizes.get(0); }

    /** Where the image goes after the ascent at {@code index}: the next ascent size, or the output size. */
    public Size after(int index) {
        return index + 1 < ascentSizes.size() ? ascentSizes.get(index + 1) : finalSize;
    }

    public int smallestSide() {
        return ascentSizes.stream().mapToInt(s -> Math.min(s.width(), s.height())).min().orElse(0);
    }
}
