package io.filterviz.cli;

import io.filterviz.config.ExamplesConfig;
import io.filterviz.config.JobConfig;
import io.filterviz.engine.Convolutions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** --convolutions reaches the job's config under either preset, and the example scan's. */
class ConvolutionsOptionTest {
    private static JobConfig job(String... args) {
        Options options = new Options(config -> { });
        Options.commandLine(options).parseArgs(args);
        return options.toConfig();
    }

    private static ExamplesConfig examples(String... more) {
        List<ExamplesConfig> seen = new ArrayList<>();
        List<String> args = new ArrayList<>(List.of("--images", "imgs", "--model", "m.onnx"));
        args.addAll(List.of(more));
        int exit = new CommandLine(new ExamplesCommand(seen::add)).execute(args.toArray(new String[0]));
        assertEquals(0, exit);
        return seen.get(0);
    }

    @Test
    void theDefaultIsWinogradWhereFasterAndDirectIsTaken() {
        assertEquals(Convolutions.WINOGRAD_WHERE_FASTER, job().convolutions());
        assertEquals(Convolutions.DIRECT, job("--convolutions", "direct").convolutions());
        assertEquals(Convolutions.WINOGRAD_WHERE_FASTER, job("--convolutions", "winograd-where-faster").convolutions());
        assertEquals(Convolutions.DIRECT, job("--preset", "lucid", "--convolutions", "direct").convolutions());
        assertEquals(Convolutions.WINOGRAD_WHERE_FASTER, job("--preset", "lucid").convolutions());
        assertEquals(Convolutions.DIRECT, job("--convolutions", "winograd-where-faster", "--convolutions", "direct")
                .convolutions(), "the last one wins, as for every option");
    }

    @Test
    void theExampleScanTakesItToo() {
        assertEquals(Convolutions.WINOGRAD_WHERE_FASTER, examples().convolutions());
        assertEquals(Convolutions.DIRECT, examples("--convolutions", "direct").convolutions());
    }
}
