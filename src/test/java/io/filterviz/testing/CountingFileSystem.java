package io.filterviz.testing;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Local disk under its own scheme, {@value #SCHEME}://, reachable only when a Hadoop configuration names it
 * ({@code fs.counting.impl}); it records every call that reads, lists or changes a file, so a test can see which
 * code path went through the job's Hadoop configuration.
 */
public class CountingFileSystem extends RawLocalFileSystem {
    public static final String SCHEME = "counting";
    private static final List<String> CALLS = Collections.synchronizedList(new ArrayList<>());

    /** "create file:/…", "rename from to", … in call order, paths without the scheme. */
    public static List<String> calls() {
        synchronized (CALLS) {
            return List.copyOf(CALLS);
        }
    }

    public static void reset() { CALLS.clear(); }

    /** A local path as a URI of this scheme. */
    public static String uri(java.nio.file.Path local) {
        return SCHEME + "://" + local.toAbsolutePath().toUri().getPath();
    }

    private static void record(String operation, Path... paths) {
        StringBuilder call = new StringBuilder(operation);
        for (Path p : paths) call.append(' ').append(p.toUri().getPath());
        CALLS.add(call.toString());
    }

    @Override public URI getUri() { return URI.create(SCHEME + ":///"); }

    @Override public String getScheme() { return SCHEME; }

    @Override public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        record("open", f);
        return super.open(f, bufferSize);
    }

    @Override public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
                                               short replication, long blockSize, Progressable progress) throws IOException {
        record(overwrite ? "create" : "createNew", f);
        return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
    }

    @Override public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication,
                                               long blockSize, Progressable progress) throws IOException {
        record(overwrite ? "create" : "createNew", f);
        return super.create(f, overwrite, bufferSize, replication, blockSize, progress);
    }

    @Override public boolean rename(Path src, Path dst) throws IOException {
        record("rename", src, dst);
        return super.rename(src, dst);
    }

    @Override public boolean delete(Path p, boolean recursive) throws IOException {
        record("delete", p);
        return super.delete(p, recursive);
    }

    @Override public FileStatus[] listStatus(Path f) throws IOException {
        record("list", f);
        return super.listStatus(f);
    }

    @Override public boolean exists(Path f) throws IOException {
        record("exists", f);
        return super.exists(f);
    }

    @Override public FileStatus getFileStatus(Path f) throws IOException {
        record("status", f);
        return super.getFileStatus(f);
    }
}
