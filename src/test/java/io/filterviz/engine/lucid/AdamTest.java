package io.filterviz.engine.lucid;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AdamTest {

    /**
     * Two parameters from 0, gradients (1, −3), (−2, −3), (0.5, 4), lr 0.05. By hand for the first parameter:
     * step 1: m = 0.1, v = 0.001, m̂ = 0.1/0.1 = 1, v̂ = 0.001/0.001 = 1, θ = 0.05/(1 + 1e−8);
     * step 2: m = 0.09 − 0.2 = −0.11, v = 0.000999 + 0.004 = 0.004999, m̂ = −0.11/0.19, v̂ = 0.004999/0.001999;
     * step 3: m = −0.099 + 0.05 = −0.049, v = 0.004994001 + 0.00025 = 0.005244001, m̂ = −0.049/0.271,
     * v̂ = 0.005244001/0.002997001.
     */
    @Test
    void followsAlgorithmOneUphill() {
        Adam adam = new Adam(2, 0.05);
        double[] theta = {0, 0};
        adam.ascend(theta, new double[]{1, -3});
        double first = 0.05 / (1 + 1e-8);
        assertEquals(first, theta[0], 1e-15);
        assertEquals(0.05 * -3 / (3 + 1e-8), theta[1], 1e-15); // m̂ = −3, v̂ = 9: a first step is lr whatever the size
        adam.ascend(theta, new double[]{-2, -3});
        double second = first + 0.05 * (-0.11 / 0.19) / (Math.sqrt(0.004999 / 0.001999) + 1e-8);
        assertEquals(second, theta[0], 1e-15);
        assertEquals(0.03169482326396259, theta[0], 1e-15);
        adam.ascend(theta, new double[]{0.5, 4});
        double third = second + 0.05 * (-0.049 / 0.271) / (Math.sqrt(0.005244001 / 0.002997001) + 1e-8);
        assertEquals(third, theta[0], 1e-15);
        assertEquals(0.024860290163089275, theta[0], 1e-15);
        // the second parameter: m = −0.113, v = 0.033973009 after three steps
        assertEquals(-0.10619235105282508, theta[1], 1e-15);
    }

    @Test
    void aZeroGradientFromTheStartMovesNothing() {
        Adam adam = new Adam(1, 0.05);
        double[] theta = {0.25};
        for (int i = 0; i < 5; i++) adam.ascend(theta, new double[]{0});
        assertEquals(0.25, theta[0]);
    }
}
