package io.filterviz.model;

import io.filterviz.model.graph.Graph;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * What an executor needs to build the network: the deepest layer it runs to and where its weights come from. Small and
 * serialisable, so the driver ships this rather than the weights; it is also the key of the executor cache.
 */
public record ModelSpec(String deepest, Source source, String weightsFile, long seed) implements Serializable {
    public enum Source { KERAS_H5, RANDOM }

    public static ModelSpec kerasFile(String deepest, Path file) {
        return new ModelSpec(deepest, Source.KERAS_H5, file.toAbsolutePath().toString(), 0L);
    }

    public static ModelSpec random(String deepest, long seed) {
        return new ModelSpec(deepest, Source.RANDOM, null, seed);
    }

    public Graph load() {
        NetworkWeights weights = switch (source) {
            case KERAS_H5 -> KerasH5Weights.load(Path.of(weightsFile), deepest);
            case RANDOM -> RandomWeights.create(deepest, seed);
        };
        return KerasVgg.graph("vgg16", weights);
    }

    public String describe() {
        return source == Source.RANDOM ? "random (He init, seed " + seed + ")" : weightsFile;
    }
}
