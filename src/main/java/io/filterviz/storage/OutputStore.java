package io.filterviz.storage;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The --out folder through Hadoop's FileSystem API, so the same code writes to local disk, HDFS or S3. Files are
 * written to a temporary name and renamed, so a reader (or a resumed run) never sees half a file. On local disk the
 * raw local file system is used: Hadoop's default one writes a {@code .crc} side file next to every file.
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
            Path root = uri.getScheme() == null // no trailing slash, even when the folder exists
                    ? new Path("file", null, java.nio.file.Path.of(out).toAbsolutePath().normalize().toString())
                    : new Path(uri);
            FileSystem fs = root.getFileSystem(conf);
            if (fs instanceof LocalFileSystem local) fs = local.getRawFileSystem(); // no .crc files
            return new OutputStore(fs, fs.makeQualified(root));
        } catch (IOException | IllegalArgumentException e) {
            throw new UncheckedIOException(new IOException("cannot open " + out + ": " + e.getMessage(), e));
        }
    }

    /**
     * Fails when --out names an existing file. It reaches the file system, so an unreachable one or missing
     * credentials show at validation time, not after the job has started.
     */
    public void checkNotAFile() {
        try {
            if (fs.getFileStatus(root).isFile()) throw new IllegalArgumentException("it exists and is not a folder");
        } catch (FileNotFoundException e) {
            // created by the run
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    public boolean isLocal() { return "file".equals(root.toUri().getScheme()); }

    /**
     * Hadoop settings for a Spark (Parquet) write into --out. On local disk: an uncached raw local file system for
     * that write alone, so Spark leaves no {@code .crc} files either; the JVM's shared file:// instance is untouched.
     */
    public Map<String, String> sparkWriteOptions() {
        if (!isLocal()) return Map.of();
        return Map.of("fs.file.impl", RawLocalFileSystem.class.getName(), "fs.file.impl.disable.cache", "true");
    }

    FileSystem fileSystem() { return fs; }

    Path path(String relative) { return new Path(root, relative); }

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

    /**
     * Names of the files (not folders, not temporary files) directly in a folder under --out ("" for --out
     * itself); empty if none.
     */
    public List<String> list(String folder) {
        List<String> names = new ArrayList<>();
        try {
            Path dir = folder.isEmpty() ? root : new Path(root, folder);
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

    /** Deletes a file under --out; nothing happens when there is none. */
    public void delete(String relative) {
        try {
            fs.delete(new Path(root, relative), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + uri(relative), e);
        }
    }

    public long modificationTime(String relative) {
        try {
            return fs.getFileStatus(new Path(root, relative)).getModificationTime();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a file or a folder with all it holds under --out; nothing happens when there is none. */
    public void deleteTree(String relative) {
        try {
            fs.delete(new Path(root, relative), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + uri(relative), e);
        }
    }

    /** --overwrite: everything under --out goes, except the named file (the run's own lease). */
    public void deleteEverythingExcept(String kept) {
        try {
            if (!fs.exists(root)) return;
            for (FileStatus status : fs.listStatus(root)) {
                if (!status.getPath().getName().equals(kept)) fs.delete(status.getPath(), true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + root, e);
        }
    }
}
