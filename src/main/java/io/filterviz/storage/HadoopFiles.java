package io.filterviz.storage;

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
 * A weights file named by a local path or a Hadoop URI, as a local file HDF5 can open. Remote files are read with
 * the job's Hadoop configuration ({@code spark.hadoop.*} included), so credentials and endpoints given to Spark reach
 * the driver's copy too.
 */
public final class HadoopFiles {
    private HadoopFiles() {}

    public static Path local(String location, Configuration hadoop) {
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
            Path copy = Files.createTempFile("filterviz-weights-", "-" + remote.getName());
            copy.toFile().deleteOnExit();
            try (InputStream in = fs.open(remote)) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        } catch (IOException | RuntimeException e) {
            throw new WeightsException("cannot read weights from " + location + ": " + e.getMessage());
        }
    }
}
