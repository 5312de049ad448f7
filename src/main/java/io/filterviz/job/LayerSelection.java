package io.filterviz.job;

import io.filterviz.config.BadInputException;
import io.filterviz.model.LayerSpec;
import io.filterviz.model.Vgg16;
import org.apache.commons.text.similarity.LevenshteinDistance;

import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** --layer: the names the user gave, as VGG16 layers in network order, with a "did you mean" for a typo. */
final class LayerSelection {
    private LayerSelection() {}

    /** The layers asked for, in network order, each once; {@code all} is every convolution. */
    static List<LayerSpec> layers(List<String> names) {
        if (names.equals(List.of("all"))) return Vgg16.layers().stream().filter(LayerSpec::isConv).toList();
        Set<String> asked = new LinkedHashSet<>();
        for (String name : names) asked.add(layer(name).name());
        return Vgg16.layers().stream().filter(l -> asked.contains(l.name())).toList();
    }

    static LayerSpec layer(String name) {
        List<String> convs = Vgg16.convLayerNames();
        if (name.equals("all")) {
            throw new BadInputException("--layer all stands alone: it already means every convolution layer");
        }
        LayerSpec layer = Vgg16.layer(name).orElseThrow(() -> new BadInputException(
                "--layer " + name + " is not a VGG16 layer; did you mean " + nearest(name, convs) + "? "
                        + "Convolution layers: " + String.join(", ", convs)));
        if (!layer.isConv()) {
            throw new BadInputException("--layer " + name + " is a max-pooling layer, not a convolution; "
                    + "choose one of: " + String.join(", ", convs));
        }
        return layer;
    }

    static String nearest(String name, List<String> candidates) {
        LevenshteinDistance distance = LevenshteinDistance.getDefaultInstance();
        return candidates.stream().min(Comparator.comparingInt(c -> distance.apply(name, c))).orElse("");
    }
}
