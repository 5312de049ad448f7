package io.filterviz.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a test needs from the machine. Missing, the test says "skipped" and why; in CI (CI=true) a missing
 * prerequisite is a failure, as the developers' guide asks: CI runs on a machine that has everything.
 */
public final class Prerequisite {
    /** oneDNN's cap on the instruction set it uses; set, it imitates a CPU without what lies above it. */
    public static final String CPU_CAP = "DNNL_MAX_CPU_ISA";

    private Prerequisite() {}

    /** @param needs what the test needs, said as "Debian's dataset-fashion-mnist" */
    public static void require(boolean present, String needs) {
        if (present) return;
        if ("true".equals(System.getenv("CI"))) fail("CI needs " + needs + " for this test");
        assumeTrue(false, "skipped: this test needs " + needs + ", which this machine lacks");
    }

    /**
     * A CPU feature, said as "a CPU with AVX512_BF16". Under {@value #CPU_CAP} (the test run that imitates a CPU
     * without AVX-512) its absence is the point of the run, so the test skips there, naming the cap, also in CI;
     * otherwise as {@link #require}: CI's machines have AVX-512 and AVX512_BF16.
     */
    public static void requireCpu(boolean present, String needs) {
        if (present) return;
        String cap = System.getenv(CPU_CAP);
        if (cap != null && !cap.isBlank()) {
            assumeTrue(false, "skipped: this test needs " + needs + ", which " + CPU_CAP + "=" + cap + " hides");
        }
        require(false, needs);
    }
}
