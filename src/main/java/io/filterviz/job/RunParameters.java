package io.filterviz.job;

import io.filterviz.config.BadInputException;
import io.filterviz.engine.AscentSettings;
import io.filterviz.storage.OutputStore;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code DIR/run.json}: the parameters a run's pictures depend on. A rerun into the same --out must match them to
 * resume; anything else would mix pictures of two different runs.
 */
public final class RunParameters {
    public static final String FILE = "run.json";

    private final Map<String, String> values = new LinkedHashMap<>();

    RunParameters(String layer, int from, int to, AscentSettings a, String weights) {
        values.put("layer", quote(layer));
        values.put("filterRange", quote(from + ":" + to));
        values.put("step", String.valueOf(a.step()));
        values.put("epochs", String.valueOf(a.epochs()));
        values.put("upscalingSteps", String.valueOf(a.upscalingSteps()));
        values.put("upscalingFactor", String.valueOf(a.upscalingFactor()));
        values.put("outputWidth", String.valueOf(a.outputWidth()));
        values.put("outputHeight", String.valueOf(a.outputHeight()));
        values.put("seed", String.valueOf(a.seed()));
        values.put("weights", quote(weights));
    }

    public String json() {
        StringBuilder s = new StringBuilder("{\n");
        int i = 0;
        for (Map.Entry<String, String> e : values.entrySet()) {
            s.append("  \"").append(e.getKey()).append("\": ").append(e.getValue())
                    .append(++i < values.size() ? ",\n" : "\n");
        }
        return s.append("}\n").toString();
    }

    public byte[] bytes() { return json().getBytes(StandardCharsets.UTF_8); }

    /** Exit-2 check before any task: a previous run in --out must have had the same parameters. */
    void checkResumable(OutputStore store) {
        if (!store.exists(FILE)) return;
        String previous = new String(store.read(FILE), StandardCharsets.UTF_8);
        if (previous.equals(json())) return;
        List<String> before = previous.lines().map(String::trim).toList();
        for (String line : json().lines().map(String::trim).toList()) {
            if (!before.contains(line)) {
                String key = line.substring(1, line.indexOf('"', 1));
                String old = before.stream().filter(l -> l.startsWith("\"" + key + "\"")).findFirst()
                        .map(l -> l.substring(l.indexOf(':') + 1).trim().replaceAll(",$", "")).orElse("(none)");
                throw new BadInputException(String.format(Locale.ROOT,
                        "--out %s holds a run with %s %s, this one has %s: use another --out, or --overwrite to start over",
                        store.uri(""), key, old, line.substring(line.indexOf(':') + 1).trim().replaceAll(",$", "")));
            }
        }
        throw new BadInputException("--out " + store.uri("") + " holds a run with other parameters (" + FILE
                + "): use another --out, or --overwrite to start over");
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
