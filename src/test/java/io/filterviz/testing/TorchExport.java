package io.filterviz.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** torchvision networks at full size, exported to ONNX by scripts/export_torchvision_zoo.py with Debian's PyTorch. */
public final class TorchExport {
    public static final String NEEDS = "Debian's python3-torch, python3-torchvision and python3-onnx (/usr/bin/python3)";
    private static final String PYTHON = "/usr/bin/python3";

    private TorchExport() {}

    /** Whether /usr/bin/python3 imports torch, torchvision and onnx. */
    public static boolean available() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torch, torchvision, onnx").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** Exports {@code names} into {@code folder} and returns zoo.json's families; each must have exported with its middle layer. */
    public static JsonNode zoo(Path project, Path folder, Path log, String... names) throws Exception {
        List<String> command = new ArrayList<>(List.of("nice", "-n", "5", PYTHON,
                project.resolve("scripts/export_torchvision_zoo.py").toString(), folder.toString()));
        command.addAll(List.of(names));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(15, TimeUnit.MINUTES), "the export did not finish: " + log);
        assertEquals(0, p.exitValue(), Files.readString(log));
        JsonNode families = new ObjectMapper().readTree(folder.resolve("zoo.json").toFile()).get("families");
        for (String name : names) {
            JsonNode family = families.get(name);
            assertTrue(family != null && !family.has("error") && family.get("middle").has("tensor"),
                    name + " did not export with its middle layer: " + Files.readString(log));
        }
        return families;
    }
}
