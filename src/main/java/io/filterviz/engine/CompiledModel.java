package io.filterviz.engine;

/** A network ready to run on one compute backend; shared by the threads of a JVM, each with its own path. */
public interface CompiledModel {
    /** A fresh path with its own working buffers, for the calling thread, using the backend's default threads. */
    FilterObjective newObjective();

    /**
     * A path for the calling thread that uses at most {@code threads} cores, so that N concurrent tasks with
     * one core each share a machine without oversubscribing it.
     */
    FilterObjective newObjective(int threads);

    int filters();
}
