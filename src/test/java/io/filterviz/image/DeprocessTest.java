package io.filterviz.image;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DeprocessTest {
    @Test
    void deprocessStandardisesToStd025AroundHalfAndTruncates() {
        // 1×2 image, 3 channels (channels-first): values 0..5, mean 2.5, std sqrt(35/12)
        double[] chw = {0, 1, 2, 3, 4, 5};
        Deprocess.Deprocessed d = Deprocess.deprocess(chw, 2, 1);
        double std = Math.sqrt(35.0 / 12);
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < 2; p++) {
                double v = chw[c * 2 + p];
                double expected = Math.min(1, Math.max(0, (v - 2.5) / (std + 1e-7) * 0.25 + 0.5)) * 255;
                assertEquals((int) expected, d.image().get(p, 0, c), "channel " + c + " pixel " + p);
            }
        }
        // value 0: (0-2.5)/1.7078*0.25+0.5 = 0.134 → 34.2 → 34 (truncated, not rounded)
        assertEquals(34, d.image().get(0, 0, 0));
        // the seed's process_image reads the standardised array: mean 0.5, std 0.25·std/(std+eps)
        assertEquals(0.5, d.formerMean(), 1e-12);
        assertEquals(0.25 * std / (std + 1e-7), d.formerStd(), 1e-12);
    }

    @Test
    void extremesClipToBlackAndWhite() {
        double[] chw = new double[3 * 16];
        chw[0] = 1000; // one bright outlier: > 2 std above the mean → clipped to 255
        Deprocess.Deprocessed d = Deprocess.deprocess(chw, 4, 4);
        assertEquals(255, d.image().get(0, 0, 0));
        // the zeros: mean 1000/48 = 20.83, std = sqrt(1000²/48 − mean²) = 142.83
        // → (0 − 20.83)/142.83·0.25 + 0.5 = 0.4635 → ·255 = 118.2 → 118
        assertEquals(118, d.image().get(1, 0, 0));
    }

    @Test
    void processInvertsTheScaleWithTheFormerStatistics() {
        RgbImage image = new RgbImage(1, 1, new byte[]{0, (byte) 255, (byte) 128});
        double[] back = Deprocess.process(image, 10.0, 2.0);
        assertEquals((0 / 255.0 - 0.5) * 4 * 2 + 10, back[0], 1e-12);
        assertEquals((255 / 255.0 - 0.5) * 4 * 2 + 10, back[1], 1e-12);
        assertEquals((128 / 255.0 - 0.5) * 4 * 2 + 10, back[2], 1e-12);
    }
}
