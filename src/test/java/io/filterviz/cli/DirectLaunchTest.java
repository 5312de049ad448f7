package io.filterviz.cli;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Main launched with plain {@code java} and no log4j2 configuration (no submit.sh): --list-layers prints the list and
 * nothing else, without Spark's "Using Spark's default log4j profile" banner or INFO lines.
 */
class DirectLaunchTest {
    @Test
    void listLayersPrintsOnlyTheList() throws Exception {
        // the application's class path without the tests' (whose log4j2-test.properties would hide the banner)
        String classPath = Arrays.stream(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
                        .split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes")).collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.add("@" + Path.of("conf/java17.args").toAbsolutePath());
        command.addAll(List.of("-cp", classPath, Main.class.getName(), "--model",
                "src/test/resources/models/fashion_mnist_cnn.onnx", "--preprocess", "unit", "--list-layers"));
        Path err = Files.createTempFile("direct-launch", ".err");
        Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(2, TimeUnit.MINUTES));
        String stderr = Files.readString(err);
        assertEquals(0, process.exitValue(), stderr);
        assertTrue(out.startsWith("fashion_mnist_cnn: input 1×28×28"), out);
        assertTrue(stderr.lines().noneMatch(l -> l.contains("log4j") || l.contains(" INFO ")), stderr);
        Files.delete(err);
    }
}
