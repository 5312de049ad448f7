package io.filterviz.engine;

/** A network ready to run on one compute backend; shared by the threads of a JVM, each with its own path. */
public interface CompiledModel {
    /** A fresh path with its own working buffers, for one thread. */
    GradientPath newPath();

    int filters();
}
