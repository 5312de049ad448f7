package io.filterviz.engine;

import java.util.Arrays;
import java.util.Locale;

/**
 * The number format of weights and activations. bf16 is a different computation from fp32 (8-bit mantissas,
 * f32 accumulation): its pictures and losses differ slightly, so runs record it.
 */
public enum Precision {
    FP32, BF16;

    public String label() { return name().toLowerCase(Locale.ROOT); }

    public static Precision parse(String s) {
        return Arrays.stream(values()).filter(p -> p.label().equals(s.trim().toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("precision " + s + " is not one of fp32, bf16"));
    }
}
