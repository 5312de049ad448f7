package io.filterviz.model;

import io.filterviz.model.graph.Graph;
import io.filterviz.model.keras.KerasModelLoader;
import io.filterviz.model.onnx.OnnxLoader;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;

/**
 * What an executor needs to build the network, small and serialisable: the driver ships this (and the model or
 * weights file through Spark), never the weights. Executors cache the compiled model by {@link #cacheKey()}: the
 * file's content hash, not its path.
 *
 * @param name        vgg16, vgg19, or the model file's name without its extension
 * @param source      where the weights come from
 * @param file        a local copy of the model or weights file (null for random weights)
 * @param contentHash the file's MD5 (null for random weights)
 * @param seed        random weights' seed
 * @param preprocess  the mapping from pixels to what the network expects, prepended to the graph
 * @param targets     the tensors objectives will target; the graph is cut to what they need
 */
public record ModelSpec(String name, Source source, String file, String contentHash, long seed,
                        Preprocessing preprocess, List<String> targets) implements Serializable {
    public enum Source {
        /** A built-in VGG with Keras weights from an H5 file. */
        VGG_KERAS_H5,
        /** A built-in VGG with He-initialised weights. */
        VGG_RANDOM,
        /** An ONNX model file. */
        ONNX,
        /** A whole Keras model saved as HDF5 ({@code model.save('net.h5')}). */
        KERAS_MODEL
    }

    public ModelSpec {
        targets = List.copyOf(targets);
    }

    public static ModelSpec kerasFile(String deepest, Path file) {
        return new ModelSpec("vgg16", Source.VGG_KERAS_H5, file.toAbsolutePath().toString(), null, 0L,
                Preprocessing.NONE, List.of(deepest));
    }

    public static ModelSpec random(String deepest, long seed) {
        return new ModelSpec("vgg16", Source.VGG_RANDOM, null, null, seed, Preprocessing.NONE, List.of(deepest));
    }

    public boolean builtIn() { return source == Source.VGG_KERAS_H5 || source == Source.VGG_RANDOM; }

    /** The graph (preprocessing in front) cut to what the targets need: nothing after them runs. */
    public Graph load() {
        Graph graph = switch (source) {
            case VGG_KERAS_H5 -> KerasVgg.load(vgg(), Path.of(file), deepestVggLayer());
            case VGG_RANDOM -> KerasVgg.random(vgg(), deepestVggLayer(), seed);
            case ONNX -> OnnxLoader.load(Path.of(file), targets); // no weights past the targets
            case KERAS_MODEL -> KerasModelLoader.load(Path.of(file));
        };
        return preprocess.prepend(graph).upTo(targets);
    }

    /**
     * The heap {@link #load} takes for the weights up to the targets, estimated from the file without loading it; 0
     * where no estimate is made (built-in VGGs and Keras models: tens of MB).
     */
    public long heapToLoad() {
        return source == Source.ONNX ? OnnxLoader.heapToLoad(Path.of(file), targets) : 0;
    }

    /** The VGG layer the weights must reach: the targets' deepest (weights are read no further). */
    private String deepestVggLayer() {
        List<String> order = vgg().layers().stream().map(LayerSpec::name).toList();
        return targets.stream().max(java.util.Comparator.comparingInt(order::indexOf)).orElseThrow();
    }

    private VggArchitecture vgg() {
        return VggArchitecture.named(name).orElseThrow(() -> new IllegalStateException("no built-in " + name));
    }

    public ModelSpec withTargets(List<String> tensors) {
        return new ModelSpec(name, source, file, contentHash, seed, preprocess, tensors);
    }

    /** The same model read from another copy of its file (the one Spark shipped to this executor). */
    public ModelSpec withFile(String copy) {
        return new ModelSpec(name, source, copy, contentHash, seed, preprocess, targets);
    }

    /** What identifies the compiled model in an executor's cache: everything but where the file lies. */
    public ModelSpec cacheKey() {
        return withFile(null);
    }

    public String describe() {
        return source == Source.VGG_RANDOM ? name + ", random weights (He init, seed " + seed + ")" : name + " from " + file;
    }
}
