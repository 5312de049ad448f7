package io.filterviz.examples;

import io.filterviz.engine.Convolutions;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.onnx.OnnxLoader;

import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * What every executor needs to scan images: the model file (its name as shipped, and the SHA-256 of its bytes, which
 * keys the executors' cache), the preprocessing, the target tensors, the input size, k, the engine, its
 * convolutions and its batch.
 */
public record ScanSpec(String modelName, String sha256, Preprocessing preprocess, List<String> targets, InputSize size,
                       int top, int channels, String engine, Convolutions convolutions,
                       int batch) implements Serializable {
    public ScanSpec {
        targets = List.copyOf(targets);
    }

    /** The same scan for other targets (the layers a rerun has left to do). */
    public ScanSpec withTargets(List<String> targets) {
        return new ScanSpec(modelName, sha256, preprocess, targets, size, top, channels, engine, convolutions, batch);
    }

    /** The network as the scan runs it: the ONNX graph with the preprocessing in front (input in pixels 0–255). */
    public static Graph network(String modelName, byte[] onnx, Preprocessing preprocess) {
        return preprocess.prepend(OnnxLoader.load(modelName, onnx));
    }

    /** The network up to the targets, read from the file (memory-mapped; no weights past the targets). */
    public static Graph network(java.nio.file.Path file, Preprocessing preprocess, List<String> targets) {
        return preprocess.prepend(OnnxLoader.load(file, targets));
    }

    /** The file's SHA-256, streamed. */
    public static String sha256(java.nio.file.Path file) throws java.io.IOException {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
