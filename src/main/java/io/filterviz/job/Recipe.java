package io.filterviz.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.filterviz.engine.AscentSettings;

import java.lang.reflect.RecordComponent;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Everything that changes a filter's picture: the recipe's numbers, the weights, the engine, the number format and
 * which convolutions run as Winograd (a different rounding of the same sums). Which layers and filters a run
 * computes is not part of it: a filter's start noise depends only on (seed, layer, filter). One --out folder
 * holds pictures of one recipe; a new field here is a new component, and run.json records it by name.
 *
 * @param model    the model: a built-in's name, or a model file's name and MD5
 * @param preprocess --preprocess as settled
 * @param weights  a built-in model's --weights, with its checksum ({@code ResolvedWeights.identity()}); null for a
 *                 model file, whose weights are in it
 * @param convolutions which convolutions run as Winograd ({@code ComputeBackend.convolutions()})
 */
public record Recipe(String model, String preprocess, double step, int epochs, int upscalingSteps, double upscalingFactor, int outputWidth,
                     int outputHeight, long seed, String weights, String engine, String precision, String convolutions) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static Recipe of(String model, String preprocess, AscentSettings a, String weights, String engine,
                            String precision, String convolutions) {
        return new Recipe(model, preprocess, a.step(), a.epochs(), a.upscalingSteps(), a.upscalingFactor(), a.outputWidth(),
                a.outputHeight(), a.seed(), weights, engine, precision, convolutions);
    }

    /** One JSON field per component, in declaration order. */
    public ObjectNode toJson() {
        ObjectNode json = JSON.createObjectNode();
        try {
            for (RecordComponent c : Recipe.class.getRecordComponents()) {
                json.set(c.getName(), JSON.valueToTree(c.getAccessor().invoke(this)));
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        return json;
    }

    /**
     * The first value in which a recorded recipe differs from this one, as "epochs 2, this run has 3"; empty when
     * they are the same. Values are compared as JSON reads them back (1 and 1L alike).
     */
    Optional<String> firstDifference(JsonNode recorded) {
        JsonNode current = reread(toJson());
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
