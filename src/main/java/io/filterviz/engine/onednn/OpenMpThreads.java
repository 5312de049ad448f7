package io.filterviz.engine.onednn;

/** Placeholder while measuring. */
final class OpenMpThreads {
    private OpenMpThreads() {}

    static void limitCallingThread(int threads) {}
}
