package io.filterviz.cli;

import io.filterviz.testing.MainRun;
import io.filterviz.model.RandomWeights;
import io.filterviz.testing.KerasH5Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad input: exit code 2, one line on stderr that says what is wrong, nothing created under --out. */
class BadInputTest {
    @TempDir
    Path dir;

    private MainRun run(List<String> args) {
        // Hermetic: Keras' cache is an empty folder of the test's, never the machine's ~/.keras.
        return MainRun.of(args, Map.of("KERAS_HOME", dir.resolve("keras").toString()));
    }

    private void assertBadInput(String expectedFragment, String... extra) {
        Path out = dir.resolve("out");
        List<String> args = new ArrayList<>(List.of("--weights", "random", "--out", out.toString(),
                "--weights-cache", dir.resolve("cache").toString()));
        args.addAll(List.of(extra));
        MainRun run = run(args);
        assertEquals(2, run.exit(), run.err());
        assertEquals(1, run.err().lines().count(), "one line: " + run.err());
        assertTrue(run.err().startsWith("filterviz: "), run.err());
        assertTrue(run.err().contains(expectedFragment), run.err());
        assertFalse(Files.exists(out), "nothing may be created under --out");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--layer=block5_conv9       | --layer block5_conv9 is not a VGG16 layer; did you mean block5_conv1?",
            "--layer=block5_pool        | --layer block5_pool is a max-pooling layer, not a convolution; choose one of: block1_conv1",
            "--layer=block1_conv1,block9_conv1 | --layer block9_conv1 is not a VGG16 layer; did you mean block1_conv1?",
            "--layer=all,block1_conv1   | --layer all stands alone",
            "--layer=block1_conv1,      | --layer 'block1_conv1,' has an empty name in its list",
            "--filter-range=0:600       | --filter-range 0:600 is not a non-empty range inside block5_conv1's 512 filters",
            "--filter-range=-1:4        | --filter-range -1:4 is not a non-empty range",
            "--filter-range=7:7         | --filter-range 7:7 is not a non-empty range",
            "--filter-range=a:b         | --filter-range 'a:b' is not LO:HI",
            "--epochs=0                 | --epochs must be positive, got 0",
            "--step=-1                  | --step must be positive, got -1.0",
            "--upscaling-steps=0        | --upscaling-steps must be positive, got 0",
            "--upscaling-factor=1.0     | --upscaling-factor must be greater than 1, got 1.0",
            "--output-dim=0             | --output-dim must be positive, got 0x0",
            "--output-dim=big           | --output-dim 'big' is not a size",
            "--output-dim=40            | is smaller than 16 px, the least block5_conv1 can see",
            "--partitions=0             | --partitions must be positive, got 0",
            "--start-timeout=0          | --start-timeout must be a positive number of minutes, got 0.0",
            "--start-timeout=-2         | --start-timeout must be a positive number of minutes, got -2.0",
            "--start-timeout=soon       | Invalid value for option '--start-timeout'",
            "--grid=30                  | --grid 30 needs 900 filters; the range has 512",
            "--epochs=many              | Invalid value for option '--epochs'",
            "--no-such-option           | Unknown option: '--no-such-option'",
            "--epoch=3                  | Unknown option: '--epoch=3'; did you mean --epochs?",
            "--engine=cuda              | --engine cuda is not one of onednn, nd4j, reference",
            "--precision=fp16           | --precision fp16 is not one of fp32, bf16",
            "--convolutions=winograd    | --convolutions winograd is not one of direct, winograd-where-faster",
            "--convolutions=Direct      | --convolutions Direct is not one of direct, winograd-where-faster",
    })
    void rejected(String option, String message) {
        assertBadInput(message.trim(), option.trim());
    }

    @Test
    void aRangeEmptyForOneOfTheLayersNamesThatLayer() {
        assertBadInput("--filter-range 100:200 is not a non-empty range inside block1_conv1's 64 filters",
                "--layer", "all", "--filter-range", "100:200");
    }

    @Test
    void bf16OnTheNd4jEngine() {
        assertBadInput("--precision bf16 needs --engine onednn (nd4j runs fp32 only)", "--engine", "nd4j", "--precision", "bf16");
    }

    @Test
    void unreadableWeightsFile() {
        assertBadInput("is not a readable file", "--weights", dir.resolve("missing.h5").toString());
    }

    @Test
    void weightsOfTheWrongShape() {
        Path file = dir.resolve("small.h5");
        KerasH5Fixture.write(file, RandomWeights.create("block1_conv2", 1), KerasH5Fixture.Style.KERAS1_NOTOP);
        assertBadInput("has no layer block2_conv1", "--weights", file.toString());
    }

    @Test
    void imagenetWithoutNetwork() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort + "/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5";
        assertBadInput("cannot download the ImageNet weights from " + url, "--weights", "imagenet", "--weights-url", url);
        assertBadInput("or put it in " + dir.resolve("keras").resolve("models"), "--weights", "imagenet", "--weights-url", url);
    }

    @Test
    void unwritableOut() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        MainRun run = run(List.of("--weights", "random", "--out", file.resolve("out").toString()));
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("cannot be created") && run.err().contains("is not a writable folder"), run.err());
        MainRun onFile = run(List.of("--weights", "random", "--out", file.toString()));
        assertEquals(2, onFile.exit());
        assertTrue(onFile.err().contains("exists and is not a folder"), onFile.err());
    }

    @Test
    void aConfFileSetsDefaultsAndTheCommandLineOverridesIt() throws Exception {
        Path conf = Files.writeString(dir.resolve("job.properties"), "layer = block5_pool\nepochs = 0\n");
        assertBadInput("--layer block5_pool is a max-pooling layer", "--conf-file", conf.toString());
        assertBadInput("--epochs must be positive, got 0", "--conf-file", conf.toString(), "--layer", "block4_conv1");
        assertBadInput("--conf-file " + dir.resolve("none.properties") + " is not a readable file",
                "--conf-file", dir.resolve("none.properties").toString());
    }

    @Test
    void helpListsEveryOptionWithDefaults() {
        MainRun run = run(List.of("--help"));
        assertEquals(0, run.exit());
        for (String option : List.of("--layer", "--filter-range", "--step", "--epochs", "--upscaling-steps",
                "--upscaling-factor", "--output-dim", "--seed", "--weights", "--out", "--master", "--partitions", "--start-timeout",
                "--grid", "--verbose")) {
            assertTrue(run.out().contains(option), option + " missing from --help");
        }
        assertTrue(run.out().contains("Default: block5_conv1"), run.out());
        assertTrue(run.out().contains("Default: 1.2"), run.out());
    }
}
