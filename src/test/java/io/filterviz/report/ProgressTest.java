package io.filterviz.report;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressTest {
    @Test
    void plainLogLinesCarryTheCounts() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Progress progress = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false)) {
            progress.start(3);
            progress.filterDone(new FilterRecord(7, 123.4f, 4.56, false, null));
            progress.filterDone(new FilterRecord(9, 0f, 0.5, true, null));
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).startsWith("Costs of filter   7:   123 ( 4.56s )  [1/3, 0 dead, "), lines.get(0));
        assertTrue(lines.get(1).startsWith("Filter   9 is dead: its loss stayed at 0.00 ( 0.50s )  [2/3, 1 dead, "), lines.get(1));
        assertTrue(lines.get(1).matches(".*filters/min, ETA \\d+m\\d\\ds]$"), lines.get(1));
    }

    @Test
    void etaFormat() {
        assertEquals("2h05m", Progress.format(Duration.ofMinutes(125)));
        assertEquals("3m07s", Progress.format(Duration.ofSeconds(187)));
    }
}
