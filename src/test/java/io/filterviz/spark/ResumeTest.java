package io.filterviz.spark;

import io.filterviz.testing.MainRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A rerun into the same --out computes only what is missing, and refuses to mix runs. */
class ResumeTest {
    private static final List<String> SMALL = List.of("--weights", "random", "--filter-range", "0:6",
            "--output-dim", "48", "--upscaling-steps", "2", "--epochs", "2", "--master", "local[2]");

    @TempDir
    Path dir;

    private MainRun run(Path out, String... extra) {
        List<String> args = new ArrayList<>(SMALL);
        args.addAll(List.of(extra));
        args.addAll(List.of("--out", out.toString()));
        return MainRun.of(args);
    }

    @Test
    void aRerunComputesOnlyTheMissingFiltersAndGivesTheSameResults() throws Exception {
        Path out = dir.resolve("out");
        assertEquals(0, run(out).exit());
        byte[] grid = Files.readAllBytes(out.resolve("vgg_block5_conv1_2x2.png"));
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals("[{\"layers\":[\"block5_conv1\"],\"filterRange\":\"0:6\"}]",
                runJson(out).get("selections").toString());

        // As if the driver had died before filters 1 and 4 were persisted:
        for (int f : new int[]{1, 4}) {
            Files.delete(out.resolve(String.format("state/block5_conv1_%04d.csv", f)));
            Files.deleteIfExists(out.resolve(String.format("filters/block5_conv1_%04d.png", f)));
        }
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Path kept;
        try (var pictures = Files.list(out.resolve("filters"))) {
            kept = pictures.filter(p -> p.toString().endsWith(".png")).sorted().findFirst().orElseThrow();
        }
        Files.setLastModifiedTime(kept, old);

        MainRun again = run(out);
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("Resuming: 4 finished filters skipped, 2 to compute"), again.out());
        assertEquals(2, again.out().lines().filter(l -> l.startsWith("Costs of filter") || l.contains("is dead")).count(),
                again.out());
        assertEquals(old, Files.getLastModifiedTime(kept), "a finished filter's picture is not rewritten");
        assertEquals(strip(csv), strip(Files.readAllLines(out.resolve("results.csv"))));
        assertArrayEquals(grid, Files.readAllBytes(out.resolve("vgg_block5_conv1_2x2.png")), "same grid");
        assertEquals(1, runJson(out).get("selections").size(), "the same selection is recorded once");
    }

    @Test
    void aHalfWrittenRowOrACutPictureIsComputedAgainWithOneLineEach() throws Exception {
        Path out = dir.resolve("out");
        assertEquals(0, run(out).exit());
        byte[] grid = Files.readAllBytes(out.resolve("vgg_block5_conv1_2x2.png"));
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        List<String> live = csv.stream().filter(l -> l.endsWith(",ok")).map(l -> l.split(",")[1]).toList();
        assertTrue(live.size() >= 4, "the grid needs 4 live filters: " + csv);

        Path row = out.resolve(String.format("state/block5_conv1_%04d.csv", Integer.parseInt(live.get(0))));
        String whole = Files.readString(row);
        String cut = whole.substring(0, whole.indexOf(',', whole.indexOf(',') + 1) + 3); // "layer,f,12"
        Files.writeString(row, cut);
        Path picture = out.resolve(String.format("filters/block5_conv1_%04d.png", Integer.parseInt(live.get(1))));
        byte[] png = Files.readAllBytes(picture);
        Files.write(picture, java.util.Arrays.copyOf(png, png.length / 2));

        MainRun again = run(out);
        assertEquals(0, again.exit(), again.err());
        assertEquals(List.of("filterviz: file:" + row + " is not a whole row (" + cut + "): computing that filter again"),
                again.err().lines().filter(l -> l.contains(row.getFileName().toString())).toList(), again.err());
        assertEquals(1, again.err().lines().filter(l -> l.startsWith("filterviz: file:" + picture + " cannot be read ("))
                .count(), again.err());
        assertTrue(again.out().contains("Resuming: 4 finished filters skipped, 2 to compute"), again.out());
        assertEquals(strip(csv), strip(Files.readAllLines(out.resolve("results.csv"))));
        assertArrayEquals(png, Files.readAllBytes(picture), "the cut picture is whole again");
        assertEquals(strip(List.of(whole.strip())), strip(List.of(Files.readString(row).strip())), "the row is whole again");
        assertArrayEquals(grid, Files.readAllBytes(out.resolve("vgg_block5_conv1_2x2.png")), "same grid");
    }

    @Test
    void otherParametersIntoTheSameOutAreRefusedUnlessOverwrite() throws Exception {
        Path out = dir.resolve("out");
        assertEquals(0, run(out).exit());
        MainRun other = run(out, "--epochs", "3");
        assertEquals(2, other.exit());
        assertTrue(other.err().contains("holds pictures made with epochs 2, this run has 3"), other.err());
        assertTrue(other.err().contains("--overwrite"), other.err());

        MainRun overwrite = run(out, "--epochs", "3", "--overwrite");
        assertEquals(0, overwrite.exit(), overwrite.err());
        assertFalse(overwrite.out().contains("Resuming"), overwrite.out());
        assertEquals(3, runJson(out).get("recipe").get("epochs").asInt());
        assertEquals(1, runJson(out).get("selections").size(), "started over: the old selection is gone");
    }

    private static JsonNode runJson(Path out) throws Exception {
        return new ObjectMapper().readTree(out.resolve("run.json").toFile());
    }

    /** Rows without the seconds column, which differ between runs. */
    private static List<String> strip(List<String> rows) {
        return rows.stream().map(l -> l.replaceAll(",[0-9.]+,([^,]+,(ok|dead))$", ",$1")).toList();
    }
}
