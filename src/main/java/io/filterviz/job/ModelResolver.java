package io.filterviz.job;

import io.filterviz.config.BadInputException;
import io.filterviz.config.JobConfig;
import io.filterviz.config.Preset;
import io.filterviz.model.KerasVgg;
import io.filterviz.model.Md5;
import io.filterviz.model.graph.ModelException;
import io.filterviz.model.graph.ModelMemoryException;
import io.filterviz.model.ModelSpec;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.keras.KerasModelLoader;
import io.filterviz.model.onnx.OnnxLoader;
import io.filterviz.storage.HadoopFiles;
import io.filterviz.text.OneLine;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * --model and --preprocess, checked whole on the driver: a built-in VGG's architecture, or a model file (local or a
 * Hadoop URI) read completely, every operator included, so a file that is not a model, a truncated one or an
 * unsupported operator stops the job here with one line (exit 2). The weights of a built-in VGG come later
 * ({@link WeightsResolver}), once the layers are known; an ONNX file's are not read here at all (the executors read
 * those they need), so the driver's heap does not follow the model's size. A model the heap cannot hold anyway is one
 * line naming --driver-memory (exit 2).
 */
final class ModelResolver {
    static final List<String> BUILT_IN = List.of("vgg16", "vgg19");
    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final byte[] ZIP_SIGNATURE = {'P', 'K', 3, 4};

    /**
     * @param spec     the executors' spec, targets not yet set; for a built-in, weights not yet resolved
     * @param graph    the whole network, preprocessing in front (a built-in's architecture: its weights are zeros)
     * @param location the model file as the user named it (path or URI), null for a built-in
     */
    record ResolvedModel(ModelSpec spec, Graph graph, String location) {
        String name() { return spec.name(); }

        boolean builtIn() { return spec.builtIn(); }

        /** What run.json records of the model: its name, and for a file where it came from and its MD5. */
        String identity() {
            return location == null ? spec.name() : location + ", md5 " + spec.contentHash();
        }
    }

    private final Configuration hadoop;

    ModelResolver(Configuration hadoop) {
        this.hadoop = hadoop;
    }

    ResolvedModel resolve(JobConfig config) {
        try {
            if (BUILT_IN.contains(config.model())) return builtIn(config);
            return file(config);
        } catch (ModelException e) {
            throw new BadInputException(e.getMessage());
        }
    }

    private static ResolvedModel builtIn(JobConfig config) {
        // The Keras example feeds VGG raw pixels; the lucid preset feeds it what it was trained on (caffe)
        Preprocessing preprocess = config.preprocess() != null ? Preprocessing.parse(config.preprocess())
                : config.preset() == Preset.LUCID ? Preprocessing.CAFFE : Preprocessing.NONE;
        Graph graph = preprocess.prepend(KerasVgg.architecture(config.model()));
        ModelSpec spec = new ModelSpec(config.model(), ModelSpec.Source.VGG_RANDOM, null, null, config.ascent().seed(),
                preprocess, List.of());
        return new ResolvedModel(spec, graph, null);
    }

    private ResolvedModel file(JobConfig config) {
        String location = config.model();
        if (!location.contains(".") && !location.contains("/")) {
            throw new BadInputException("--model " + location + " is not a built-in model (" + String.join(", ", BUILT_IN)
                    + ") nor a file name");
        }
        if (!config.weights().equals("imagenet")) {
            throw new BadInputException("--weights " + config.weights() + " applies to the built-in models ("
                    + String.join(", ", BUILT_IN) + "); a model file brings its own weights");
        }
        Path file = HadoopFiles.localModel(location, hadoop);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new BadInputException("--model " + location + " is not a readable file");
        }
        boolean keras = startsWith(file, HDF5_SIGNATURE);
        if (config.preprocess() == null) {
            throw new BadInputException("--model " + location + " needs --preprocess: what the network was trained on ("
                    + Arrays.stream(Preprocessing.values()).map(Preprocessing::label).reduce((a, b) -> a + "|" + b).orElse("")
                    + "; torchvision's ImageNet models: torch, Keras applications: caffe or tf, pixels scaled to 0..1: unit)");
        }
        Preprocessing preprocess = Preprocessing.parse(config.preprocess());
        Graph graph;
        try {
            graph = preprocess.prepend(keras ? KerasModelLoader.load(file) : onnx(file));
        } catch (ModelMemoryException e) {
            throw new BadInputException(e.raise("--driver-memory"));
        } catch (OutOfMemoryError e) { // the loaders' estimates missed: still one line, not a trace
            String name = file.getFileName().toString();
            throw new BadInputException(ModelMemoryException.outOfMemory(name, size(file)).raise("--driver-memory"));
        }
        String shown = location.equals(file.toString()) ? file.toString() : location.replaceFirst("^[a-z0-9]+:", "");
        String name = Path.of(shown).getFileName().toString().replaceFirst("\\.(onnx|h5|hdf5|keras)$", "");
        ModelSpec spec = new ModelSpec(name, keras ? ModelSpec.Source.KERAS_MODEL : ModelSpec.Source.ONNX,
                file.toAbsolutePath().toString(), keras ? md5(file) : onnxMd5(file), 0L, preprocess, List.of());
        return new ResolvedModel(spec, graph, location);
    }

    /**
     * The ONNX file's structure, no weights. A file whose name claims HDF5 (.h5, .hdf5, .keras) but is neither HDF5
     * nor ONNX is named for what its extension claims, not as "not an ONNX model".
     */
    private static Graph onnx(Path file) {
        String name = file.getFileName().toString();
        try {
            return OnnxLoader.structure(file);
        } catch (ModelMemoryException e) {
            throw e;
        } catch (ModelException e) {
            boolean notOnnx = e.getMessage().startsWith("model file " + name + " is not an ONNX model")
                    || e.getMessage().startsWith("model file " + name + " is truncated");
            String extension = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(java.util.Locale.ROOT) : "";
            if (!notOnnx || !List.of("h5", "hdf5", "keras").contains(extension)) throw e;
            if (extension.equals("keras") && startsWith(file, ZIP_SIGNATURE)) {
                throw new ModelException("model file " + name + " is a Keras 3 .keras archive (zip), not HDF5; save the "
                        + "model as HDF5 (model.save('net.h5')) or convert it with tf2onnx");
            }
            throw new ModelException("model file " + name + " is not an HDF5 file (a Keras ." + extension
                    + " model starts with the HDF5 signature)");
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static boolean startsWith(Path file, byte[] prefix) {
        byte[] head = new byte[prefix.length];
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(head, 0, head.length) == head.length && Arrays.equals(head, prefix);
        } catch (IOException e) {
            throw new BadInputException("--model " + file + " cannot be read: " + OneLine.of(e));
        }
    }

    /**
     * The model file's MD5, and with external data the MD5 of the model and its data files in turn: the weights are
     * in those, so new weights under the old model file are another model (executors' caches, run.json, resume).
     */
    private static String onnxMd5(Path file) {
        List<Path> data = OnnxLoader.externalDataFiles(file);
        if (data.isEmpty()) return md5(file);
        try {
            List<Path> all = new java.util.ArrayList<>(List.of(file));
            all.addAll(data);
            return Md5.of(all);
        } catch (IOException e) {
            throw new BadInputException("--model " + file + " cannot be read: " + OneLine.of(e));
        }
    }

    private static String md5(Path file) {
        try {
            return Md5.of(file);
        } catch (IOException e) {
            throw new BadInputException("--model " + file + " cannot be read: " + OneLine.of(e));
        }
    }
}
