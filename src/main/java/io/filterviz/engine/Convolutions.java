package io.filterviz.engine;

import java.util.Arrays;
import java.util.List;

/**
 * --convolutions: which algorithm the 3×3 convolutions may run. Winograd does fewer multiplications but rounds the
 * same sums differently, so it is the user's choice (issue 26) and run.json records what ran. Only oneDNN in fp32 on a
 * CPU with AVX-512 has Winograd; everywhere else both choices run direct convolutions.
 */
public enum Convolutions {
    /** Direct convolutions everywhere: the computation the reference engine and PyTorch's fp64 run do. */
    DIRECT("direct"),
    /** Winograd where it measured faster than direct (the default: oneDNN's ConvolutionChoice.MEASURED). */
    WINOGRAD_WHERE_FASTER("winograd-where-faster");

    private final String label;

    Convolutions(String label) { this.label = label; }

    /** As the option takes it and run.json records it. */
    public String label() { return label; }

    public static List<String> labels() { return Arrays.stream(values()).map(Convolutions::label).toList(); }

    /** @throws IllegalArgumentException naming the accepted values */
    public static Convolutions parse(String s) {
        return Arrays.stream(values()).filter(c -> c.label.equals(s)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("--convolutions " + s + " is not one of " + String.join(", ", labels())));
    }
}
