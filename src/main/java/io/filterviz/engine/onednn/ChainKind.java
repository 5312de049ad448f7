package io.filterviz.engine.onednn;

/**
 * Which recipe a gradient chain serves, for the two choices that differ between them. The Keras recipe's chains keep
 * oneDNN's blocked layout for every tensor, so its renders stay bit for bit those of its golden test
 * ({@code VggGoldenTest}): its ascent is chaotic enough that another rounding of the input gradient moves final
 * losses by several per cent. The Lucid recipe's chains (and the scan's forward chains) keep tensors of fewer than 16
 * channels, a network's image above all, in plain layout, which is faster; its redirected steps also change the
 * ReLU gradient.
 */
enum ChainKind {
    KERAS(false, false),
    LUCID(true, false),
    LUCID_REDIRECTED(true, true);

    /** Whether convolutions keep tensors of fewer than 16 channels in plain layout ({@code ConvolutionLowering}). */
    final boolean plainFewChannels;
    /** Whether every ReLU and Clip back-propagates Lucid's redirected gradient (ElementwiseLowering, TargetHead). */
    final boolean redirectRelus;

    ChainKind(boolean plainFewChannels, boolean redirectRelus) {
        this.plainFewChannels = plainFewChannels;
        this.redirectRelus = redirectRelus;
    }
}
