package io.filterviz.storage;

import io.filterviz.result.FilterId;
import io.filterviz.result.FilterRecord;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

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

    /** What a previous run into the same --out finished (run.json already matched). */
    public Map<FilterId, FilterRecord> finished() {
        Map<FilterId, FilterRecord> finished = new TreeMap<>(FilterId.BY_LAYER_THEN_FILTER);
        for (String name : store.list(FOLDER)) {
            FilterRecord row = FilterRecord.parseCsvRow(new String(store.read(FOLDER + "/" + name), StandardCharsets.UTF_8));
            finished.put(row.id(), row);
        }
        return finished;
    }

    public void markFinished(FilterRecord record) {
        store.write(FOLDER + "/" + record.id().stem() + ".csv", (record.csvRow() + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
