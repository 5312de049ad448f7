package io.filterviz.model;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * What an executor needs to build the network: the target layer and where its weights come from. Small and
 * serialisable, so the driver ships this rather than the weights; it is also the key of the executor cache.
 */
public record ModelSpec(String target, Source source, String weightsFile, long seed) implements Serializable {
    public enum Source { KERAS_H5, RANDOM }

    public static ModelSpec kerasFile(String target, Path file) {
        return new ModelSpec(target, Source.KERAS_H5, file.toAbsolutePath().toString(), 0L);
    }

    public static ModelSpec random(String target, long seed) {
        return new ModelSpec(target, Source.RANDOM, null, seed);
    }

    public NetworkWeights load() {
        return switch (source) {
            case KERAS_H5 -> KerasH5Weights.load(Path.of(weightsFile), target);
            case RANDOM -> RandomWeights.create(target, seed);
        };
    }

    public String describe() {
        return source == Source.RANDOM ? "random (He init, seed " + seed + ")" : weightsFile;
    }
}
