package io.filterviz.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.filterviz.config.BadInputException;
import io.filterviz.engine.AscentSettings;
import io.filterviz.storage.OutputStore;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code DIR/run.json}: the parameters a run's pictures depend on. A rerun into the same --out must match them to
 * resume; anything else would mix pictures of two different runs.
 */
public final class RunParameters {
    public static final String FILE = "run.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode values = JSON.createObjectNode();

    /**
     * @param model      the model's name, or its file and MD5
     * @param preprocess --preprocess as settled
     * @param weights    a built-in model's weights (imagenet, random, a file and its MD5); null for a model file
     */
    RunParameters(List<String> layers, String filterRange, AscentSettings a, String model, String preprocess,
                  String weights, String engine, String precision) {
        values.put("model", model);
        values.put("preprocess", preprocess);
        values.putPOJO("layers", layers);
        values.put("filterRange", filterRange);
        values.put("step", a.step());
        values.put("epochs", a.epochs());
        values.put("upscalingSteps", a.upscalingSteps());
        values.put("upscalingFactor", a.upscalingFactor());
        values.put("outputWidth", a.outputWidth());
        values.put("outputHeight", a.outputHeight());
        values.put("seed", a.seed());
        if (weights != null) values.put("weights", weights);
        // bf16 changes the pictures, and two engines round fp32 sums differently: a resumed run must not mix them.
        values.put("engine", engine);
        values.put("precision", precision);
    }

    public String json() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(values) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] bytes() { return json().getBytes(StandardCharsets.UTF_8); }

    /** Exit-2 check before any task: a previous run in --out must have had the same parameters. */
    void checkResumable(OutputStore store) {
        if (!store.exists(FILE)) return;
        JsonNode previous;
        JsonNode current;
        try {
            current = JSON.readTree(json()); // as a reader sees it: numbers typed as they read back
            previous = JSON.readTree(store.read(FILE));
        } catch (java.io.IOException e) {
            throw new BadInputException("--out " + store.uri("") + " holds an unreadable " + FILE
                    + ": use another --out, or --overwrite to start over");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = current.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode old = previous.get(field.getKey());
            if (!field.getValue().equals(old)) {
                throw new BadInputException("--out " + store.uri("") + " holds a run with " + field.getKey() + " "
                        + (old == null ? "(none)" : old.toString()) + ", this one has " + field.getValue()
                        + ": use another --out, or --overwrite to start over");
            }
        }
        if (!current.equals(previous)) {
            throw new BadInputException("--out " + store.uri("") + " holds a run with other parameters (" + FILE
                    + "): use another --out, or --overwrite to start over");
        }
    }
}
