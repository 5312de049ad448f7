package io.filterviz.cli;

import io.filterviz.testing.MainRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --preset and the lucid options: each bad input exits 2 with one line, before anything is created under --out. */
class PresetBadInputTest {
    @TempDir
    Path dir;

    private MainRun run(String... extra) {
        List<String> args = new ArrayList<>(List.of("--weights", "random", "--out", dir.resolve("out").toString(),
                "--weights-cache", dir.resolve("cache").toString()));
        args.addAll(List.of(extra));
        return MainRun.of(args, Map.of("KERAS_HOME", dir.resolve("keras").toString()));
    }

    private void assertBadInput(String expected, String... extra) {
        MainRun run = run(extra);
        assertEquals(2, run.exit(), run.err());
        assertEquals(1, run.err().lines().count(), "one line: " + run.err());
        assertEquals("filterviz: " + expected, run.err().strip());
        assertFalse(Files.exists(dir.resolve("out")), "nothing may be created under --out");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--preset=fancy                  | --preset fancy is not one of keras, lucid",
            "--preset=Lucid                  | --preset Lucid is not one of keras, lucid",
            "--learning-rate=0.1             | --learning-rate is an option of --preset lucid; add --preset lucid, or leave it out for the Keras recipe (--preset keras, the default)",
            "--steps=10                      | --steps is an option of --preset lucid; add --preset lucid, or leave it out for the Keras recipe (--preset keras, the default)",
            "--init-sd=0                     | --init-sd is an option of --preset lucid; add --preset lucid, or leave it out for the Keras recipe (--preset keras, the default)",
            "--fft-decay=1                   | --fft-decay is an option of --preset lucid; add --preset lucid, or leave it out for the Keras recipe (--preset keras, the default)",
            "--transforms=none               | --transforms is an option of --preset lucid; add --preset lucid, or leave it out for the Keras recipe (--preset keras, the default)",
            "--redirected-relu-steps=0       | --redirected-relu-steps is an option of --preset lucid; add --preset lucid, or leave it out for the Keras recipe (--preset keras, the default)",
    })
    void aLucidOptionOrAnUnknownPresetUnderKeras(String option, String message) {
        assertBadInput(message.trim(), option.trim());
        assertBadInput(message.trim(), "--preset", "keras", option.trim());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--step=2", "--epochs=3", "--upscaling-steps=2", "--upscaling-factor=1.5"})
    void aKerasOptionUnderLucid(String option) {
        String name = option.substring(0, option.indexOf('='));
        assertBadInput(name + " is an option of the Keras recipe, not of --preset lucid (which has --learning-rate, "
                + "--steps, --init-sd, --fft-decay, --transforms, --redirected-relu-steps)", "--preset", "lucid", option);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--learning-rate=0               | --learning-rate must be positive, got 0.0",
            "--learning-rate=-0.05           | --learning-rate must be positive, got -0.05",
            "--learning-rate=Infinity        | --learning-rate must be positive, got Infinity",
            "--steps=0                       | --steps must be positive, got 0",
            "--steps=-4                      | --steps must be positive, got -4",
            "--init-sd=-0.01                 | --init-sd must be 0 or more, got -0.01",
            "--init-sd=NaN                   | --init-sd must be 0 or more, got NaN",
            "--fft-decay=NaN                 | --fft-decay must be a finite number, got NaN",
            "--transforms=some               | --transforms some is not one of standard, none",
            "--transforms=STANDARD           | --transforms STANDARD is not one of standard, none",
            "--redirected-relu-steps=-1      | --redirected-relu-steps must be 0 or more, got -1",
            "--output-dim=7                  | --output-dim 7x7 is below 8 px a side, the least --preset lucid takes",
            "--output-dim=64x6               | --output-dim 64x6 is below 8 px a side, the least --preset lucid takes",
    })
    void badLucidNumbers(String option, String message) {
        assertBadInput(message.trim(), "--preset", "lucid", option.trim());
    }

    @Test
    void aPictureTheTransformsLeaveTooSmallForTheLayer() {
        // At 12 px Lucid's amounts (for 128 px) round to pad 1, jitter 1, jitter 1: int(0.9 * (12 + 2 - 1)) - 1 = 10
        assertBadInput("--output-dim 12x12 leaves images of 10 px after the transforms, smaller than 16 px, the least "
                + "block5_conv1 can see (stride 16); raise --output-dim", "--preset", "lucid", "--output-dim", "12");
        assertBadInput("--output-dim 12x12 leaves images of 12 px after the transforms, smaller than 16 px, the least "
                + "block5_conv1 can see (stride 16); raise --output-dim",
                "--preset", "lucid", "--output-dim", "12", "--transforms", "none");
    }

    @Test
    void theConfFileHoldsDefaultsNotChoices() throws Exception {
        // Keras numbers in the conf file (the shipped one has them all) do not clash with --preset lucid ...
        Path keras = Files.writeString(dir.resolve("keras.properties"), "epochs = 15\nstep = 1.0\nsteps = 0\n");
        assertBadInput("--steps must be positive, got 0", "--conf-file", keras.toString(), "--preset", "lucid");
        // ... and the preset itself can come from it, a clashing option then from the command line
        Path lucid = Files.writeString(dir.resolve("lucid.properties"), "preset = lucid\n");
        assertBadInput("--epochs is an option of the Keras recipe, not of --preset lucid (which has --learning-rate, "
                + "--steps, --init-sd, --fft-decay, --transforms, --redirected-relu-steps)",
                "--conf-file", lucid.toString(), "--epochs", "3");
        assertBadInput("--transforms some is not one of standard, none", "--conf-file", lucid.toString(),
                "--transforms", "some");
    }

    @Test
    void helpShowsThePresetAndItsOptionsWithLucidsDefaults() {
        MainRun run = run("--help");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("Readable pictures: --preset lucid"), run.out());
        for (String expected : List.of("--preset=keras|lucid", "--learning-rate=X", "Default: 0.05", "Default: 512",
                "Default: 0.01", "Default: standard", "Default: 17")) {
            assertTrue(run.out().contains(expected), expected + " missing from --help");
        }
    }
}
