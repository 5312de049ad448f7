package io.filterviz.job;

import io.filterviz.config.BadInputException;
import io.filterviz.text.OneLine;
import io.filterviz.storage.OutputStore;
import org.apache.hadoop.conf.Configuration;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/** --out must be a writable folder or creatable as one; checked without creating anything. */
final class OutputProbe {
    private OutputProbe() {}

    static OutputStore checkWritable(String out, Configuration hadoop) {
        OutputStore store;
        try {
            store = OutputStore.open(out, hadoop);
            if (!store.isLocal()) store.checkNotAFile();
        } catch (RuntimeException e) {
            throw new BadInputException("--out " + out + " cannot be used: " + OneLine.of(e));
        }
        if (store.isLocal()) checkLocalWritable(Path.of(URI.create(store.uri("")).getPath()), out);
        return store;
    }

    private static void checkLocalWritable(Path absolute, String out) {
        if (Files.exists(absolute)) {
            if (!Files.isDirectory(absolute)) throw new BadInputException("--out " + out + " exists and is not a folder");
            if (!Files.isWritable(absolute)) throw new BadInputException("--out " + out + " is not writable");
            return;
        }
        Path ancestor = absolute.getParent();
        while (ancestor != null && !Files.exists(ancestor)) ancestor = ancestor.getParent();
        if (ancestor == null || !Files.isDirectory(ancestor) || !Files.isWritable(ancestor)) {
            throw new BadInputException("--out " + out + " cannot be created: "
                    + (ancestor == null ? "no existing parent" : ancestor + " is not a writable folder"));
        }
    }
}
