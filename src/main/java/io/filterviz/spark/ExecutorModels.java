package io.filterviz.spark;

import io.filterviz.engine.CompiledModel;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.model.ModelSpec;

import io.filterviz.model.graph.ModelMemoryException;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor-side model cache: one compiled model per (model, backend) per JVM, built lazily by the first task
 * that needs it and shared by every later task and thread of that executor. A model is known by its file's content
 * hash, not its path: a file rewritten in place is another model, and one file under two paths is one. A job asks
 * for one (model, backend), so the cache holds the last {@value #CAPACITY} and drops the least recently used beyond
 * that (a JVM that serves several jobs in turn: local mode, tests). A dropped model's native memory (oneDNN's
 * reordered weights) is freed by its buffers' cleaner once the last task using it lets go.
 */
public final class ExecutorModels {
    static final int CAPACITY = 2;
    private static final Map<Key, CompiledModel> MODELS = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, CompiledModel> eldest) {
            return size() > CAPACITY;
        }
    };
    private static final AtomicInteger LOADS = new AtomicInteger();
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);

    private ExecutorModels() {}

    /** Tasks asking for the model being loaded wait for it (one load per JVM and key). */
    public static synchronized CompiledModel get(ModelSpec spec, ComputeBackend backend) {
        return MODELS.computeIfAbsent(new Key(spec.cacheKey(), backend), key -> {
            ModelSpec s = spec;
            int load = LOADS.incrementAndGet();
            ModelSpec local = shippedCopy(s);
            CompiledModel model;
            try {
                model = backend.compile(local.load());
            } catch (ModelMemoryException e) {
                throw e.naming(heapOption());
            } catch (OutOfMemoryError e) { // the estimate's backstop: one line for the driver to show, not a trace
                String file = local.file() == null ? local.name() : Path.of(local.file()).getFileName().toString();
                throw ModelMemoryException.outOfMemory(file, size(local.file())).naming(heapOption());
            }
            // One line per load in the executor's log (the cluster test counts them: one per executor JVM). A log
            // line, not stderr: in local mode the executor shares the driver's console and its progress bar.
            LOG.info("filterviz: loaded model up to {} from {} on {}, load {} in this JVM", s.targets(), local.describe(),
                    backend, load);
            return model;
        });
    }

    /** What sizes this JVM's heap: in local mode the executors are the driver's JVM. */
    private static String heapOption() {
        SparkEnv env = SparkEnv.get();
        boolean local = env != null && env.conf().get("spark.master", "").startsWith("local");
        return local ? "--driver-memory (local mode: the tasks run in the driver's JVM)" : "--executor-memory";
    }

    private static long size(String file) {
        try {
            return file == null ? 0 : Files.size(Path.of(file));
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /** How many models this JVM holds now. */
    static synchronized int cached() { return MODELS.size(); }

    /** Two backends (say fp32 and bf16) compile the same spec into different models. */
    private record Key(ModelSpec spec, ComputeBackend backend) {}

    /** The model or weights file as Spark shipped it to this executor (SparkContext.addFile), when it did. */
    private static ModelSpec shippedCopy(ModelSpec spec) {
        if (spec.file() == null) return spec;
        Path shipped = Path.of(SparkFiles.get(Path.of(spec.file()).getFileName().toString()));
        return Files.isRegularFile(shipped) ? spec.withFile(shipped.toString()) : spec;
    }
}
