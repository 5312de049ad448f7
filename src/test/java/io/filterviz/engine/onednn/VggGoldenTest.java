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
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * VGG16 through the oneDNN engine renders exactly what it rendered before the engine ran graphs (issue 15: "VGG16's
 * output with the defaults is unchanged"): the final loss of each filter, bit for bit, and the SHA-256 of its PNG,
 * for fp32 with Winograd by the measured rule (the default), fp32 direct and bf16, on one thread as a Spark task
 * runs. The values were recorded with the VGG-only chain of main at 4e116d0 on the build machine (AVX-512 with
 * bf16, oneDNN 2.5.2); another instruction set picks other kernels, whose sums round differently.
 */
class VggGoldenTest {
    private static final AscentSettings SETTINGS = new AscentSettings(1.0, 3, 2, 1.2, 128, 128, 42); // 88 and 106 px
    private static final int[] FILTERS = {0, 1, 2, 3};

    private static final List<String> EXPECTED = List.of(
            "fp32-measured block5_conv1 0 loss=408d4ea8 1abd03f20befcbcdefb4f24c1bba36af6aa6c9f93df6ea3b78ef414df0fb5857",
            "fp32-measured block5_conv1 1 loss=40e44563 b0c972a779932dcf37104fb1921e7a40cea5a9b2911cc385a6a4fd93d699d431",
            "fp32-measured block5_conv1 2 loss=40c1b248 f83efd5ccbca6318a15e951573ec83a702603c100b8216a836675f3788d92003",
            "fp32-measured block5_conv1 3 loss=400e0571 6b68d43696f88100c772df6ae0bafb44d7a506864c3b4629dec4ec6c5ff1e171",
            "fp32-measured block3_conv2 0 loss=408f4bf7 f160fa301d227762c4026974dd4f22f01d9e28b3c4d748ebd38d05733ef9de3e",
            "fp32-measured block3_conv2 1 loss=3f1983f3 593ba49e1b78d3ab78a15a12b773e8dd5b526aad738bde706564c7bd4aa8232a",
            "fp32-measured block3_conv2 2 loss=3d944321 dd87fe02860c90d71c3002cf0828804929848b90a9c63150ae38dc0d346d0bbc",
            "fp32-measured block3_conv2 3 loss=00000000 dead",
            "fp32-direct block5_conv1 0 loss=408d4c48 6b4b6b1e8934d169a8d6772680d1a379e72c7318d62b584817eb7f5139c16b73",
            "fp32-direct block5_conv1 1 loss=40e06e1c 12d9e187acebda4d0bd6449a892a2f4f05a14b8336349a8d5dbf47fcf160c3a5",
            "fp32-direct block5_conv1 2 loss=40c1467b 8f73f46bc654cbec26d1c3df2c014b45e14854fdf5997efa6d2d6d791ec14cc8",
            "fp32-direct block5_conv1 3 loss=3ffeb6d4 b3c4e2fcbab54f145ac712fde760e2165b9345a090574c1bb0ab29ee6952a451",
            "fp32-direct block3_conv2 0 loss=408d58a7 341efc12168865f37458a7bb2921405c30ce22acf68ed02e10486d6d93b59184",
            "fp32-direct block3_conv2 1 loss=3f1983f4 0ebdfbd1411f648af05c583c8d88a156fda23674f89d6a9c9bef39720bcaec5d",
            "fp32-direct block3_conv2 2 loss=3d94430b dd87fe02860c90d71c3002cf0828804929848b90a9c63150ae38dc0d346d0bbc",
            "fp32-direct block3_conv2 3 loss=00000000 dead",
            "bf16 block5_conv1 0 loss=4093bcb8 046ad328cb4d7ecdf2e8fc8dc0686754fd9da0f2ec338e9d457db1584ae21f69",
            "bf16 block5_conv1 1 loss=40e8c6b7 ef2e8cf9a8ac188cc77749451b148ff539ab53a9a96a3ce0826320772134a3ea",
            "bf16 block5_conv1 2 loss=40ba8fe0 5af6b8920d5f2ced3a04bfbde2888817c85a52d8a976fc30e51b6c64e301d619",
            "bf16 block5_conv1 3 loss=400b896a ef26714ddde27fb3f7831f46885584db4e56076dde1810aaa282975488014d6a",
            "bf16 block3_conv2 0 loss=408ce381 48bb4b7979441beec39e78c40245f2b17e0dd70388ece49d1f5e37f009e226f9",
            "bf16 block3_conv2 1 loss=3f11c155 56413a56f1801d3c1c697398e6bc533bf190853d6beaa3176ab468a99d0ae9a0",
            "bf16 block3_conv2 2 loss=3d3eceba 69ed6c43b130fadef5539ae84ffa458ef87c969e2baa5b26c973f369efb25121",
            "bf16 block3_conv2 3 loss=00000000 dead"
    );

    @Test
    void vgg16RendersAsBeforeTheGraphEngine() {
        if (!OnednnBackend.bf16Supported()) {
            assertFalse("true".equals(System.getenv("CI")), "CI needs the build machine's CPU (AVX512_BF16) for this test");
            assumeTrue(false, "the golden values are this CPU's kernels' (AVX512_BF16)");
        }
        NetworkWeights weights = RandomWeights.create("block5_conv1", 7);
        List<String> actual = new ArrayList<>();
        for (String engine : List.of("fp32-measured", "fp32-direct", "bf16")) {
            OnednnBackend backend = switch (engine) {
                case "fp32-measured" -> new OnednnBackend(Precision.FP32);
                case "fp32-direct" -> new OnednnBackend(Precision.FP32, ConvolutionChoice.DIRECT);
                default -> new OnednnBackend(Precision.BF16);
            };
            var model = backend.compile(KerasVgg.graph("vgg16", weights));
            for (String layer : List.of("block5_conv1", "block3_conv2")) {
                try (FilterObjective objective = model.newObjective(layer, 1)) {
                    FilterRenderer renderer = new FilterRenderer(objective, SETTINGS, layer);
                    for (int filter : FILTERS) actual.add(line(engine, layer, renderer.render(filter)));
                }
            }
        }
        assertEquals(String.join("\n", EXPECTED), String.join("\n", actual));
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
