package io.filterviz.spark;

import io.filterviz.engine.CompiledModel;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.model.ModelSpec;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor-side model cache: one compiled model per (spec, backend) per JVM, built lazily by the first task
 * that needs it and shared by every later task and thread of that executor.
 */
public final class ExecutorModels {
    private static final Map<ModelSpec, CompiledModel> MODELS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorModels() {}

    public static CompiledModel get(ModelSpec spec, ComputeBackend backend) {
        return MODELS.computeIfAbsent(spec, s -> {
            LOADS.incrementAndGet();
            return backend.compile(s.load());
        });
    }

    /** How many times this JVM loaded a model: tests assert one load per executor, not per task. */
    public static int loads() { return LOADS.get(); }
}
