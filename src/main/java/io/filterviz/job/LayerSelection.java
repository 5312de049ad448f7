package io.filterviz.job;

import io.filterviz.config.BadInputException;
import io.filterviz.model.LayerSpec;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.VggArchitecture;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Shape;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * --layer: the names the user gave (a tensor's name or the name of the node that writes it; VGG16's Keras layer
 * names) as tensors of the graph in network order, with the nearest names for a typo. {@code all} is
 * {@link Graph#atlasTargets}: every convolution's output (after its activation where one follows), a ViT's MLP
 * hidden units, ConvNeXt's and Swin's stage outputs.
 */
final class LayerSelection {
    private LayerSelection() {}

    /** The targets asked for, in network order, each once. */
    /** @param vgg the built-in VGG (its Keras layer names, convolutions only), or null for a model file */
    static List<TargetLayer> targets(List<String> names, Graph graph, VggArchitecture vgg) {
        List<String> tensors;
        if (names.equals(List.of("all"))) {
            tensors = graph.atlasTargets();
        } else {
            Set<String> asked = new LinkedHashSet<>();
            for (String name : names) asked.add(vgg != null ? vggLayer(name, vgg) : tensor(name, graph));
            tensors = graph.tensors().stream().filter(asked::contains).toList();
        }
        List<TargetLayer> targets = new ArrayList<>();
        for (String tensor : tensors) targets.add(describe(graph, tensor));
        checkFileNamesDiffer(targets);
        return targets;
    }

    static TargetLayer describe(Graph graph, String tensor) {
        Shape shape = graph.smallestShape(tensor);
        if (shape == null) {
            throw new BadInputException("--layer " + tensor + " cannot be computed for any input size up to 4096 px");
        }
        return new TargetLayer(tensor, shape.channels(), shape.vector(), graph.nonNegative(tensor));
    }

    /** Every tensor a user may visualise: all but the input and the preprocessing's output (the image itself). */
    static List<String> visualisable(Graph graph) {
        return graph.nodes().stream().filter(n -> !Preprocessing.isPreprocessing(graph, n)).map(Node::output).toList();
    }

    private static String tensor(String name, Graph graph) {
        if (name.equals("all")) {
            throw new BadInputException("--layer all stands alone: it already means every convolution layer");
        }
        List<String> candidates = visualisable(graph);
        return graph.resolve(name).filter(candidates::contains).orElseThrow(() -> {
            List<String> names = new ArrayList<>(candidates);
            graph.nodes().stream().filter(n -> candidates.contains(n.output())).map(Node::name).forEach(names::add);
            return new BadInputException("--layer " + name + " is not a node or tensor of " + graph.name()
                    + "; nearest: " + String.join(", ", NearestNames.of(name, names, 3)) + " (--list-layers lists them all)");
        });
    }

    /** The built-in VGGs keep their messages: Keras layer names, convolutions only. */
    private static String vggLayer(String name, VggArchitecture vgg) {
        List<String> convs = vgg.convLayerNames();
        if (name.equals("all")) {
            throw new BadInputException("--layer all stands alone: it already means every convolution layer");
        }
        LayerSpec layer = vgg.layer(name).orElseThrow(() -> new BadInputException(
                "--layer " + name + " is not a " + vgg.name().toUpperCase(java.util.Locale.ROOT) + " layer; did you mean " + NearestNames.of(name, convs, 1).get(0) + "? "
                        + "Convolution layers: " + String.join(", ", convs)));
        if (!layer.isConv()) {
            throw new BadInputException("--layer " + name + " is a max-pooling layer, not a convolution; "
                    + "choose one of: " + String.join(", ", convs));
        }
        return layer.name();
    }

    /** Two layers whose names differ only in characters a file name cannot hold would share their pictures. */
    private static void checkFileNamesDiffer(List<TargetLayer> targets) {
        java.util.Map<String, String> byFile = new java.util.HashMap<>();
        for (TargetLayer t : targets) {
            String other = byFile.putIfAbsent(io.filterviz.result.FileSafeName.of(t.name()), t.name());
            if (other != null) {
                throw new BadInputException("--layer " + other + " and " + t.name() + " have the same file name "
                        + io.filterviz.result.FileSafeName.of(t.name()) + "; run them in two jobs (two --out folders)");
            }
        }
    }
}
