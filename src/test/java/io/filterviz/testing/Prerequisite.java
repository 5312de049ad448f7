package io.filterviz.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a test needs from the machine. Missing, the test says "skipped" and why; in CI (CI=true) a missing
 * prerequisite is a failure, as the developers' guide asks: CI runs on a machine that has everything.
 */
public final class Prerequisite {
    private Prerequisite() {}

    /** @param needs what the test needs, said as "a CPU with AVX-512 (oneDNN's Winograd)" */
    public static void require(boolean present, String needs) {
        if (present) return;
        if ("true".equals(System.getenv("CI"))) fail("CI needs " + needs + " for this test");
        assumeTrue(false, "skipped: this test needs " + needs + ", which this machine lacks");
    }
}
