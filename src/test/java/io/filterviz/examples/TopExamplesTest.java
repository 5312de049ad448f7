package io.filterviz.examples;

import io.filterviz.engine.reference.ReferenceGraph;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.Shape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scan's top k against a brute force: every image's every position scored, then sorted. */
class TopExamplesTest {
    private static final List<String> TARGETS = List.of("relu1", "relu2", "logits");
    private static final int K = 4;

    /** One row of the brute force: an image's value at one position of one channel. */
    private record Score(String layer, int filter, String image, double value, int x, int y) {}

    /** All scores of all images, then per (layer, filter) the best position of each image, sorted, cut at k. */
    private static Map<String, List<List<Example>>> bruteForce(Graph pixels, Map<String, byte[]> files) {
        ReferenceGraph engine = new ReferenceGraph(pixels);
        List<Score> all = new ArrayList<>();
        for (var file : files.entrySet()) {
            ScanImage image = ScanImage.decode(file.getValue());
            float[] in = image.toNetwork(3);
            double[] input = new double[in.length];
            for (int i = 0; i < in.length; i++) input[i] = in[i];
            Map<String, double[]> values = engine.forward(input, image.height(), image.width());
            Map<String, Shape> shapes = pixels.shapes(image.height(), image.width());
            for (String t : TARGETS) {
                Shape s = shapes.get(t);
                int plane = s.height() * s.width();
                for (int c = 0; c < s.channels(); c++) {
                    for (int p = 0; p < plane; p++) {
                        all.add(new Score(t, c, file.getKey(), values.get(t)[c * plane + p],
                                s.vector() ? -1 : p % s.width(), s.vector() ? -1 : p / s.width()));
                    }
                }
            }
        }
        // higher value first, then path, then the first position in row order
        all.sort(Comparator.comparingDouble(Score::value).reversed().thenComparing(Score::image)
                .thenComparingInt(Score::y).thenComparingInt(Score::x));
        Map<String, List<List<Example>>> top = new java.util.HashMap<>();
        for (Score s : all) {
            List<List<Example>> layer = top.computeIfAbsent(s.layer, l -> new ArrayList<>());
            while (layer.size() <= s.filter) layer.add(new ArrayList<>());
            List<Example> kept = layer.get(s.filter);
            if (kept.size() < K && kept.stream().noneMatch(e -> e.image().equals(s.image))) {
                kept.add(new Example(s.image, s.value, s.x, s.y));
            }
        }
        return top;
    }

    private static ScanTotals scan(Graph graph, List<Map.Entry<String, byte[]>> files) {
        ScanTotals totals = new ScanTotals(K);
        try (ReferenceScan scan = new ReferenceScan(graph, TARGETS)) {
            ImageScanner scanner = new ImageScanner(scan, 3, InputSize.OWN);
            for (var f : files) scanner.accept(f.getKey(), f.getValue(), totals);
            scanner.finish(totals);
        }
        return totals;
    }

    private static void assertSameTop(Map<String, List<List<Example>>> expected, TopExamples actual) {
        for (String layer : TARGETS) {
            List<List<Example>> filters = expected.get(layer);
            assertEquals(filters.size(), actual.filters(layer).size(), layer);
            for (int f = 0; f < filters.size(); f++) {
                List<Example> want = filters.get(f), got = actual.ranked(layer, f);
                assertEquals(want.size(), got.size(), layer + " " + f);
                for (int r = 0; r < want.size(); r++) {
                    String where = layer + " filter " + f + " rank " + (r + 1);
                    assertEquals(want.get(r).image(), got.get(r).image(), where);
                    assertEquals(want.get(r).score(), got.get(r).score(), 1e-9 * Math.max(1, Math.abs(want.get(r).score())), where);
                    assertEquals(want.get(r).x(), got.get(r).x(), where);
                    assertEquals(want.get(r).y(), got.get(r).y(), where);
                }
            }
        }
    }

    @Test
    void theScanKeepsTheBruteForcesTopKWithTheirPositions() {
        Graph graph = Preprocessing.UNIT.prepend(SmallNetworks.cnn(7));
        Map<String, byte[]> files = TestImages.collection(1, 24, 20, 16);
        ScanTotals totals = scan(graph, new ArrayList<>(files.entrySet()));
        assertEquals(files.size(), totals.scanned());
        assertEquals(0, totals.skipped());
        assertSameTop(bruteForce(graph, files), totals.top());
        // the duplicates tie with their originals: wherever both are kept, dup_ (the smaller path) ranks first
        int ties = 0;
        for (String layer : TARGETS) {
            for (int f : totals.top().filters(layer)) {
                List<String> ranked = totals.top().ranked(layer, f).stream().map(Example::image).toList();
                for (int i = 0; i < ranked.size(); i++) {
                    if (!ranked.get(i).contains("img_")) continue;
                    int dup = ranked.indexOf(ranked.get(i).replace("img_", "dup_"));
                    if (dup >= 0) {
                        ties++;
                        assertEquals(i - 1, dup, "the duplicate right before its original in " + layer + " " + f);
                    }
                }
            }
        }
        assertTrue(ties > 0, "the set has tied images in some top k");
    }

    @Test
    void theAnswerDoesNotDependOnPartitionsOrMergeOrder() {
        Graph graph = Preprocessing.UNIT.prepend(SmallNetworks.cnn(7));
        List<Map.Entry<String, byte[]>> files = new ArrayList<>(TestImages.collection(2, 20, 16, 16).entrySet());
        TopExamples whole = scan(graph, files).top();
        Random random = new Random(9);
        for (int partitions : new int[]{2, 3, 7}) {
            Collections.shuffle(files, random);
            List<ScanTotals> parts = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                parts.add(scan(graph, files.subList(p * files.size() / partitions, (p + 1) * files.size() / partitions)));
            }
            while (parts.size() > 1) { // merge random pairs, as a tree aggregation does
                ScanTotals a = parts.remove(random.nextInt(parts.size())), b = parts.remove(random.nextInt(parts.size()));
                parts.add(a.merge(b));
            }
            for (String layer : TARGETS) {
                for (int f : whole.filters(layer)) {
                    assertEquals(whole.ranked(layer, f), parts.get(0).top().ranked(layer, f), partitions + " partitions, " + layer + " " + f);
                }
            }
            assertEquals(files.size(), parts.get(0).scanned());
        }
    }

    @Test
    void equalScoresRankByPathAndOnlyKAreKept() {
        TopExamples top = new TopExamples(3);
        List<String> paths = new ArrayList<>(List.of("e", "b", "d", "a", "c", "f"));
        Collections.shuffle(paths, new Random(4));
        for (String p : paths) top.offer("l", 0, new Example(p, 1.0, 0, 0));
        top.offer("l", 0, new Example("z", Double.NaN, 0, 0));
        assertEquals(List.of("a", "b", "c"), top.ranked("l", 0).stream().map(Example::image).toList());
        top.offer("l", 0, new Example("zz", 2.0, 1, 1));
        assertEquals(List.of("zz", "a", "b"), top.ranked("l", 0).stream().map(Example::image).toList());
    }

    /**
     * mightKeep, which lets a scan skip finding a channel's position, never says no to an example that offer would
     * keep: random offers with many exact ties, +0.0 and -0.0, and NaN, checked against what offer then does.
     */
    @Test
    void mightKeepNeverRefusesAnExampleThatOfferKeeps() {
        TopExamples zeros = new TopExamples(1); // -0.0 ranks below +0.0 whatever the paths (a score's exact bits)
        zeros.offer("l", 0, new Example("b", -0.0, 0, 0));
        assertTrue(zeros.mightKeep("l", 0, 0.0, "c"));
        zeros.offer("l", 0, new Example("c", 0.0, 0, 0));
        assertEquals("c", zeros.ranked("l", 0).get(0).image());
        assertEquals(false, zeros.mightKeep("l", 0, 0.0, "d"));
        assertTrue(zeros.mightKeep("l", 0, -0.0, "a")); // numerically equal, smaller path: a search decides
        java.util.Random random = new java.util.Random(16);
        double[] scores = {-1.0, -0.0, 0.0, 0.5, 1.0, 2.0, Double.NaN};
        for (int k : new int[]{1, 3, 9}) {
            TopExamples top = new TopExamples(k);
            int refusals = 0;
            for (int i = 0; i < 5000; i++) {
                String layer = random.nextBoolean() ? "a" : "b";
                int filter = random.nextInt(4);
                double score = random.nextInt(4) == 0 ? random.nextGaussian() : scores[random.nextInt(scores.length)];
                String image = String.format("img%03d", random.nextInt(300));
                boolean might = top.mightKeep(layer, filter, score, image);
                assertEquals(might, top.floors(layer).mightKeep(filter, score, image), "floors(layer) answers the same");
                List<Example> before = top.ranked(layer, filter);
                top.offer(layer, filter, new Example(image, score, 1, 2));
                boolean kept = !before.equals(top.ranked(layer, filter));
                if (kept) assertTrue(might, "refused " + image + " " + score + " that offer kept, top " + k);
                if (!might) refusals++;
            }
            assertTrue(refusals > 1000, "mightKeep refused only " + refusals + " of 5000 (it must skip most)");
        }
    }
}
