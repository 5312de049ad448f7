package io.filterviz.job;

import io.filterviz.model.graph.Graph;

import java.util.List;
import java.util.Locale;

/**
 * --list-layers: every tensor that can be visualised ({@link Graph#layers()}, the preprocessing node left out), in
 * network order, with its channels (or units; for a token tensor or channels-last plane, the channels of its whole
 * shape, tokens × channels), its stride from the input, the operator that makes it and that node's name; {@code *}
 * marks what --layer all takes.
 */
final class LayerListing {
    private LayerListing() {}

    static String of(Graph graph, String preprocess) {
        List<String> visualisable = LayerSelection.visualisable(graph);
        List<Graph.Layer> layers = graph.layers().stream().filter(l -> visualisable.contains(l.tensor())).toList();
        List<String> atlas = graph.atlasTargets();
        java.util.Map<String, io.filterviz.model.graph.Shape> shapes = graph.listingShapes();
        int nameWidth = Math.max(6, layers.stream().mapToInt(l -> l.tensor().length()).max().orElse(0));
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%s: input %d×%s, --preprocess %s; %d layers (* = in --layer all)%n",
                graph.name(), graph.inputChannels(),
                graph.fixedSize() ? graph.fixedHeight() + "×" + graph.fixedWidth() + " (fixed)" : "H×W (any size)",
                preprocess, layers.size()));
        text.append(String.format(Locale.ROOT, "  %-" + nameWidth + "s %9s %7s  %-18s %s%n", "tensor", "channels",
                "stride", "operator", "node"));
        for (Graph.Layer layer : layers) {
            String channels = layer.vector() ? layer.channels() + " units" : String.valueOf(layer.channels());
            io.filterviz.model.graph.Shape shape = shapes.get(layer.tensor());
            if (shape != null && !shape.planar()) channels = shape.channels() + " of " + shapeText(shape);
            text.append(String.format(Locale.ROOT, "%s %-" + nameWidth + "s %9s %7d  %-18s %s%n",
                    atlas.contains(layer.tensor()) ? "*" : " ", layer.tensor(), channels, layer.stride(),
                    layer.operator(), layer.node()));
        }
        return text.toString();
    }

    /** Tokens × channels, or rows × columns × channels for a channels-last plane; the units' axis named when elsewhere. */
    private static String shapeText(io.filterviz.model.graph.Shape shape) {
        String dims = java.util.Arrays.stream(shape.dims()).mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining("×"));
        if (shape.unitAxis() != shape.rank() - 1) return dims + " (axis " + shape.unitAxis() + ")";
        return dims + (shape.rank() == 2 ? " (tokens×ch)" : "");
    }
}
