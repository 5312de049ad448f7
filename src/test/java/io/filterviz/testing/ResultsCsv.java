package io.filterviz.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** results.csv as the tests read it: each filter's loss, by filter number, each filter once. */
public final class ResultsCsv {
    private ResultsCsv() {}

    /** The kernels cell of the first row: one run on one machine has one signature. */
    public static String kernels(Path out) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("results.csv"));
        return lines.get(1).split(",")[List.of(lines.get(0).split(",")).indexOf("kernels")];
    }

    public static Map<Integer, Float> losses(Path out) throws IOException {
        return losses(Files.readAllLines(out.resolve("results.csv")));
    }

    /** @param lines the file's lines, header first (columns found by name) */
    public static Map<Integer, Float> losses(List<String> lines) {
        List<String> header = List.of(lines.get(0).split(","));
        int filter = header.indexOf("filter"), loss = header.indexOf("loss");
        Map<Integer, Float> losses = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",");
            assertEquals(null, losses.put(Integer.parseInt(cells[filter]), Float.parseFloat(cells[loss])),
                    "filter twice: " + line);
        }
        return losses;
    }
}
