package io.filterviz.engine.onednn;

import io.filterviz.engine.nd4j.NativeBuild;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * oneDNN here runs on OpenMP, which reads the thread count of the calling thread at each primitive's execution.
 * The dnnl preset exposes no {@code omp_set_num_threads}, but libnd4j does, and JavaCPP loads one
 * {@code libgomp.so.1} per JVM (whichever library comes first, the other links to it; checked in
 * /proc/self/maps), so libnd4j's setter caps oneDNN's team for this thread too. {@link #sharedRuntime()} checks
 * that premise on the running JVM.
 */
final class OpenMpThreads {
    private static volatile Boolean shared;
    private static volatile boolean nd4jReady;

    private OpenMpThreads() {}

    /** Caps OpenMP teams started from the calling thread at {@code threads}; 0 leaves OpenMP's default. */
    static void limitCallingThread(int threads) {
        if (threads <= 0) return;
        if (!nd4jReady) startNd4j();
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        if (!sharedRuntime()) {
            throw new IllegalStateException("two OpenMP runtimes are loaded (libnd4j's and oneDNN's): the thread count "
                    + threads + " cannot reach oneDNN");
        }
    }

    private static synchronized void startNd4j() {
        NativeBuild.select(); // before libnd4j first loads: the AVX-512 build only on CPUs that have it
        Nd4j.getBackend(); // NativeOpsHolder reads the backend's properties
        nd4jReady = true;
    }

    /** Whether exactly one libgomp is mapped into this process, so the setter above reaches oneDNN. */
    static boolean sharedRuntime() {
        if (shared == null) {
            try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
                shared = lines.filter(l -> l.endsWith("libgomp.so.1")).map(l -> l.substring(l.lastIndexOf(' ') + 1))
                        .distinct().count() <= 1;
            } catch (IOException | RuntimeException e) {
                shared = true; // no /proc: nothing to check against
            }
        }
        return shared;
    }
}
