package io.filterviz.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.filterviz.config.BadInputException;
import io.filterviz.storage.OutputStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code DIR/run.json}: the {@link Recipe} every picture in the folder was made with, and the selections (layers,
 * filter range) run into it, oldest first. A run with the same recipe adds to the folder whatever it selects; a
 * run with another recipe is refused, since the folder would mix two kinds of pictures.
 */
public final class RunRecord {
    public static final String FILE = "run.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one run computes: its layers (network order) and --filter-range as given. */
    public record Selection(List<String> layers, String filterRange) {
        public Selection {
            layers = List.copyOf(layers);
        }
    }

    private final Recipe recipe;
    private final List<Selection> selections;

    private RunRecord(Recipe recipe, List<Selection> selections) {
        this.recipe = recipe;
        this.selections = List.copyOf(selections);
    }

    /** The record of a folder that holds nothing yet (or is started over). */
    static RunRecord first(Recipe recipe, Selection selection) {
        return new RunRecord(recipe, List.of(selection));
    }

    /**
     * Exit-2 check before anything is written: a run.json in --out must hold this recipe. Returns what run.json
     * becomes, the folder's selections with this one added (once).
     */
    static RunRecord adding(OutputStore store, Recipe recipe, Selection selection) {
        if (!store.exists(FILE)) return first(recipe, selection);
        JsonNode recorded;
        try {
            recorded = JSON.readTree(store.read(FILE));
        } catch (IOException | RuntimeException e) {
            throw refused(store, "holds an unreadable " + FILE);
        }
        if (recorded == null || !recorded.isObject()) throw refused(store, "holds an unreadable " + FILE);
        if (!recorded.has("recipe")) {
            // Before recipe and selection were split, run.json was one flat object without the convolution choice.
            throw refused(store, "was written by an earlier filterviz whose " + FILE
                    + " does not record the convolution choice");
        }
        List<Selection> selections = selections(recorded.get("selections"));
        if (selections == null) throw refused(store, "holds an unreadable " + FILE);
        String difference = recipe.firstDifference(recorded.get("recipe")).orElse(null);
        if (difference != null) throw refused(store, "holds pictures made with " + difference);
        if (!selections.contains(selection)) selections.add(selection);
        return new RunRecord(recipe, selections);
    }

    private static BadInputException refused(OutputStore store, String why) {
        return new BadInputException("--out " + store.uri("") + " " + why
                + ": use another --out, or --overwrite to start over");
    }

    /** Null when the node is not a list of selections. */
    private static List<Selection> selections(JsonNode node) {
        if (node == null || !node.isArray()) return null;
        List<Selection> selections = new ArrayList<>();
        for (JsonNode s : node) {
            JsonNode layers = s.get("layers"), range = s.get("filterRange");
            if (layers == null || !layers.isArray() || range == null || !range.isTextual()) return null;
            List<String> names = new ArrayList<>();
            layers.forEach(l -> names.add(l.asText()));
            selections.add(new Selection(names, range.asText()));
        }
        return selections;
    }

    public Recipe recipe() { return recipe; }

    public List<Selection> selections() { return selections; }

    public String json() {
        ObjectNode root = JSON.createObjectNode();
        root.set("recipe", recipe.toJson());
        ArrayNode list = root.putArray("selections");
        for (Selection s : selections) {
            ObjectNode node = list.addObject();
            s.layers().forEach(node.putArray("layers")::add);
            node.put("filterRange", s.filterRange());
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] bytes() { return json().getBytes(StandardCharsets.UTF_8); }
}
