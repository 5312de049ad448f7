package io.filterviz.storage;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --out and --weights as Hadoop URIs (file:// here; hdfs:// and s3a:// take the same code path). */
class HadoopUriTest {
    @TempDir
    Path dir;

    @Test
    void outputStoreWritesAtomicallyThroughAUri() {
        OutputStore store = OutputStore.open(dir.resolve("out").toUri().toString(), new Configuration());
        store.write("filters/a.png", "picture".getBytes(StandardCharsets.UTF_8));
        store.write("state/x.csv", "1,2.0,3.000,ok\n".getBytes(StandardCharsets.UTF_8));
        assertTrue(Files.isRegularFile(dir.resolve("out/filters/a.png")));
        assertEquals(List.of("x.csv"), store.list("state"));
        assertArrayEquals("picture".getBytes(StandardCharsets.UTF_8), store.read("filters/a.png"));
        assertTrue(store.isLocal());
        store.deleteEverything();
        assertFalse(Files.exists(dir.resolve("out")));
    }

    @Test
    void weightsByUriOrPath() throws Exception {
        Path file = Files.writeString(dir.resolve("w.h5"), "x");
        assertEquals(file, HadoopFiles.local(file.toString()));
        assertEquals(file, HadoopFiles.local(file.toUri().toString()));
    }
}
