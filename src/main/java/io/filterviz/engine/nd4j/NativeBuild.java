package io.filterviz.engine.nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Chooses which libnd4j build JavaCPP loads. We ship two: the oneDNN + AVX-512 build (fast, and what JavaCPP
 * loads first) and the plain x86-64 build. The AVX-512 one dies with SIGILL on CPUs without those instructions,
 * so on such CPUs we point JavaCPP at the plain one. Must run before ND4J's native code is first loaded.
 */
public final class NativeBuild {
    static final String PROPERTY = "org.bytedeco.javacpp.platform.extension";
    /** The instruction sets libnd4j's skylake-avx512 build is compiled for. */
    static final List<String> AVX512_FLAGS = List.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");

    private static volatile boolean selected;

    private NativeBuild() {}

    public static synchronized void select() {
        if (selected) return;
        String choice = choose(cpuFlags(), System.getProperty(PROPERTY));
        if (choice != null) System.setProperty(PROPERTY, choice);
        selected = true;
    }

    /** The extension to set, or null to leave JavaCPP's default (the AVX-512 build) or the user's own choice. */
    static String choose(Set<String> cpuFlags, String userChoice) {
        if (userChoice != null) return null;
        return cpuFlags.containsAll(AVX512_FLAGS) ? null : "";
    }

    static Set<String> cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return new HashSet<>(Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+")));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc/cpuinfo: assume the worst and take the portable build
        }
        return Set.of();
    }
}
