package io.filterviz.storage;

import io.filterviz.model.graph.ModelException;
import io.filterviz.model.WeightsException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A weights or model file named by a local path or a Hadoop URI, as a local file HDF5 or the ONNX reader can open. Remote files are read with
 * the job's Hadoop configuration ({@code spark.hadoop.*} included), so credentials and endpoints given to Spark reach
 * the driver's copy too.
 */
public final class HadoopFiles {
    private HadoopFiles() {}

    /** A weights file; one that cannot be read is a {@link WeightsException}. */
    public static Path local(String location, Configuration hadoop) {
        return local(location, hadoop, "weights");
    }

    /** A model file (--model); one that cannot be read is a {@link ModelException} that says "model". */
    public static Path localModel(String location, Configuration hadoop) {
        return local(location, hadoop, "model");
    }

    private static Path local(String location, Configuration hadoop, String what) {
        URI uri;
        try {
            uri = URI.create(location);
        } catch (IllegalArgumentException e) {
            return Path.of(location); // a local path with characters a URI does not allow
        }
        if (uri.getScheme() == null || uri.getScheme().length() == 1) return Path.of(location); // C:\ on Windows
        if (uri.getScheme().equals("file")) return Path.of(uri);
        org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(uri);
        try {
            FileSystem fs = remote.getFileSystem(hadoop);
            Path copy = Files.createTempFile("filterviz-" + what + "-", "-" + remote.getName());
            copy.toFile().deleteOnExit();
            try (InputStream in = fs.open(remote)) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        } catch (IOException | RuntimeException e) {
            String message = "cannot read the " + what + " file " + location + ": " + e.getMessage();
            throw what.equals("model") ? new ModelException(message) : new WeightsException(message);
        }
    }
}
