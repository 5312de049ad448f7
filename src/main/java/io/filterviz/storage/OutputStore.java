package io.filterviz.storage;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The --out folder through Hadoop's FileSystem API, so the same code writes to local disk, HDFS or S3. Files are
 * written to a temporary name and renamed, so a reader (or a resumed run) never sees half a file.
 */
public final class OutputStore {
    private final FileSystem fs;
    private final Path root;

    private OutputStore(FileSystem fs, Path root) {
        this.fs = fs;
        this.root = root;
    }

    /** @param out a local path or a Hadoop URI (hdfs://, s3a://, file://) */
    public static OutputStore open(String out, Configuration conf) {
        try {
            URI uri = URI.create(out);
            Path root = uri.getScheme() == null
                    ? new Path(java.nio.file.Path.of(out).toAbsolutePath().normalize().toUri())
                    : new Path(uri);
            FileSystem fs = root.getFileSystem(conf);
            return new OutputStore(fs, fs.makeQualified(root));
        } catch (IOException | IllegalArgumentException e) {
            throw new UncheckedIOException(new IOException("cannot open " + out + ": " + e.getMessage(), e));
        }
    }

    public boolean isLocal() { return "file".equals(root.toUri().getScheme()); }

    /** The fully qualified URI of a file or folder under --out. */
    public String uri(String relative) {
        return relative.isEmpty() ? root.toString() : new Path(root, relative).toString();
    }

    public boolean exists(String relative) {
        try {
            return fs.exists(new Path(root, relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void write(String relative, byte[] bytes) {
        try (OutputStream out = create(relative)) {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + uri(relative), e);
        }
    }

    /** A stream whose content appears under {@code relative} only when it is closed. */
    public OutputStream create(String relative) throws IOException {
        Path target = new Path(root, relative);
        Path temporary = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        FSDataOutputStream out = fs.create(temporary, true);
        return new java.io.FilterOutputStream(out) {
            @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }

            @Override public void close() throws IOException {
                super.close();
                fs.delete(target, false);
                if (!fs.rename(temporary, target)) throw new IOException("cannot rename " + temporary + " to " + target);
            }
        };
    }

    public byte[] read(String relative) {
        try (InputStream in = fs.open(new Path(root, relative))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + uri(relative), e);
        }
    }

    /** Names of the files (not folders, not temporary files) directly in a folder under --out; empty if none. */
    public List<String> list(String folder) {
        List<String> names = new ArrayList<>();
        try {
            Path dir = new Path(root, folder);
            if (!fs.exists(dir)) return names;
            for (FileStatus status : fs.listStatus(dir)) {
                String name = status.getPath().getName();
                if (status.isFile() && !name.startsWith(".")) names.add(name);
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long modificationTime(String relative) {
        try {
            return fs.getFileStatus(new Path(root, relative)).getModificationTime();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** --overwrite: everything under --out goes. */
    public void deleteEverything() {
        try {
            if (fs.exists(root)) fs.delete(root, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + root, e);
        }
    }
}
