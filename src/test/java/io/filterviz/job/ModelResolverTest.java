package io.filterviz.job;

import io.filterviz.config.FilterRange;
import io.filterviz.config.JobConfig;
import io.filterviz.config.Preset;
import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.Precision;
import io.filterviz.model.Md5;
import io.filterviz.model.graph.Conv;
import io.filterviz.model.graph.Dense;
import io.filterviz.testing.BigOnnx;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** What the driver keeps of a model file: its structure without weights, and a hash that covers its external data. */
class ModelResolverTest {
    @TempDir
    Path dir;

    private ModelResolver.ResolvedModel resolve(Path model) {
        JobConfig config = new JobConfig(List.of(BigOnnx.RELU), FilterRange.parse("0:1"), AscentSettings.defaults(),
                model.toString(), "unit", false, "imagenet", dir.resolve("cache"), null, dir.resolve("out").toString(), null,
                null, null, false, false, 5, null, Precision.FP32, io.filterviz.engine.Convolutions.WINOGRAD_WHERE_FASTER,
                Preset.KERAS, null);
        return new ModelResolver(new Configuration()).resolve(config);
    }

    @Test
    void theDriverHoldsTheStructureOnly() {
        ModelResolver.ResolvedModel model = resolve(BigOnnx.write(dir.resolve("net.onnx"), 10, false));
        assertFalse(((Conv) model.graph().producer(BigOnnx.CONV).orElseThrow().op()).hasWeights());
        assertFalse(((Dense) model.graph().producer(BigOnnx.LOGITS).orElseThrow().op()).hasWeights());
    }

    @Test
    void theHashCoversExternalData() throws Exception {
        Path embedded = BigOnnx.write(Files.createDirectories(dir.resolve("one")).resolve("net.onnx"), 10, false);
        assertEquals(Md5.of(embedded), resolve(embedded).spec().contentHash());

        Path external = BigOnnx.write(Files.createDirectories(dir.resolve("two")).resolve("net.onnx"), 10, true);
        Path data = external.resolveSibling("weights").resolve("net.onnx.data");
        String before = resolve(external).spec().contentHash();
        assertEquals(Md5.of(List.of(external, data)), before);
        byte[] model = Files.readAllBytes(external);
        try (FileChannel channel = FileChannel.open(data, StandardOpenOption.WRITE)) { // new weights, same layout
            channel.write(ByteBuffer.wrap(new byte[]{1, 2, 3, 4}), 0);
        }
        assertArrayEquals(model, Files.readAllBytes(external));
        assertNotEquals(before, resolve(external).spec().contentHash(), "new weights are another model");
    }
}
