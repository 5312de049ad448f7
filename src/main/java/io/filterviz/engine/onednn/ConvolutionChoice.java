package io.filterviz.engine.onednn;

import java.io.Serializable;
import java.util.Set;

/**
 * Which 3×3 convolutions run as Winograd F(4×4, 3×3) instead of direct (fp32 only: oneDNN 2.5 has no bf16
 * Winograd). Winograd does 2.25× fewer multiplications but is a different rounding of the same sum, so it is held
 * to the bf16 fidelity rule and to DL4J's gradients at a stated tolerance (PrecisionFidelityTest,
 * ReferenceAgreementTest).
 *
 * <p>The default, {@link #MEASURED}, is where Winograd measured faster than direct on the AVX-512 build machine,
 * per convolution, forward and backward-data, at the Keras schedule's sizes and beyond, 1 and 2 threads
 * (docs/performance.md, "Winograd"): at least 64 input channels, an output of at least 22 px a side (below, its
 * transforms cost more than they save: 1.0–4× slower at 4–21 px), and a 4×4-tile count with a divisor from 2 to 36.
 * oneDNN blocks the tiles by a divisor of their count; when the count is the square of a prime above 36 (sides of
 * 145–148 px: 37 tiles, 161–164: 41, 169–172: 43, 209–212: 53, 329–332: 83, ...) there is none, and Winograd ran
 * 1.0–2.0× slower than direct (the default schedule meets this once: block2 at 171 px when the image is 343).
 */
public record ConvolutionChoice(Mode mode, Set<String> layers) implements Serializable {
    public enum Mode { DIRECT, MEASURED, LAYERS }

    public static final ConvolutionChoice DIRECT = new ConvolutionChoice(Mode.DIRECT, Set.of());
    public static final ConvolutionChoice MEASURED = new ConvolutionChoice(Mode.MEASURED, Set.of());

    static final int MIN_INPUT_CHANNELS = 64;
    static final int MIN_SIDE = 22;
    static final int TILE = 4;
    static final int LARGEST_TILE_BLOCK = 36;

    public ConvolutionChoice {
        layers = Set.copyOf(layers);
    }

    /** Winograd for exactly these layers at every size (the bench, and the fidelity tests' worst case). */
    public static ConvolutionChoice layers(Set<String> layers) {
        return new ConvolutionChoice(Mode.LAYERS, layers);
    }

    /** Whether the convolution of {@code layer} with an output of {@code height × width} runs as Winograd. */
    public boolean winograd(String layer, int inChannels, int height, int width) {
        return switch (mode) {
            case DIRECT -> false;
            case LAYERS -> layers.contains(layer) && inChannels >= 16; // oneDNN's Winograd needs 16-channel blocks
            case MEASURED -> inChannels >= MIN_INPUT_CHANNELS && Math.min(height, width) >= MIN_SIDE
                    && hasTileBlock(ceilDiv(height, TILE) * ceilDiv(width, TILE));
        };
    }

    /**
     * The width at which a convolution Winograd is not chosen for only because its tile count has no block (sides of
     * 145–148 px, ...) runs as Winograd after all: the narrowest with one more column of tiles, when that count has a
     * block; else {@code width} itself. The caller pads the input with columns of zeros (what the convolution's own
     * padding reads) and keeps the first {@code width} columns of the output. {@link Mode#MEASURED} only.
     */
    public int widenedWidth(int inChannels, int height, int width) {
        if (mode != Mode.MEASURED || inChannels < MIN_INPUT_CHANNELS || Math.min(height, width) < MIN_SIDE) return width;
        int tilesHigh = ceilDiv(height, TILE), tilesWide = ceilDiv(width, TILE);
        if (hasTileBlock(tilesHigh * tilesWide) || !hasTileBlock(tilesHigh * (tilesWide + 1))) return width;
        return tilesWide * TILE + 1;
    }

    private static boolean hasTileBlock(int tiles) {
        for (int d = 2; d <= LARGEST_TILE_BLOCK; d++) {
            if (tiles % d == 0) return true;
        }
        return false;
    }

    private static int ceilDiv(int a, int b) { return (a + b - 1) / b; }

    /** How run.json's recipe names it. */
    public String label() {
        return switch (mode) {
            case DIRECT -> "direct";
            case MEASURED -> "winograd-where-faster";
            case LAYERS -> "winograd:" + String.join("+", new java.util.TreeSet<>(layers));
        };
    }
}
