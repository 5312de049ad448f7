package io.filterviz.engine.onednn;

import java.io.Serializable;
import java.util.Set;

/**
 * Which 3×3 convolutions run as Winograd (fp32 only; oneDNN has no bf16 Winograd) instead of direct. Winograd
 * does fewer multiplications but is a different rounding of the same sum, so it is held to the bf16 fidelity
 * rule; layers that do not qualify (too few channels) fall back to direct.
 */
public record ConvolutionChoice(Set<String> winogradLayers) implements Serializable {
    public static final ConvolutionChoice DIRECT = new ConvolutionChoice(Set.of());

    public boolean winograd(String layer) { return winogradLayers.contains(layer); }
}
