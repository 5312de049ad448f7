package io.filterviz.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.RenderedFilter;
import io.filterviz.engine.lucid.LucidObjective;
import io.filterviz.engine.lucid.LucidRenderer;
import io.filterviz.engine.lucid.LucidSettings;
import io.filterviz.engine.reference.ReferenceBackend;
import io.filterviz.image.Png;
import io.filterviz.image.RgbImage;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.onnx.OnnxLoader;
import io.filterviz.testing.ClassPictures;
import io.filterviz.testing.MainRun;
import io.filterviz.testing.ResultsCsv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --preset lucid} through the whole job in local[2], as a user runs it, with few steps. */
class LucidEndToEndTest {
    private static final Path FASHION = Path.of("src/test/resources/models/fashion_mnist_cnn.onnx");
    private static final List<String> LUCID = List.of("--weights", "random", "--preset", "lucid", "--steps", "6",
            "--output-dim", "48", "--master", "local[2]");

    @TempDir
    Path dir;

    private static MainRun run(List<String> base, Path out, String... extra) {
        return MainRun.into(out, base, extra);
    }

    private static MainRun ok(MainRun run) {
        assertEquals(0, run.exit(), run.err());
        return run;
    }

    @Test
    void theUsualOutputsWithThePresetInRunJsonAndARerunResumes() throws Exception {
        Path out = dir.resolve("out");
        MainRun first = ok(run(LUCID, out, "--filter-range", "0:8"));
        assertTrue(first.out().contains("Recipe: --preset lucid --learning-rate 0.05 --steps 6 --init-sd 0.01 "
                + "--fft-decay 1.0 --transforms standard --redirected-relu-steps 17 --output-dim 48 --seed 42 "
                + "--preprocess caffe"), first.out());
        Map<Integer, Float> losses = ResultsCsv.losses(out);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), List.copyOf(losses.keySet()));
        List<String> rows = Files.readAllLines(out.resolve("results.csv"));
        long live = rows.stream().filter(l -> l.endsWith(",ok")).count();
        assertTrue(live >= 4, "random VGG16 block5_conv1 after 17 redirected steps: " + rows);
        for (String row : rows.subList(1, rows.size())) {
            int filter = Integer.parseInt(row.split(",")[1]);
            Path picture = out.resolve(String.format("filters/block5_conv1_%04d.png", filter));
            assertEquals(row.endsWith(",ok"), Files.isRegularFile(picture), row);
            if (!row.endsWith(",ok")) continue;
            RgbImage image = Png.decode(Files.readAllBytes(picture));
            assertEquals(48, image.width());
            assertEquals(48, image.height());
            assertEquals(3, image.channels());
        }
        int side = (int) Math.floor(Math.sqrt(live));
        Path grid = out.resolve("vgg_block5_conv1_" + side + "x" + side + ".png");
        assertTrue(Files.isRegularFile(grid), "grid " + grid + " in " + list(out));

        JsonNode recipe = runJson(out).get("recipe");
        assertEquals(List.of("preset", "learningRate", "steps", "initSd", "fftDecay", "transforms", "redirectedReluSteps",
                "outputWidth", "outputHeight", "seed", "model", "preprocess", "weights", "engine", "precision",
                "convolutions"), names(recipe));
        assertEquals("lucid", recipe.get("preset").asText());
        assertEquals(0.05, recipe.get("learningRate").asDouble());
        assertEquals(6, recipe.get("steps").asInt());
        assertEquals("standard", recipe.get("transforms").asText());
        assertEquals(48, recipe.get("outputWidth").asInt());
        assertEquals("caffe", recipe.get("preprocess").asText(), "VGG16 sees what it was trained on under lucid");
        String index = Files.readString(out.resolve("index.html"));
        assertTrue(index.contains("<p id=\"recipe\">Recipe: <code>--preset lucid --learning-rate 0.05 --steps 6"), index);

        // The rerun computes nothing and rewrites no picture
        Path kept;
        try (Stream<Path> pictures = Files.list(out.resolve("filters"))) {
            kept = pictures.sorted().findFirst().orElseThrow();
        }
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(kept, old);
        byte[] gridBytes = Files.readAllBytes(grid);
        MainRun again = ok(run(LUCID, out, "--filter-range", "0:8"));
        assertTrue(again.out().contains("Resuming: 8 finished filters skipped, 0 to compute"), again.out());
        assertEquals(old, Files.getLastModifiedTime(kept));
        assertArrayEquals(gridBytes, Files.readAllBytes(grid));

        // A filter's picture depends only on (seed, layer, filter): filters 2 and 3 alone, in one task, are the same
        Path alone = dir.resolve("alone");
        ok(run(LUCID, alone, "--filter-range", "2:4", "--partitions", "1"));
        for (int filter = 2; filter < 4; filter++) {
            String name = String.format("filters/block5_conv1_%04d.png", filter);
            assertEquals(Files.exists(out.resolve(name)), Files.exists(alone.resolve(name)), name);
            if (Files.exists(out.resolve(name))) {
                assertArrayEquals(Files.readAllBytes(out.resolve(name)), Files.readAllBytes(alone.resolve(name)), name);
            }
        }

        // Another number of the preset into the same folder: refused as any other recipe change
        MainRun steps = run(LUCID, out, "--filter-range", "0:8", "--steps", "7");
        assertEquals(2, steps.exit(), steps.err());
        assertEquals(List.of("filterviz: --out file:" + out + " holds pictures made with steps 6, this run has 7: use "
                + "another --out, or --overwrite to start over"), steps.err().lines().toList());
    }

    @Test
    void twoLayersGetTheirPicturesAndAnOverviewWithTheRecipe() throws Exception {
        Path out = dir.resolve("two");
        ok(run(LUCID, out, "--layer", "block1_conv1,block2_conv1", "--filter-range", "0:2", "--steps", "4",
                "--output-dim", "24"));
        assertEquals(List.of("block1_conv1,0", "block1_conv1,1", "block2_conv1,0", "block2_conv1,1"),
                Files.readAllLines(out.resolve("results.csv")).stream().skip(1)
                        .map(l -> l.split(",")[0] + "," + l.split(",")[1]).toList());
        String overview = Files.readString(out.resolve("index.html"));
        assertTrue(overview.contains("--preset lucid --learning-rate 0.05 --steps 4"), overview);
        assertEquals(24, runJson(out).get("recipe").get("outputWidth").asInt());
    }

    /**
     * The trained grey Fashion-MNIST network of one fixed size (28×28) with the preset: every logit gets a grey
     * picture; at 64 px the network sees it resized to 28. The pictures are the ones the render loop makes on its own
     * for (seed, layer, unit), with the same engine: nothing of the recipe is lost on the way to the executors.
     */
    @Test
    void aFixedSizeGreyModelFileWithThePreset() throws Exception {
        List<String> base = List.of("--model", FASHION.toString(), "--preprocess", "unit", "--preset", "lucid",
                "--layer", "logits", "--steps", "5", "--engine", "reference", "--master", "local[2]");
        Path out = dir.resolve("fashion");
        MainRun run = ok(run(base, out));
        assertTrue(run.out().contains("10 filters processed: 10 live, 0 dead"), run.out());
        assertEquals(28, runJson(out).get("recipe").get("outputWidth").asInt(), "a fixed-size model: its own size");

        Path big = dir.resolve("fashion64");
        ok(run(base, big, "--output-dim", "64", "--filter-range", "0:3", "--transforms", "none", "--seed", "7"));

        Graph network = Preprocessing.UNIT.prepend(OnnxLoader.load(FASHION));
        try (FilterObjective objective = new ReferenceBackend().compile(network).newObjective("logits", 1)) {
            LucidSettings at28 = new LucidSettings(0.05, 5, 0.01, 1.0, LucidSettings.Transforms.STANDARD, 28, 28, 1, 42,
                    17);
            LucidSettings at64 = new LucidSettings(0.05, 5, 0.01, 1.0, LucidSettings.Transforms.NONE, 64, 64, 1, 7, 17);
            for (int unit = 0; unit < 10; unit++) {
                RenderedFilter own = new LucidRenderer(LucidObjective.of(objective), at28, "logits", false, 28, 28)
                        .render(unit);
                byte[] png = Files.readAllBytes(out.resolve(String.format("filters/logits_%04d.png", unit)));
                assertEquals(0, png[25], "colour type 0: an 8-bit grey PNG");
                assertArrayEquals(Png.encode(own.image()), png, "unit " + unit);
                if (unit < 3) {
                    RenderedFilter large = new LucidRenderer(LucidObjective.of(objective), at64, "logits", false, 28, 28)
                            .render(unit);
                    byte[] png64 = Files.readAllBytes(big.resolve(String.format("filters/logits_%04d.png", unit)));
                    assertEquals(64, Png.decode(png64).width());
                    assertArrayEquals(Png.encode(large.image()), png64, "unit " + unit + " at 64 px");
                }
            }
        }
    }

    @Test
    void theAtlasOfAModelFileWithThePreset() throws Exception {
        Path out = dir.resolve("atlas");
        MainRun run = ok(run(List.of("--model", FASHION.toString(), "--preprocess", "unit", "--preset", "lucid",
                "--layer", "all", "--filter-range", "0:2", "--steps", "4", "--master", "local[2]"), out));
        List<String> rows = Files.readAllLines(out.resolve("results.csv")).subList(1, 7);
        assertEquals(List.of("/relu1/Relu_output_0", "/relu2/Relu_output_0", "/relu3/Relu_output_0"),
                rows.stream().map(l -> l.split(",")[0]).distinct().toList(), run.out());
        assertEquals(7, Files.readAllLines(out.resolve("results.csv")).size(), "3 layers, 2 filters each");
        assertTrue(Files.readString(out.resolve("index.html")).contains("Recipe: <code>--preset lucid"));
    }

    /**
     * The trained network's class pictures at the preset's defaults (512 steps, transforms, Adam, 28×28): the network
     * itself, run in double precision on the written grey pictures, puts at least 9 of the 10 into their own class.
     */
    @Test
    void fashionMnistClassPicturesAreClassifiedAsTheirOwnClass() throws Exception {
        Path out = dir.resolve("fashion-classes");
        MainRun run = ok(run(List.of("--model", FASHION.toString(), "--preprocess", "unit", "--preset", "lucid",
                "--layer", "logits", "--master", "local[2]"), out));
        assertTrue(run.out().contains("10 filters processed: 10 live, 0 dead"), run.out());
        List<Integer> predicted = ClassPictures.predicted(FASHION, out);
        long own = ClassPictures.ownClass(predicted);
        assertTrue(own >= 9, "classes of the 10 class pictures: " + predicted);
    }

    @Test
    void aKerasFolderIsRefusedToTheLucidPresetAsOtherRecipeChangesAre() throws Exception {
        List<String> keras = List.of("--weights", "random", "--filter-range", "0:2", "--output-dim", "48",
                "--upscaling-steps", "2", "--epochs", "2", "--master", "local[2]");
        Path out = dir.resolve("keras");
        ok(run(keras, out));
        assertEquals("keras", runJson(out).get("recipe").get("preset").asText());
        assertEquals("step", names(runJson(out).get("recipe")).get(1));

        MainRun lucid = run(LUCID, out, "--filter-range", "0:2");
        assertEquals(2, lucid.exit(), lucid.err());
        assertEquals(List.of("filterviz: --out file:" + out + " holds pictures made with preset \"keras\", this run has "
                + "\"lucid\": use another --out, or --overwrite to start over"), lucid.err().lines().toList());

        // run.json as filterviz wrote it before presets: no "preset", read as the Keras recipe, so the folder resumes
        Path runJson = out.resolve("run.json");
        String old = Files.readString(runJson).replaceFirst("\\s*\"preset\" : \"keras\",", "");
        assertFalse(old.contains("preset"), old);
        Files.writeString(runJson, old);
        MainRun resumed = ok(run(keras, out));
        assertTrue(resumed.out().contains("Resuming: 2 finished filters skipped, 0 to compute"), resumed.out());
        assertEquals(2, run(LUCID, out, "--filter-range", "0:2").exit(), "an old Keras folder is still not lucid's");

        MainRun overwrite = ok(run(LUCID, out, "--filter-range", "0:2", "--overwrite"));
        assertFalse(overwrite.out().contains("Resuming"), overwrite.out());
        assertEquals("lucid", runJson(out).get("recipe").get("preset").asText());
    }

    private static JsonNode runJson(Path out) throws Exception {
        return new ObjectMapper().readTree(out.resolve("run.json").toFile());
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> list(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
