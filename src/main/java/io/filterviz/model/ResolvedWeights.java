package io.filterviz.model;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What --weights named, checked on the driver before any task: the spec executors build from, and the fingerprint
 * run.json records (enough to tell two weight sets apart).
 */
public record ResolvedWeights(ModelSpec spec, String identity) {

    public static ResolvedWeights random(String deepest, long seed) {
        return new ResolvedWeights(ModelSpec.random(deepest, seed), "random, seed " + seed);
    }

    /**
     * A local Keras file, its layers' names and shapes checked up to {@code deepest}.
     *
     * @param name the name the user gave it (path or URI), for run.json
     * @param md5  its checksum when already verified (the ImageNet file), else null: it is computed
     */
    public static ResolvedWeights kerasFile(String deepest, Path file, String name, String md5) {
        return kerasFile(VggArchitecture.VGG16, deepest, file, name, md5);
    }

    /** The same for a built-in architecture (VGG16 or VGG19). */
    public static ResolvedWeights kerasFile(VggArchitecture architecture, String deepest, Path file, String name, String md5) {
        KerasH5Weights.load(file, architecture, deepest); // shapes and readability, before any task starts
        try {
            String hash = md5 != null ? md5 : Md5.of(file);
            ModelSpec spec = ModelSpec.kerasFile(deepest, file);
            return new ResolvedWeights(new ModelSpec(architecture.name(), spec.source(), spec.file(), hash, spec.seed(),
                    spec.preprocess(), spec.targets()), name + ", md5 " + hash);
        } catch (IOException e) {
            throw new WeightsException("weights file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }
}
