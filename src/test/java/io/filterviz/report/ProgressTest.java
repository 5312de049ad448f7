package io.filterviz.report;

import io.filterviz.result.FilterId;
import io.filterviz.result.FilterRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressTest {
    private static FilterRecord record(String layer, int filter, float loss, boolean dead) {
        return new FilterRecord(new FilterId(layer, filter), loss, 0.5, dead, FilterRecord.UNRECORDED, null);
    }

    private static List<String> lines(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void plainLogLinesCarryTheKerasLineAndTheCounts() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Progress progress = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false)) {
            progress.start(List.of(new FilterId("b", 7), new FilterId("b", 9), new FilterId("b", 11)));
            progress.filterDone(record("b", 7, 123.4f, false));
            progress.filterDone(record("b", 9, 0f, true));
        }
        List<String> lines = lines(bytes);
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).startsWith("Costs of filter   7:   123 ( 0.50s )  [filters "), lines.get(0));
        assertTrue(lines.get(0).contains(" 1/3 filters "), lines.get(0));
        assertTrue(lines.get(0).endsWith("filters/min · 0 dead]"), lines.get(0));
        assertTrue(lines.get(1).startsWith("Filter   9 is dead: its loss stayed at 0.00 ( 0.50s )  [filters "), lines.get(1));
        assertTrue(lines.get(1).contains(" 2/3 filters "), lines.get(1));
        assertTrue(lines.get(1).endsWith("· 1 dead]"), lines.get(1));
    }

    @Test
    void severalLayersNameTheLayerAndSayWhenEachIsComplete() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Progress progress = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false)) {
            progress.start(List.of(new FilterId("block1_conv1", 0), new FilterId("block1_conv1", 1),
                    new FilterId("block2_conv1", 0)));
            progress.filterDone(record("block1_conv1", 1, 5f, true));
            progress.filterDone(record("block2_conv1", 0, 7f, false));
            progress.filterDone(record("block1_conv1", 0, 9f, false));
        }
        List<String> lines = lines(bytes);
        assertTrue(lines.get(0).startsWith("Filter   1 of block1_conv1 is dead"), lines.get(0));
        assertTrue(lines.get(1).startsWith("Costs of block2_conv1 filter   0:     7"), lines.get(1));
        assertEquals("Layer block2_conv1 complete: 0 dead", lines.get(2));
        assertTrue(lines.get(3).startsWith("Costs of block1_conv1 filter   0:     9"), lines.get(3));
        assertEquals("Layer block1_conv1 complete: 1 dead", lines.get(4));
        assertEquals(5, lines.size());
    }

    @Test
    void durationsReadAsAPersonWritesThem() {
        assertEquals("2h05m", Progress.format(Duration.ofMinutes(125)));
        assertEquals("3m07s", Progress.format(Duration.ofSeconds(187)));
    }

    @Test
    void theRunEndsWithAGrammaticalCount() {
        assertEquals("8 filters processed: 6 live, 2 dead", RunReport.summary(8, 2));
        assertEquals("1 filter processed: 0 live, 1 dead", RunReport.summary(1, 1));
    }
}
