package io.filterviz;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packages of src/main, by their imports, form no cycle (design.md: data flows one way, so do imports). */
class PackageDependenciesTest {
    private static final Path SOURCES = Path.of(System.getProperty("user.dir"), "src/main/java/io/filterviz");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.filterviz\\.([a-z0-9.]+?)\\.[A-Z]",
            Pattern.MULTILINE);

    private static Map<String, Set<String>> imports() throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
                Set<String> uses = graph.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) if (!m.group(1).equals(pkg)) uses.add(m.group(1));
            }
        }
        return graph;
    }

    @Test
    void noPackageReachesItself() throws IOException {
        Map<String, Set<String>> graph = imports();
        assertTrue(graph.containsKey("engine.onednn") && graph.get("job").contains("config"), "read the sources: " + graph);
        for (String start : graph.keySet()) {
            Set<String> seen = new HashSet<>();
            Deque<String> todo = new ArrayDeque<>(graph.get(start));
            while (!todo.isEmpty()) {
                String next = todo.pop();
                assertTrue(!next.equals(start), "a cycle through " + start + ": " + graph);
                if (seen.add(next)) todo.addAll(graph.getOrDefault(next, Set.of()));
            }
        }
    }

    @Test
    void theLeavesDependOnNoPackageOfOurs() throws IOException {
        Map<String, Set<String>> graph = imports();
        for (String leaf : List.of("image", "result", "text")) assertEquals(Set.of(), graph.get(leaf), leaf);
    }
}
