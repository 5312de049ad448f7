package io.filterviz.model;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The layers up to a target layer and the weights of each convolution among them. */
public record NetworkWeights(String target, List<LayerSpec> layers, Map<String, ConvWeights> convs) {

    public static NetworkWeights of(String target, List<ConvWeights> convs) {
        return of(VggArchitecture.VGG16, target, convs);
    }

    public static NetworkWeights of(VggArchitecture architecture, String target, List<ConvWeights> convs) {
        return new NetworkWeights(target, architecture.upTo(target),
                convs.stream().collect(Collectors.toUnmodifiableMap(ConvWeights::layer, Function.identity())));
    }

    public ConvWeights conv(String layer) {
        ConvWeights w = convs.get(layer);
        if (w == null) throw new IllegalStateException("no weights for " + layer);
        return w;
    }

    public LayerSpec targetLayer() { return layers.get(layers.size() - 1); }
}
