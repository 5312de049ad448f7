package io.filterviz.examples;

import io.filterviz.engine.reference.ReferenceGraph;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Shape;
import io.filterviz.model.onnx.OnnxLoader;
import io.filterviz.testing.Prerequisite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The oneDNN scan (float, batches, one chain per size) against the double-precision reference scan on the same files:
 * the same top k per filter (images and positions; scores within float tolerance). Where two candidates are closer
 * than that tolerance in the reference, either order is right, and the check accepts the one oneDNN chose if the
 * reference's own values say it is as good.
 */
class OnednnScanAgreementTest {
    /** Relative to the largest |value| of the channel across the images (Winograd convolutions round a little more). */
    private static final double TOLERANCE = 2e-4;

    @TempDir
    Path temp;

    @Test
    void fashionMnistTopNineAgreesWithTheReference() throws IOException {
        Prerequisite.require(Files.isDirectory(FashionMnist.FOLDER), "Debian's dataset-fashion-mnist in " + FashionMnist.FOLDER);
        requireOnednn();
        Graph network = Preprocessing.UNIT.prepend(OnnxLoader.load(model("fashion_mnist_cnn.onnx")));
        FashionMnist.writePngs("t10k", 100, temp);
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (Stream<Path> list = Files.list(temp)) {
            for (Path p : list.sorted().toList()) files.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        List<String> targets = new ArrayList<>(network.convolutionOutputs());
        targets.add("logits");
        Agreement a = compare(network, targets, files, 9, 8, 1);
        assertEquals(100, a.scanned);
        assertTrue(a.comparedRanks >= 9 * (16 + 32 + 64 + 10), "compared " + a.comparedRanks);
        System.out.printf("fashion_mnist_cnn: %d ranks agree, %d near ties, largest score error %.2e (relative)%n",
                a.comparedRanks, a.nearTies, a.largestError);
    }

    @Test
    void resnet18AtTwoSizesAgreesWithTheReference() {
        requireOnednn();
        Graph network = Preprocessing.TORCH.prepend(OnnxLoader.load(model("resnet18.onnx")));
        Random random = new Random(16);
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            boolean wide = i % 2 == 1; // alternating sizes: the scanner keeps a group per size, oneDNN a chain per size
            files.put(String.format("img%02d.png", i), TestImages.png(TestImages.random(random, wide ? 48 : 36,
                    wide ? 40 : 36, i == 4)));
        }
        List<String> targets = new ArrayList<>(network.convolutionOutputs());
        targets.add(network.nodes().get(network.nodes().size() - 1).output()); // the logits, a vector
        Agreement a = compare(network, targets, files, 3, 3, 2);
        assertEquals(10, a.scanned);
        assertTrue(a.comparedRanks >= 3 * 1000, "compared " + a.comparedRanks);
        System.out.printf("resnet18: %d ranks agree, %d near ties, largest score error %.2e (relative)%n",
                a.comparedRanks, a.nearTies, a.largestError);
    }

    /**
     * The scan's own path (channel maxima from oneDNN in the layer's layout, a position searched only for a maximum
     * the top k might keep) keeps exactly what offering every channel's plain-layout peak keeps: the same images,
     * scores to the bit, positions, and order; at 3 sizes (ResNet-18), in batches, with a vector target and k larger than what
     * some filters see. ResNet-18's tensors are blocked (nChw16c), Fashion-MNIST's first ones too.
     */
    @Test
    void scanIntoKeepsExactlyWhatEveryPlainPeakOfferedKeeps() throws IOException {
        requireOnednn();
        for (String name : List.of("fashion_mnist_cnn.onnx", "resnet18.onnx")) {
            boolean grey = name.startsWith("fashion");
            Graph network = (grey ? Preprocessing.UNIT : Preprocessing.TORCH).prepend(OnnxLoader.load(model(name)));
            List<String> targets = new ArrayList<>(network.convolutionOutputs());
            targets.add(network.nodes().get(network.nodes().size() - 1).output());
            Random random = new Random(7);
            for (int[] k : new int[][]{{1, 1, 1}, {3, 4, 2}, {12, 3, 1}}) { // top, batch, threads
                TopExamples viaPeaks = new TopExamples(k[0]), viaScanInto = new TopExamples(k[0]);
                try (ActivationScan a = ScanModel.of("onednn", network).open(targets, k[1], k[2]);
                     ActivationScan b = ScanModel.of("onednn", network).open(targets, k[1], k[2])) {
                    for (int group = 0; group < 4; group++) {
                        int side = grey ? 28 : 32 + 8 * (group % 3); // the trained model takes 28² only
                        List<float[]> images = new ArrayList<>();
                        List<String> paths = new ArrayList<>();
                        for (int i = 0; i < k[1]; i++) {
                            float[] image = new float[network.inputChannels() * side * side];
                            // a few repeated images: exact ties, which the image path orders
                            for (int j = 0; j < image.length; j++) image[j] = i == 1 ? 17 : random.nextInt(256);
                            images.add(image);
                            paths.add(String.format("g%d-%02d.png", 3 - group, i));
                        }
                        List<List<ChannelPeaks>> peaks = a.scan(images, side, side);
                        for (int i = 0; i < images.size(); i++) viaPeaks.offer(paths.get(i), peaks.get(i));
                        b.scanInto(paths, images, side, side, viaScanInto);
                    }
                }
                assertEquals(viaPeaks.layers(), viaScanInto.layers(), name);
                for (String layer : viaPeaks.layers()) {
                    assertEquals(viaPeaks.filters(layer), viaScanInto.filters(layer), name + " " + layer);
                    for (int f : viaPeaks.filters(layer)) {
                        List<Example> want = viaPeaks.ranked(layer, f), got = viaScanInto.ranked(layer, f);
                        assertEquals(want, got, name + " " + layer + " filter " + f);
                        for (int r = 0; r < want.size(); r++) {
                            assertEquals(Double.doubleToRawLongBits(want.get(r).score()),
                                    Double.doubleToRawLongBits(got.get(r).score()), name + " " + layer + " " + f);
                        }
                    }
                }
            }
        }
    }

    private static void requireOnednn() {
        Prerequisite.require(ScanModel.unavailableReason("onednn") == null, "oneDNN's native library");
    }

    private static Path model(String name) {
        try {
            return Path.of(OnednnScanAgreementTest.class.getResource("/models/" + name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Agreement(long scanned, int comparedRanks, int nearTies, double largestError) {}

    private Agreement compare(Graph network, List<String> targets, Map<String, byte[]> files, int k, int batch, int threads) {
        ScanTotals fast = new ScanTotals(k), slow = new ScanTotals(k);
        try (ActivationScan onednn = ScanModel.of("onednn", network).open(targets, batch, threads);
             ActivationScan reference = ScanModel.of("reference", network).open(targets, 1, 1)) {
            ImageScanner f = new ImageScanner(onednn, network.inputChannels(), InputSize.OWN);
            ImageScanner s = new ImageScanner(reference, network.inputChannels(), InputSize.OWN);
            files.forEach((name, bytes) -> {
                f.accept(name, bytes, fast);
                s.accept(name, bytes, slow);
            });
            f.finish(fast);
            s.finish(slow);
        }
        assertEquals(slow.scanned(), fast.scanned());
        assertEquals(0, fast.skipped(), fast.skipReasons().toString());
        // The reference's whole tensors, to judge a near tie by its own values.
        ReferenceGraph engine = new ReferenceGraph(ReferenceScan.upTo(network, targets));
        Map<String, Map<String, double[]>> values = new LinkedHashMap<>();
        Map<String, Map<String, Shape>> shapes = new LinkedHashMap<>();
        files.forEach((name, bytes) -> {
            ScanImage image = ScanImage.decode(bytes);
            values.put(name, engine.forward(toDoubles(image.toNetwork(network.inputChannels())), image.height(), image.width()));
            shapes.put(name, network.shapes(image.height(), image.width()));
        });
        int ranks = 0, ties = 0;
        double largest = 0;
        for (String layer : targets) {
            assertEquals(slow.top().filters(layer), fast.top().filters(layer), layer);
            for (int filter : slow.top().filters(layer)) {
                double scale = 1e-6;
                for (var v : values.entrySet()) {
                    Shape s = shapes.get(v.getKey()).get(layer);
                    int plane = s.height() * s.width();
                    for (int p = 0; p < plane; p++) scale = Math.max(scale, Math.abs(v.getValue().get(layer)[filter * plane + p]));
                }
                double tolerance = TOLERANCE * scale;
                List<Example> want = slow.top().ranked(layer, filter), got = fast.top().ranked(layer, filter);
                assertEquals(want.size(), got.size(), layer + " " + filter);
                for (int r = 0; r < want.size(); r++) {
                    String where = layer + " filter " + filter + " rank " + (r + 1);
                    Example w = want.get(r), g = got.get(r);
                    largest = Math.max(largest, Math.abs(w.score() - g.score()) / scale);
                    assertEquals(w.score(), g.score(), tolerance, where);
                    // the reference's own value where oneDNN found its peak (and for the image oneDNN ranked here)
                    Shape s = shapes.get(g.image()).get(layer);
                    int plane = s.height() * s.width();
                    int at = s.vector() ? 0 : g.y() * s.width() + g.x();
                    double there = values.get(g.image()).get(layer)[filter * plane + at];
                    if (w.image().equals(g.image()) && w.x() == g.x() && w.y() == g.y()) {
                        ranks++;
                        continue;
                    }
                    assertTrue(Math.abs(there - w.score()) <= tolerance, where + ": oneDNN ranks " + g + " where the "
                            + "reference ranks " + w + ", and the reference's value there is " + there);
                    ties++;
                    ranks++;
                }
            }
        }
        return new Agreement(fast.scanned(), ranks, ties, largest);
    }

    private static double[] toDoubles(float[] pixels) {
        double[] d = new double[pixels.length];
        for (int i = 0; i < d.length; i++) d[i] = pixels[i];
        return d;
    }
}
