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

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
