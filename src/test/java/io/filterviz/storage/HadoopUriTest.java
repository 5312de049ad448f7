package io.filterviz.storage;

import io.filterviz.testing.CountingFileSystem;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --out and --weights as Hadoop URIs: file://, and a file system of its own scheme named only in the configuration. */
class HadoopUriTest {
    @TempDir
    Path dir;

    /** What {@code --conf spark.hadoop.fs.counting.impl=…} gives the job's Hadoop configuration. */
    private static Configuration countingConf() {
        Configuration conf = new Configuration();
        conf.set("fs." + CountingFileSystem.SCHEME + ".impl", CountingFileSystem.class.getName());
        conf.setBoolean("fs." + CountingFileSystem.SCHEME + ".impl.disable.cache", true);
        return conf;
    }

    @BeforeEach
    void reset() {
        CountingFileSystem.reset();
    }

    @Test
    void outputStoreWritesThroughAUri() throws Exception {
        OutputStore store = OutputStore.open(dir.resolve("out").toUri().toString(), new Configuration());
        store.write("filters/a.png", "picture".getBytes(StandardCharsets.UTF_8));
        store.write("state/x.csv", "1,2.0,3.000,ok\n".getBytes(StandardCharsets.UTF_8));
        assertTrue(Files.isRegularFile(dir.resolve("out/filters/a.png")));
        assertEquals(List.of("x.csv"), store.list("state"));
        assertArrayEquals("picture".getBytes(StandardCharsets.UTF_8), store.read("filters/a.png"));
        assertTrue(store.isLocal());
        store.deleteEverythingExcept("none");
        assertTrue(Files.isDirectory(dir.resolve("out")));
        assertEquals(List.of(), files(dir.resolve("out")));
    }

    @Test
    void aFileAppearsOnlyWhenCompleteThroughATemporaryNameAndARename() throws Exception {
        OutputStore store = OutputStore.open(CountingFileSystem.uri(dir.resolve("out")), countingConf());
        store.write("run.json", "old".getBytes(StandardCharsets.UTF_8));
        CountingFileSystem.reset();

        try (OutputStream out = store.create("run.json")) {
            out.write("new, first half ".getBytes(StandardCharsets.UTF_8));
            out.flush();
            // A reader meanwhile sees the old file whole, never the half-written one.
            assertArrayEquals("old".getBytes(StandardCharsets.UTF_8), store.read("run.json"));
            out.write("and second half".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("new, first half and second half", new String(store.read("run.json"), StandardCharsets.UTF_8));

        List<String> calls = CountingFileSystem.calls();
        String target = dir.resolve("out/run.json").toString();
        String create = calls.stream().filter(c -> c.startsWith("create ")).findFirst().orElseThrow();
        String temporary = create.substring("create ".length());
        assertNotEquals(target, temporary, "written under another name first: " + calls);
        assertTrue(Path.of(temporary).getFileName().toString().matches("\\.run\\.json\\.[-0-9a-f]{36}\\.tmp"), temporary);
        assertTrue(calls.contains("rename " + temporary + " " + target), calls.toString());
        assertTrue(calls.indexOf("rename " + temporary + " " + target) > calls.indexOf(create), calls.toString());
        assertFalse(calls.stream().anyMatch(c -> c.equals("create " + target) || c.equals("createNew " + target)),
                "never written in place: " + calls);
        assertEquals(List.of("run.json"), files(dir.resolve("out")), "the temporary name is gone");
    }

    @Test
    void localOutputLeavesNoChecksumFiles() throws Exception {
        OutputStore store = OutputStore.open(dir.resolve("out").toString(), new Configuration());
        store.write("filters/a.png", new byte[]{1, 2, 3});
        store.write("results.csv", new byte[]{4});
        assertEquals(List.of("filters/a.png", "results.csv"), files(dir.resolve("out")));
    }

    @Test
    void weightsByUriOrPath() throws Exception {
        Path file = Files.writeString(dir.resolve("w.h5"), "x");
        assertEquals(file, HadoopFiles.local(file.toString(), new Configuration()));
        assertEquals(file, HadoopFiles.local(file.toUri().toString(), new Configuration()));
    }

    @Test
    void remoteWeightsAreCopiedThroughTheJobsHadoopConfiguration() throws Exception {
        Path file = Files.write(dir.resolve("w.h5"), new byte[]{7, 8, 9});
        String uri = CountingFileSystem.uri(file);
        Path copy = HadoopFiles.local(uri, countingConf());
        assertNotEquals(file, copy);
        assertArrayEquals(new byte[]{7, 8, 9}, Files.readAllBytes(copy));
        assertTrue(CountingFileSystem.calls().contains("open " + file), CountingFileSystem.calls().toString());

        var e = assertThrows(io.filterviz.model.WeightsException.class, () -> HadoopFiles.local(uri, new Configuration()));
        assertTrue(e.getMessage().startsWith("cannot read the weights file " + uri + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("No FileSystem for scheme \"counting\""), e.getMessage());
    }

    /** A --model file that cannot be fetched is named a model, not weights (it is not a WeightsException either). */
    @Test
    void aRemoteModelThatCannotBeReadSaysModel() throws Exception {
        Path file = Files.write(dir.resolve("net.onnx"), new byte[]{1});
        String uri = CountingFileSystem.uri(file);
        var e = assertThrows(io.filterviz.model.graph.ModelException.class, () -> HadoopFiles.localModel(uri, new Configuration()));
        assertFalse(e instanceof io.filterviz.model.WeightsException);
        assertTrue(e.getMessage().startsWith("cannot read the model file " + uri + ": "), e.getMessage());
        Path copy = HadoopFiles.localModel(uri, countingConf());
        assertArrayEquals(new byte[]{1}, Files.readAllBytes(copy));
        assertTrue(copy.getFileName().toString().startsWith("filterviz-model-"), copy.toString());
    }

    /** Every file under a folder, relative, sorted. */
    static List<String> files(Path root) throws Exception {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }
}
