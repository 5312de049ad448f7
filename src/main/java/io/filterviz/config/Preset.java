package io.filterviz.config;

import java.util.Arrays;
import java.util.Locale;

/**
 * {@code --preset}: which recipe draws the pictures. {@code keras}, the default, is the Keras example bit for bit;
 * {@code lucid} is the "Feature Visualization" recipe (Olah et al., Distill 2017: Fourier parameterisation,
 * transforms, Adam; docs/lucid.md).
 */
public enum Preset {
    KERAS, LUCID;

    public String label() { return name().toLowerCase(Locale.ROOT); }

    /** {@code keras|lucid}; a one-line {@link BadInputException} otherwise. */
    public static Preset parse(String text) {
        for (Preset p : values()) if (p.label().equals(text)) return p;
        throw new BadInputException("--preset " + text + " is not one of "
                + String.join(", ", Arrays.stream(values()).map(Preset::label).toList()));
    }
}
