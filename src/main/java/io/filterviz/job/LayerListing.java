package io.filterviz.job;

import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Node;
import io.filterviz.model.graph.Shape;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * --list-layers: every tensor that can be visualised, in network order, with its channels (or units), its stride
 * from the input, the operator that makes it and that node's name, and which of them --layer all takes.
 */
final class LayerListing {
    private LayerListing() {}

    static String of(Graph graph, String preprocess) {
        int height = graph.fixedSize() ? graph.fixedHeight() : smallestWholeInput(graph);
        int width = graph.fixedSize() ? graph.fixedWidth() : height;
        Map<String, Shape> shapes = graph.shapes(height, width);
        List<String> atlas = graph.convolutionOutputs();
        List<String> tensors = LayerSelection.visualisable(graph);
        int nameWidth = Math.max(6, tensors.stream().mapToInt(String::length).max().orElse(0));
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%s: input %d×%s, --preprocess %s; %d layers (* = in --layer all)%n",
                graph.name(), graph.inputChannels(),
                graph.fixedSize() ? graph.fixedHeight() + "×" + graph.fixedWidth() + " (fixed)" : "H×W (any size from " + height + " px)",
                preprocess, tensors.size()));
        text.append(String.format(Locale.ROOT, "  %-" + nameWidth + "s %9s %7s  %-18s %s%n", "tensor", "channels", "stride",
                "operator", "node"));
        for (Node node : graph.nodes()) {
            if (!tensors.contains(node.output())) continue;
            Shape shape = shapes.get(node.output());
            String channels = shape.vector() ? shape.channels() + " units" : String.valueOf(shape.channels());
            text.append(String.format(Locale.ROOT, "%s %-" + nameWidth + "s %9s %7d  %-18s %s%n",
                    atlas.contains(node.output()) ? "*" : " ", node.output(), channels, graph.stride(node.output()),
                    node.op().type(), node.name()));
        }
        return text.toString();
    }

    /** The smallest square input the whole graph takes (shapes must exist for every tensor to list them). */
    private static int smallestWholeInput(Graph graph) {
        int low = 1, high = 4096;
        if (!graph.fits(high, high)) return high;
        while (low < high) {
            int mid = (low + high) / 2;
            if (graph.fits(mid, mid)) high = mid; else low = mid + 1;
        }
        return low;
    }
}
