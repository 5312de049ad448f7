package io.filterviz.examples;

import java.io.Serializable;

/**
 * The size images enter the network at: their own (width = height = 0), or one size for all ({@code --image-size N},
 * or a fixed-size network's only size).
 */
public record InputSize(int width, int height) implements Serializable {
    public static final InputSize OWN = new InputSize(0, 0);

    public boolean own() { return width == 0; }

    public ScanImage apply(ScanImage image) {
        return own() ? image : image.resized(width, height);
    }

    @Override
    public String toString() { return own() ? "each image's own size" : width + "×" + height + " px"; }
}
