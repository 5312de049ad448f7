package io.filterviz.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.filterviz.config.Preset;
import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.lucid.LucidSettings;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Everything that changes a filter's picture: the preset and its numbers, the model and its preprocessing, the
 * weights, the engine, the number format and which convolutions run as Winograd (a different rounding of the same
 * sums). Which layers and filters a run computes is not part of it: a filter's start depends only on (seed, layer,
 * filter). One --out folder holds pictures of one recipe; run.json records each field by name, the preset first.
 * A run.json written before presets existed has no {@code preset}: it was the Keras recipe, and reads as
 * {@code keras}.
 */
public final class Recipe {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PRESET = "preset";

    private final Preset preset;
    /** The preset's numbers, in order, as run.json names them (each the option's name in camel case). */
    private final Map<String, Object> numbers;
    private final Map<String, Object> rest = new LinkedHashMap<>();

    private Recipe(Preset preset, Map<String, Object> numbers, String model, String preprocess, String weights,
                   String engine, String precision, String convolutions) {
        this.preset = preset;
        this.numbers = numbers;
        rest.put("model", model);
        rest.put("preprocess", preprocess);
        rest.put("weights", weights);
        rest.put("engine", engine);
        rest.put("precision", precision);
        rest.put("convolutions", convolutions);
    }

    /**
     * The Keras recipe.
     *
     * @param model        the model: a built-in's name, or a model file's name and MD5
     * @param preprocess   --preprocess as settled
     * @param weights      a built-in model's --weights, with its checksum ({@code ResolvedWeights.identity()}); null
     *                     for a model file, whose weights are in it
     * @param convolutions which convolutions run as Winograd ({@code ComputeBackend.convolutions()})
     */
    public static Recipe of(String model, String preprocess, AscentSettings a, String weights, String engine,
                            String precision, String convolutions) {
        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("step", a.step());
        numbers.put("epochs", a.epochs());
        numbers.put("upscalingSteps", a.upscalingSteps());
        numbers.put("upscalingFactor", a.upscalingFactor());
        numbers.put("outputWidth", a.outputWidth());
        numbers.put("outputHeight", a.outputHeight());
        numbers.put("seed", a.seed());
        return new Recipe(Preset.KERAS, numbers, model, preprocess, weights, engine, precision, convolutions);
    }

    /** The lucid preset, its numbers as settled (the picture's size included); the rest as {@link #of}. */
    public static Recipe lucid(String model, String preprocess, LucidSettings l, String weights, String engine,
                               String precision, String convolutions) {
        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("learningRate", l.learningRate());
        numbers.put("steps", l.steps());
        numbers.put("initSd", l.initSd());
        numbers.put("fftDecay", l.fftDecay());
        numbers.put("transforms", l.transforms().name().toLowerCase(Locale.ROOT));
        numbers.put("redirectedReluSteps", l.redirectedReluSteps());
        numbers.put("outputWidth", l.outputWidth());
        numbers.put("outputHeight", l.outputHeight());
        numbers.put("seed", l.seed());
        return new Recipe(Preset.LUCID, numbers, model, preprocess, weights, engine, precision, convolutions);
    }

    public Preset preset() { return preset; }

    /** One JSON field per value: the preset, its numbers, then model, preprocess, weights, engine, precision, convolutions. */
    public ObjectNode toJson() {
        ObjectNode json = JSON.createObjectNode();
        json.put(PRESET, preset.label());
        numbers.forEach((name, value) -> json.set(name, JSON.valueToTree(value)));
        rest.forEach((name, value) -> json.set(name, JSON.valueToTree(value)));
        return json;
    }

    /**
     * The preset and its numbers as options, for people: "--preset lucid --learning-rate 0.05 --steps 512 ...
     * --output-dim 128 --seed 42 --preprocess caffe".
     */
    public String summary() {
        List<String> parts = new ArrayList<>(List.of("--preset " + preset.label()));
        Object width = numbers.get("outputWidth"), height = numbers.get("outputHeight");
        numbers.forEach((name, value) -> {
            if (name.equals("outputWidth")) {
                parts.add("--output-dim " + (width.equals(height) ? width : width + "x" + height));
            } else if (!name.equals("outputHeight")) {
                parts.add("--" + name.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT) + " " + value);
            }
        });
        parts.add("--preprocess " + rest.get("preprocess"));
        return String.join(" ", parts);
    }

    /**
     * The first value in which a recorded recipe differs from this one, as "epochs 2, this run has 3"; empty when
     * they are the same. Values are compared as JSON reads them back (1 and 1L alike); a recipe recorded without a
     * preset is the Keras recipe's, and one without a model or preprocessing is of VGG16 with none (as every run was
     * before those options existed), so folders of earlier versions resume.
     */
    Optional<String> firstDifference(JsonNode recorded) {
        JsonNode current = reread(toJson());
        if (recorded.isObject()) {
            ObjectNode filled = JSON.createObjectNode();
            // Fields later versions added, as the versions before them always ran: the Keras recipe (before presets)
            // on Keras' VGG16 without preprocessing (before --model and --preprocess).
            if (!recorded.has(PRESET)) filled.put(PRESET, Preset.KERAS.label());
            if (!recorded.has("model")) filled.put("model", "vgg16");
            if (!recorded.has("preprocess")) filled.put("preprocess", "none");
            filled.setAll((ObjectNode) recorded);
            recorded = filled;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = current.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode old = recorded.get(field.getKey());
            if (!field.getValue().equals(old)) {
                return Optional.of(field.getKey() + " " + (old == null ? "(not recorded)" : old.toString())
                        + ", this run has " + field.getValue());
            }
        }
        for (Iterator<String> names = recorded.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!current.has(name)) return Optional.of(name + " " + recorded.get(name) + ", this run has none");
        }
        return Optional.empty();
    }

    private static JsonNode reread(JsonNode node) {
        try {
            return JSON.readTree(JSON.writeValueAsString(node));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
