package io.filterviz.engine.onednn;

import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.FilterRenderer;
import io.filterviz.engine.Precision;
import io.filterviz.engine.RenderedFilter;
import io.filterviz.image.Png;
import io.filterviz.model.KerasVgg;
import io.filterviz.model.NetworkWeights;
import io.filterviz.model.RandomWeights;
import io.filterviz.testing.Prerequisite;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * VGG16 through the oneDNN engine renders what it rendered before (issue 15: "VGG16's output with the defaults is
 * unchanged"): the final loss of each filter, bit for bit, and the SHA-256 of its PNG, for fp32 with Winograd by the
 * measured rule (the default), fp32 direct and bf16, on one thread as a Spark task runs.
 *
 * <p>Bits hold only on the kernels that made them: oneDNN picks its kernels by instruction set (AMX bf16 on an Intel
 * Xeon, another Winograd blocking on an AMD EPYC), so the expected lines in {@code goldens/vgg16-onednn.txt} are
 * kept per {@link KernelSignature}: oneDNN's effective ISA and the implementations of every primitive the chains
 * built. On a signature the file has no lines for, the test says so in its output, prints the block to add, and
 * holds the render to a tolerance instead: Winograd and bf16 against fp32 direct computed here, fp32 direct against
 * the recorded fp32 direct of another signature. The tolerance is the loss's relative difference, relative to
 * |loss| or 1 (a loss near 0 is a small difference of larger terms), at most 15 %: recorded values differ by up to
 * 11 % (Winograd against direct, block5_conv1 filter 3) and 2.6 % (bf16 against fp32 direct, block3_conv2 filter 2).
 */
class VggGoldenTest {
    private static final AscentSettings SETTINGS = new AscentSettings(1.0, 3, 2, 1.2, 128, 128, 42); // 88 and 106 px
    private static final int[] FILTERS = {0, 1, 2, 3};
    private static final List<String> LAYERS = List.of("block5_conv1", "block3_conv2");
    private static final String GOLDENS = "/goldens/vgg16-onednn.txt";
    private static final double TOLERANCE = 0.15;

    /** What one engine rendered, and the kernels that did it. */
    private record Render(String engine, String signature, List<String> lines, List<Float> losses) {}

    @Test
    void fp32DirectRendersAsRecorded() {
        Render direct = render("fp32-direct", new OnednnBackend(Precision.FP32, ConvolutionChoice.DIRECT));
        Map<String, List<String>> recorded = goldens();
        List<String> expected = recorded.get(key(direct));
        if (expected != null) {
            assertEquals(String.join("\n", expected), String.join("\n", direct.lines()), "signature " + direct.signature());
            return;
        }
        sayUnrecorded(direct, "the recorded fp32 direct lines of another signature");
        List<String> other = recorded.entrySet().stream().filter(e -> e.getKey().startsWith("fp32-direct "))
                .map(Map.Entry::getValue).findFirst().orElseThrow(() -> new AssertionError("no fp32-direct lines at all in " + GOLDENS));
        assertClose(losses(other), direct);
    }

    @Test
    void fp32WithWinogradWhereFasterRendersAsRecorded() {
        checkAgainstDirect(render("fp32-measured", new OnednnBackend(Precision.FP32)));
    }

    @Test
    void bf16RendersAsRecorded() {
        Prerequisite.requireCpu(OnednnBackend.bf16Supported(), "a CPU with AVX512_BF16");
        checkAgainstDirect(render("bf16", new OnednnBackend(Precision.BF16)));
    }

    /** Bit for bit on a recorded signature, else within {@link #TOLERANCE} of fp32 direct on this CPU. */
    private static void checkAgainstDirect(Render candidate) {
        List<String> expected = goldens().get(key(candidate));
        if (expected != null) {
            assertEquals(String.join("\n", expected), String.join("\n", candidate.lines()), "signature " + candidate.signature());
            return;
        }
        Render direct = render("fp32-direct", new OnednnBackend(Precision.FP32, ConvolutionChoice.DIRECT));
        sayUnrecorded(candidate, "fp32 direct on this CPU");
        assertClose(direct.losses(), candidate);
    }

    private static void assertClose(List<Float> reference, Render candidate) {
        for (int i = 0; i < reference.size(); i++) {
            double a = reference.get(i), b = candidate.losses().get(i);
            double relative = Math.abs(a - b) / Math.max(Math.abs(a), 1.0);
            System.out.printf(Locale.ROOT, "golden: %s: %.5f against %.5f (%.2f %%)%n",
                    candidate.lines().get(i).replaceFirst(" loss=.*", ""), b, a, 100 * relative);
            assertTrue(relative <= TOLERANCE, candidate.lines().get(i) + ": loss " + b + " against " + a);
        }
    }

    private static void sayUnrecorded(Render render, String against) {
        System.out.println("golden: no " + render.engine() + " lines for kernel signature '" + render.signature()
                + "' in " + GOLDENS + "; checked within " + Math.round(100 * TOLERANCE) + " % of " + against
                + ". To pin this signature's bits, add:\n[" + key(render) + "]\n" + String.join("\n", render.lines()));
    }

    private static Render render(String engine, OnednnBackend backend) {
        NetworkWeights weights = RandomWeights.create("block5_conv1", 7);
        var model = backend.compile(KerasVgg.graph("vgg16", weights));
        List<String> lines = new ArrayList<>();
        List<Float> losses = new ArrayList<>();
        List<String> implementations = new ArrayList<>();
        for (String layer : LAYERS) {
            try (FilterObjective objective = model.newObjective(layer, 1)) {
                FilterRenderer renderer = new FilterRenderer(objective, SETTINGS, layer);
                for (int filter : FILTERS) {
                    RenderedFilter r = renderer.render(filter);
                    lines.add(line(engine, layer, r));
                    losses.add(r.loss());
                }
                implementations.addAll(OnednnProbe.implementations(objective));
            }
        }
        return new Render(engine, KernelSignature.of(implementations), lines, losses);
    }

    private static String key(Render render) { return render.engine() + " " + render.signature(); }

    /** The file's blocks: a line "[engine signature]", then that engine's lines on that signature. */
    private static Map<String, List<String>> goldens() {
        Map<String, List<String>> blocks = new LinkedHashMap<>();
        List<String> current = null;
        try (InputStream in = VggGoldenTest.class.getResourceAsStream(GOLDENS)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                if (line.startsWith("[") && line.endsWith("]")) {
                    current = new ArrayList<>();
                    blocks.put(line.substring(1, line.length() - 1), current);
                } else {
                    current.add(line.strip());
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return blocks;
    }

    private static List<Float> losses(List<String> lines) {
        return lines.stream().map(l -> Float.intBitsToFloat(Integer.parseUnsignedInt(
                l.replaceFirst(".* loss=([0-9a-f]{8}) .*", "$1"), 16))).toList();
    }

    private static String line(String engine, String layer, RenderedFilter r) {
        String picture = r.dead() ? "dead" : sha256(Png.encode(r.image()));
        return String.format(Locale.ROOT, "%s %s %d loss=%08x %s", engine, layer, r.filter(),
                Float.floatToRawIntBits(r.loss()), picture);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
