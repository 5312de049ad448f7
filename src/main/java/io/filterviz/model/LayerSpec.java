package io.filterviz.model;

import java.io.Serializable;

/** One layer of the feature extractor: a 3×3 'same' convolution with ReLU, or a 2×2 max-pool of stride 2. */
public record LayerSpec(String name, Kind kind, int inChannels, int outChannels) implements Serializable {
    public enum Kind { CONV, POOL }

    public boolean isConv() { return kind == Kind.CONV; }

    public static LayerSpec conv(String name, int in, int out) { return new LayerSpec(name, Kind.CONV, in, out); }

    public static LayerSpec pool(String name, int channels) { return new LayerSpec(name, Kind.POOL, channels, channels); }
}
