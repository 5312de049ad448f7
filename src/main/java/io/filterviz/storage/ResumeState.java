package io.filterviz.storage;

import io.filterviz.result.FilterId;
import io.filterviz.result.FilterRecord;

import io.filterviz.text.OneLine;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@code DIR/state/}: one small file per finished (layer, filter), written the moment its result reaches the
 * driver (after its picture), so a rerun after a crash skips it. Its presence means "finished".
 */
public final class ResumeState {
    static final String FOLDER = "state";

    private final OutputStore store;

    public ResumeState(OutputStore store) {
        this.store = store;
    }

    /**
     * What a previous run into the same --out finished (run.json already matched). A row that does not parse (a
     * half-written line) is left out, so its filter is computed again and its file rewritten; {@code warnings}
     * gets one line for it.
     */
    public Map<FilterId, FilterRecord> finished(Consumer<String> warnings) {
        Map<FilterId, FilterRecord> finished = new TreeMap<>(FilterId.BY_LAYER_THEN_FILTER);
        for (String name : store.list(FOLDER)) {
            String text = new String(store.read(FOLDER + "/" + name), StandardCharsets.UTF_8);
            try {
                FilterRecord row = FilterRecord.parseCsvRow(text);
                if (!name.equals(row.id().stem() + ".csv")) throw new IllegalArgumentException("row of another filter");
                finished.put(row.id(), row);
            } catch (IllegalArgumentException e) { // NumberFormatException included
                warnings.accept("filterviz: " + store.uri(FOLDER + "/" + name) + " is not a whole row ("
                        + OneLine.of(text.strip()) + "): computing that filter again");
            }
        }
        return finished;
    }

    public void markFinished(FilterRecord record) {
        store.write(FOLDER + "/" + record.id().stem() + ".csv", (record.csvRow() + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
