package io.filterviz.cli;

import io.filterviz.model.graph.ModelMemoryException;
import io.filterviz.testing.BigOnnx;
import io.filterviz.testing.MainRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A model larger than the heap, as a user meets it (issue 26): an ONNX file of 500 MB, nearly all of it one dense
 * layer past the convolution, run by Main in a child JVM whose -Xmx is the bound being proved. The file is written
 * here (a few seconds), never committed.
 */
class BigModelHeapTest {
    private static final int MEGABYTES = 500;

    @TempDir
    static Path dir;
    private static Path model;

    @BeforeAll
    static void writeModel() {
        model = BigOnnx.write(dir.resolve("big.onnx"), BigOnnx.unitsFor(MEGABYTES), false);
    }

    /** One filter of {@code layer} at small sizes, local mode, in a child JVM of heap {@code heap}. */
    private static Child render(String heap, String layer, Path out) throws Exception {
        return child(heap, List.of("--model", model.toString(), "--preprocess", "unit", "--layer", layer,
                "--filter-range", "0:1", "--output-dim", "16", "--upscaling-steps", "1", "--epochs", "2",
                "--master", "local[1]", "--out", out.toString()));
    }

    /** Needs no weights: a heap far smaller than the file lists it (the whole file's bytes cannot be on the heap). */
    @Test
    void listsInAHeapSmallerThanTheFile() throws Exception {
        Child run = child("128m", List.of("--model", model.toString(), "--preprocess", "unit", "--list-layers"));
        assertEquals(0, run.exit, run.err);
        assertTrue(run.out.contains(BigOnnx.LOGITS) && run.out.contains(BigOnnx.RELU), run.out);
    }

    /**
     * A render of the convolution reads its weights only, driver and task in one 640 MB JVM (Spark's local mode
     * needs about 450 MB): the 500 MB dense layer past it is never decoded.
     */
    @Test
    void rendersALayerBeforeTheLargeOneInASmallHeap() throws Exception {
        Path out = dir.resolve("render");
        Child run = render("640m", BigOnnx.RELU, out);
        assertEquals(0, run.exit, run.err);
        assertTrue(Files.isRegularFile(out.resolve("results.csv")), run.out);
        assertTrue(Files.readString(out.resolve("results.csv")).contains(BigOnnx.RELU + ",0,"), run.out);
    }

    /** The dense layer itself cannot fit: one line naming the file, its size and --driver-memory, exit 2, no trace. */
    @Test
    void aLayerTheHeapCannotHoldIsOneLine() throws Exception {
        Path out = dir.resolve("refused");
        Child run = render("640m", BigOnnx.LOGITS, out);
        assertEquals(2, run.exit, run.err);
        List<String> lines = run.err.lines().filter(l -> !l.startsWith("filterviz: local mode")).toList();
        assertEquals(1, lines.size(), run.err);
        String size = ModelMemoryException.megabytes(Files.size(model));
        assertTrue(lines.get(0).startsWith("filterviz: model file big.onnx (" + size + ") needs about "), lines.get(0));
        assertTrue(lines.get(0).endsWith("; raise --driver-memory"), lines.get(0));
        assertFalse(run.err.contains("OutOfMemoryError"), run.err);
        assertFalse(Files.exists(out.resolve("run.json")), "refused before anything is written");
    }

    /** External data missing on the driver: one line naming the file, exit 2. */
    @Test
    void missingExternalDataIsOneLine() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("external"));
        Path small = BigOnnx.write(folder.resolve("small.onnx"), 10, true);
        assertEquals(0, MainRun.of(List.of("--model", small.toString(), "--preprocess", "unit", "--list-layers")).exit());
        Files.delete(folder.resolve("weights").resolve("small.onnx.data"));
        MainRun run = MainRun.of(List.of("--model", small.toString(), "--preprocess", "unit", "--list-layers"));
        assertEquals(2, run.exit(), run.err());
        assertEquals("filterviz: model file small.onnx: initializer w keeps its data in weights/small.onnx.data, which is "
                + "missing (looked in " + folder.toAbsolutePath() + ")", run.err().strip());
    }

    private record Child(int exit, String out, String err) {}

    /** Main in a JVM of this heap, on the application's class path. */
    private static Child child(String heap, List<String> args) throws Exception {
        String classPath = Arrays.stream(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
                        .split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes")).collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + Path.of("conf/java17.args").toAbsolutePath(), "-Xmx" + heap, "-cp", classPath, Main.class.getName()));
        command.addAll(args);
        Path err = Files.createTempFile(dir, "child", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile());
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1"); // as submit.sh: no warnings about the host's address
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(3, TimeUnit.MINUTES), "the child JVM did not finish");
        return new Child(process.exitValue(), out, Files.readString(err));
    }
}
