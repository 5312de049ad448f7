package io.filterviz.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterviz.config.BadInputException;
import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.lucid.LucidSettings;
import io.filterviz.storage.OutputStore;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** run.json: the recipe guards the folder, the selections only accumulate. */
class RunRecordTest {
    private static final Recipe RECIPE = Recipe.of("vgg16", "none", AscentSettings.defaults(), "random, seed 42", "onednn", "fp32",
            "winograd-where-faster");
    private static final Recipe LUCID = Recipe.lucid("vgg16", "caffe", LucidSettings.defaults(), "random, seed 42",
            "onednn", "fp32", "winograd-where-faster");
    private static final RunRecord.Selection BLOCK5_0_16 = new RunRecord.Selection(List.of("block5_conv1"), "0:16");
    private static final RunRecord.Selection BLOCK5_ALL = new RunRecord.Selection(List.of("block5_conv1"), "0:");

    @TempDir
    Path dir;

    private OutputStore store() {
        return OutputStore.open(dir.resolve("out").toString(), new Configuration());
    }

    @Test
    void theRecipeHoldsWhatChangesAPictureAndNotTheSelection() throws Exception {
        JsonNode json = new ObjectMapper().readTree(RunRecord.first(RECIPE, BLOCK5_0_16).json());
        assertEquals(List.of("preset", "step", "epochs", "upscalingSteps", "upscalingFactor", "outputWidth", "outputHeight",
                "seed", "model", "preprocess", "weights", "engine", "precision", "convolutions"), names(json.get("recipe")));
        assertEquals("keras", json.get("recipe").get("preset").asText());
        assertEquals(412, json.get("recipe").get("outputWidth").asInt());
        assertEquals("winograd-where-faster", json.get("recipe").get("convolutions").asText());
        assertEquals("[{\"layers\":[\"block5_conv1\"],\"filterRange\":\"0:16\"}]", json.get("selections").toString());
    }

    @Test
    void anotherSelectionIsAddedOnceAndInOrder() {
        OutputStore store = store();
        assertEquals(List.of(BLOCK5_0_16), RunRecord.adding(store, RECIPE, BLOCK5_0_16).selections(), "an empty folder");
        store.write(RunRecord.FILE, RunRecord.first(RECIPE, BLOCK5_0_16).bytes());
        RunRecord grown = RunRecord.adding(store, RECIPE, BLOCK5_ALL);
        assertEquals(List.of(BLOCK5_0_16, BLOCK5_ALL), grown.selections());
        store.write(RunRecord.FILE, grown.bytes());
        assertEquals(List.of(BLOCK5_0_16, BLOCK5_ALL), RunRecord.adding(store, RECIPE, BLOCK5_0_16).selections());
    }

    @Test
    void anotherRecipeIsRefusedNamingTheFirstDifference() {
        OutputStore store = store();
        store.write(RunRecord.FILE, RunRecord.first(RECIPE, BLOCK5_0_16).bytes());
        Recipe bf16 = Recipe.of("vgg16", "none", AscentSettings.defaults(), "random, seed 42", "onednn", "bf16", "direct");
        BadInputException e = assertThrows(BadInputException.class, () -> RunRecord.adding(store, bf16, BLOCK5_ALL));
        assertTrue(e.getMessage().contains("holds pictures made with precision \"fp32\", this run has \"bf16\""),
                e.getMessage());
        Recipe direct = Recipe.of("vgg16", "none", AscentSettings.defaults(), "random, seed 42", "onednn", "fp32", "direct");
        e = assertThrows(BadInputException.class, () -> RunRecord.adding(store, direct, BLOCK5_ALL));
        assertTrue(e.getMessage().contains("convolutions \"winograd-where-faster\", this run has \"direct\""),
                e.getMessage());
    }

    @Test
    void aRecipeWithAFieldThisVersionDoesNotKnowIsRefused() throws Exception {
        OutputStore store = store();
        String json = RunRecord.first(RECIPE, BLOCK5_0_16).json().replace("\"seed\" : 42,", "\"seed\" : 42, \"jitter\" : 3,");
        store.write(RunRecord.FILE, json.getBytes(StandardCharsets.UTF_8));
        BadInputException e = assertThrows(BadInputException.class, () -> RunRecord.adding(store, RECIPE, BLOCK5_0_16));
        assertTrue(e.getMessage().contains("holds pictures made with jitter 3, this run has none"), e.getMessage());
    }

    /** run.json as filterviz wrote it before presets existed: model first, no preset. It was the Keras recipe. */
    private static final String KERAS_BEFORE_PRESETS = """
            {
              "recipe" : {
                "model" : "vgg16",
                "preprocess" : "none",
                "step" : 1.0,
                "epochs" : 15,
                "upscalingSteps" : 9,
                "upscalingFactor" : 1.2,
                "outputWidth" : 412,
                "outputHeight" : 412,
                "seed" : 42,
                "weights" : "random, seed 42",
                "engine" : "onednn",
                "precision" : "fp32",
                "convolutions" : "winograd-where-faster"
              },
              "selections" : [ {
                "layers" : [ "block5_conv1" ],
                "filterRange" : "0:16"
              } ]
            }
            """;

    /** run.json as filterviz wrote it before --model and --preprocess existed (issue 18's format): always VGG16, raw pixels. */
    private static final String BEFORE_MODELS = KERAS_BEFORE_PRESETS.replace("""
                "model" : "vgg16",
                "preprocess" : "none",
            """, "");

    @Test
    void aRunJsonFromBeforeModelsIsVgg16WithoutPreprocessingAndResumes() {
        assertFalse(BEFORE_MODELS.contains("\"model\""), BEFORE_MODELS);
        OutputStore store = store();
        store.write(RunRecord.FILE, BEFORE_MODELS.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(BLOCK5_0_16, BLOCK5_ALL), RunRecord.adding(store, RECIPE, BLOCK5_ALL).selections());

        store.write(RunRecord.FILE, BEFORE_MODELS.getBytes(StandardCharsets.UTF_8));
        Recipe caffe = Recipe.of("vgg16", "caffe", AscentSettings.defaults(), "random, seed 42", "onednn", "fp32",
                "winograd-where-faster");
        BadInputException e = assertThrows(BadInputException.class, () -> RunRecord.adding(store, caffe, BLOCK5_ALL));
        assertTrue(e.getMessage().contains("holds pictures made with preprocess \"none\", this run has \"caffe\""),
                e.getMessage());
    }

    @Test
    void aRunJsonWithoutPresetIsTheKerasRecipes() {
        OutputStore store = store();
        store.write(RunRecord.FILE, KERAS_BEFORE_PRESETS.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(BLOCK5_0_16, BLOCK5_ALL), RunRecord.adding(store, RECIPE, BLOCK5_ALL).selections());
        BadInputException e = assertThrows(BadInputException.class, () -> RunRecord.adding(store, LUCID, BLOCK5_ALL));
        assertTrue(e.getMessage().endsWith("holds pictures made with preset \"keras\", this run has \"lucid\": use "
                + "another --out, or --overwrite to start over"), e.getMessage());
    }

    @Test
    void theLucidRecipeRecordsThePresetFirstThenItsNumbers() throws Exception {
        JsonNode recipe = new ObjectMapper().readTree(RunRecord.first(LUCID, BLOCK5_0_16).json()).get("recipe");
        assertEquals(List.of("preset", "learningRate", "steps", "initSd", "fftDecay", "transforms", "redirectedReluSteps",
                "outputWidth", "outputHeight", "seed", "model", "preprocess", "weights", "engine", "precision",
                "convolutions"), names(recipe));
        assertEquals("{\"preset\":\"lucid\",\"learningRate\":0.05,\"steps\":512,\"initSd\":0.01,\"fftDecay\":1.0,"
                + "\"transforms\":\"standard\",\"redirectedReluSteps\":17,\"outputWidth\":128,\"outputHeight\":128,"
                + "\"seed\":42,", recipe.toString().substring(0, recipe.toString().indexOf("\"model\"")));
        assertEquals("--preset lucid --learning-rate 0.05 --steps 512 --init-sd 0.01 --fft-decay 1.0 --transforms "
                + "standard --redirected-relu-steps 17 --output-dim 128 --seed 42 --preprocess caffe", LUCID.summary());
        assertEquals("--preset keras --step 1.0 --epochs 15 --upscaling-steps 9 --upscaling-factor 1.2 --output-dim 412 "
                + "--seed 42 --preprocess none", RECIPE.summary());

        OutputStore store = store();
        store.write(RunRecord.FILE, RunRecord.first(LUCID, BLOCK5_0_16).bytes());
        assertEquals(2, RunRecord.adding(store, LUCID, BLOCK5_ALL).selections().size(), "the same recipe adds");
        Recipe deterministic = Recipe.lucid("vgg16", "caffe", new LucidSettings(0.05, 512, 0.0, 1.0,
                LucidSettings.Transforms.NONE, 128, 128, 3, 42, 17), "random, seed 42", "onednn", "fp32",
                "winograd-where-faster");
        BadInputException e = assertThrows(BadInputException.class, () -> RunRecord.adding(store, deterministic, BLOCK5_ALL));
        assertTrue(e.getMessage().contains("holds pictures made with initSd 0.01, this run has 0.0"), e.getMessage());
    }

    @Test
    void anUnreadableRunJsonIsRefusedInOneLine() {
        OutputStore store = store();
        store.write(RunRecord.FILE, "{\"recipe\": ".getBytes(StandardCharsets.UTF_8));
        BadInputException e = assertThrows(BadInputException.class, () -> RunRecord.adding(store, RECIPE, BLOCK5_0_16));
        assertEquals("--out " + store.uri("") + " holds an unreadable run.json: use another --out, or --overwrite to "
                + "start over", e.getMessage());
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
