package io.filterviz.app;

import io.filterviz.config.BadInputException;
import io.filterviz.config.ExamplesConfig;
import io.filterviz.text.OneLine;
import io.filterviz.examples.InputSize;
import io.filterviz.examples.ScanModel;
import io.filterviz.examples.ScanSpec;
import io.filterviz.model.graph.ModelException;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import io.filterviz.job.NearestNames;
import io.filterviz.model.onnx.OnnxLoader;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every check of an example scan on the driver, before anything is written or any task starts: the model reads and
 * its operators are supported, the layers exist, the sizes fit, and the collection holds at least one file.
 */
record ExamplesPlan(Graph network, ScanSpec spec, String modelLocation, java.nio.file.Path localModel, String images) {

    static ExamplesPlan of(ExamplesConfig config, Configuration hadoop, PrintStream err) {
        if (config.top() < 1) throw new BadInputException("--top " + config.top() + " must be at least 1");
        if (config.batch() < 0) throw new BadInputException("--batch " + config.batch() + " must be at least 1 (0: the default)");
        String engine = engine(config.engine(), err);
        if (config.imageSize() != null && config.imageSize() < 1) {
            throw new BadInputException("--image-size " + config.imageSize() + " must be at least 1");
        }
        if (config.model() == null) throw new BadInputException("examples needs --model FILE.onnx (a local path or a Hadoop URI)");
        Preprocessing preprocess;
        Graph network;
        java.nio.file.Path onnx = local(config.model(), hadoop);
        String modelName = new Path(config.model()).getName();
        try {
            preprocess = Preprocessing.parse(config.preprocess());
            // the structure only: the executors read the weights they need, so the driver's heap does not follow the model's size
            network = preprocess.prepend(OnnxLoader.structure(onnx));
        } catch (ModelException e) {
            throw new BadInputException(OneLine.of(e));
        }
        if (network.inputChannels() != 1 && network.inputChannels() != 3) {
            throw new BadInputException("--model " + config.model() + " takes " + network.inputChannels()
                    + " input channels; the example scan feeds grey (1) or RGB (3) images");
        }
        List<String> targets = targets(network, config.layers());
        InputSize size = size(network, config.imageSize(), targets);
        checkImages(config.images(), hadoop);
        ScanSpec spec = new ScanSpec(modelName, sha256(config.model(), onnx), preprocess, targets, size, config.top(),
                network.inputChannels(), engine, config.convolutions(), config.batch() == 0 ? ScanModel.DEFAULT_BATCH : config.batch());
        return new ExamplesPlan(network, spec, config.model(), onnx, config.images());
    }

    /**
     * The scan's engine: the one asked for, which must run here (exit 2 otherwise); by default oneDNN, or the
     * reference engine with one line on {@code err} where oneDNN does not load.
     */
    static String engine(String requested, PrintStream err) {
        String name = requested == null ? ScanModel.DEFAULT_ENGINE : requested;
        if (!ScanModel.ENGINES.contains(name)) {
            throw new BadInputException("--engine " + name + " is not one of " + String.join(", ", ScanModel.ENGINES));
        }
        String problem = ScanModel.unavailableReason(name);
        if (problem == null) return name;
        if (requested != null) throw new BadInputException("--engine " + name + " does not run on this machine (" + problem + ")");
        err.println("filterviz: oneDNN does not load here (" + problem + "); scanning with --engine reference (slow)");
        return "reference";
    }

    /** The tensors named by --layer (a node's name or a tensor's), or every convolution's output for {@code all}. */
    static List<String> targets(Graph network, List<String> layers) {
        Set<String> targets = new LinkedHashSet<>();
        for (String layer : layers) {
            if (layer.equals("all")) {
                targets.addAll(network.convolutionOutputs());
                continue;
            }
            String tensor = network.resolve(layer).orElseThrow(() -> new BadInputException("--layer " + layer
                    + " is not a node or tensor of the model; nearest: " + String.join(", ", nearest(network, layer))
                    + " (--list-layers shows them all)"));
            if (tensor.equals(network.input())) throw new BadInputException("--layer " + layer + " is the input image");
            io.filterviz.model.graph.Shape shape = network.listingShapes().get(tensor);
            if (shape != null && !shape.planar()) {
                throw new BadInputException("--layer " + layer + " is a " + shape + " tensor: the examples scan takes "
                        + "channels × height × width images and vectors (the ascent renders any tensor)");
            }
            targets.add(tensor);
        }
        if (targets.isEmpty()) throw new BadInputException("--layer all: the model has no convolution");
        return List.copyOf(targets);
    }

    /** The three names nearest to {@code name}, as the ascent suggests them ({@link NearestNames}). */
    private static List<String> nearest(Graph network, String name) {
        List<String> names = new ArrayList<>();
        for (Node n : network.nodes()) {
            if (Preprocessing.isPreprocessing(network, n)) continue;
            names.add(n.output());
            if (!n.name().equals(n.output())) names.add(n.name());
        }
        return NearestNames.of(name, names, 3);
    }

    /** A fixed-size network takes its size; otherwise --image-size, or each image's own. */
    static InputSize size(Graph network, Integer imageSize, List<String> targets) {
        if (network.fixedSize()) {
            if (imageSize != null && (imageSize != network.fixedHeight() || imageSize != network.fixedWidth())) {
                throw new BadInputException("--image-size " + imageSize + ": the model takes " + network.fixedWidth()
                        + "×" + network.fixedHeight() + " px only (images are resized to it)");
            }
            return new InputSize(network.fixedWidth(), network.fixedHeight());
        }
        if (imageSize == null) return InputSize.OWN;
        for (String target : targets) {
            if (!network.upTo(target).fits(imageSize, imageSize)) {
                throw new BadInputException("--image-size " + imageSize + " is too small for layer " + target
                        + ": it needs at least " + network.smallestInput(target) + " px");
            }
        }
        return new InputSize(imageSize, imageSize);
    }

    /** The model as a local file: itself, or a copy of a Hadoop URI's (streamed, never held on the heap). */
    private static java.nio.file.Path local(String location, Configuration hadoop) {
        try {
            Path path = qualified(location);
            if ("file".equals(path.toUri().getScheme())) {
                java.nio.file.Path file = java.nio.file.Path.of(path.toUri());
                if (!java.nio.file.Files.isRegularFile(file)) throw new IOException("no such file");
                return file;
            }
            FileSystem fs = path.getFileSystem(hadoop);
            java.nio.file.Path copy = java.nio.file.Files.createTempFile("filterviz-model-", "-" + path.getName());
            copy.toFile().deleteOnExit();
            try (InputStream in = fs.open(path)) {
                java.nio.file.Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        } catch (IOException | IllegalArgumentException e) {
            throw new BadInputException("--model " + location + " cannot be read: " + OneLine.of(e));
        }
    }

    private static String sha256(String location, java.nio.file.Path file) {
        try {
            return ScanSpec.sha256(file);
        } catch (IOException e) {
            throw new BadInputException("--model " + location + " cannot be read: " + OneLine.of(e));
        }
    }

    /** A local path (relative ones included) or a Hadoop URI. */
    static Path qualified(String location) {
        URI uri = URI.create(location.replace(" ", "%20"));
        if (uri.getScheme() == null) return new Path("file", null, java.nio.file.Path.of(location).toAbsolutePath().normalize().toString());
        return new Path(location);
    }

    /** The collection exists and holds at least one file (Spark would read an empty folder as no rows, silently). */
    private static void checkImages(String images, Configuration hadoop) {
        try {
            Path path = qualified(images);
            FileSystem fs = path.getFileSystem(hadoop);
            FileStatus[] matches = fs.globStatus(path);
            if (matches == null || matches.length == 0) {
                throw new BadInputException("--images " + images + ": no such file or folder");
            }
            for (FileStatus match : matches) {
                if (match.isFile()) return;
                RemoteIterator<LocatedFileStatus> files = fs.listFiles(match.getPath(), true);
                while (files.hasNext()) {
                    String name = files.next().getPath().getName();
                    if (!name.startsWith(".") && !name.startsWith("_")) return; // what Spark's file sources skip
                }
            }
            throw new BadInputException("--images " + images + " holds no files");
        } catch (IOException | IllegalArgumentException e) {
            throw new BadInputException("--images " + images + " cannot be listed: " + OneLine.of(e));
        }
    }
}
