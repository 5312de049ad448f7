package io.filterviz.cli;

import io.filterviz.app.ComputeBackends;
import io.filterviz.app.FilterVizJob;
import io.filterviz.config.FilterRange;
import io.filterviz.config.JobConfig;
import io.filterviz.image.GridStitcher;
import io.filterviz.job.JobPlan;
import io.filterviz.engine.AscentSettings;
import io.filterviz.engine.lucid.LucidSettings;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.KerasVgg;
import io.filterviz.model.RandomWeights;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.ImagenetWeights;
import io.filterviz.model.Vgg16;
import io.filterviz.result.FilterId;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The options' defaults live in the code (Options); the copies that must exist for users, README's options table
 * and conf/filterviz.properties, are held to it here.
 */
class DocumentedDefaultsTest {
    private static final Path PROJECT = Path.of(System.getProperty("user.dir"));

    /** --option → its default as --help shows it (null: none), help and version left out. */
    private static Map<String, String> codeDefaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        for (OptionSpec option : Options.commandLine(new Options(config -> { })).getCommandSpec().options()) {
            if (option.usageHelp() || option.versionHelp()) continue;
            Object initial = option.initialValue();
            defaults.put(option.longestName(), initial == null ? null : String.valueOf(initial));
        }
        return defaults;
    }

    /** --option → the README table's default cell. */
    private static Map<String, String> readmeDefaults() throws Exception {
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(PROJECT.resolve("README.md"))) {
            if (!line.startsWith("| `--")) continue;
            String[] cells = line.split("(?<!\\\\)\\|"); // cells split on |, but not on an escaped \|
            Matcher name = Pattern.compile("`(--[a-z-]+)").matcher(cells[1]);
            assertTrue(name.find(), line);
            rows.put(name.group(1), cells[2].trim());
        }
        return rows;
    }

    @Test
    void readmeListsEveryOptionWithTheDefaultTheCodeHas() throws Exception {
        Map<String, String> code = codeDefaults();
        Map<String, String> readme = readmeDefaults();
        assertEquals(new TreeSet<>(code.keySet()), new TreeSet<>(readme.keySet()), "README's options table vs --help");
        String home = System.getProperty("user.home");
        for (Map.Entry<String, String> option : code.entrySet()) {
            String documented = readme.get(option.getKey());
            String value = option.getValue();
            if (value == null) continue; // computed defaults ("all filters", "one per filter") are described in words
            if (value.equals("false")) {
                assertEquals("off", documented, option.getKey());
            } else {
                assertEquals("`" + value.replace(home, "~") + "`", documented, option.getKey());
            }
        }
    }

    /**
     * The defaults the code computes (no initial value: --help describes them in words), each with the README cell
     * the code implies. A new option with a computed default must be added here.
     */
    @Test
    void computedDefaultsAreTheReadmes() throws Exception {
        Map<String, String> computed = new TreeMap<>(Map.of(
                "--engine", "`" + ComputeBackends.DEFAULT + "` (`" + ComputeBackends.FALLBACK + "` where oneDNN does not load)",
                "--master", "spark-submit's, else `" + FilterVizJob.LOCAL_MASTER + "`",
                "--filter-range", "all filters",
                "--output-dim", "`" + AscentSettings.defaults().outputWidth() + "` (`" + LucidSettings.DEFAULT_OUTPUT_DIM
                        + "` under `--preset lucid`; a fixed-size network: its input size)",
                "--preprocess", "`" + Preprocessing.NONE.label() + "` for vgg16 and vgg19 (`" + Preprocessing.CAFFE.label()
                        + "` under `--preset lucid`); a model file needs it",
                "--partitions", "one per filter",
                "--grid", "floor(sqrt(live filters))",
                "--weights-url", "Keras' official URL",
                "--conf-file", "`conf/filterviz.properties`"));
        Map<String, String> code = codeDefaults();
        assertEquals(new TreeSet<>(computed.keySet()), new TreeSet<>(code.keySet().stream()
                .filter(option -> code.get(option) == null).toList()), "options whose default the code computes");
        Map<String, String> readme = readmeDefaults();
        for (Map.Entry<String, String> option : computed.entrySet()) {
            assertEquals(option.getValue(), readme.get(option.getKey()), option.getKey());
        }

        // ... and that the code computes what those words say
        JobConfig none = new Options(config -> { }).toConfig();
        assertEquals(FilterRange.ALL, none.filterRange(), "--filter-range: all filters");
        List<FilterId> items = List.of(new FilterId("block1_conv1", 0), new FilterId("block1_conv1", 1),
                new FilterId("block1_conv1", 2));
        Graph vgg = KerasVgg.graph("vgg16", RandomWeights.create("block1_conv1", 1));
        assertEquals(3, new JobPlan(none, null, vgg, null, items, AscentSettings.defaults(), AscentSettings.defaults().schedule(), null, null)
                        .partitions().size(),
                "--partitions: one per filter");
        for (int live = 0; live <= 600; live++) {
            assertEquals((int) Math.floor(Math.sqrt(live)), GridStitcher.defaultSide(live), "--grid for " + live);
        }
        assertTrue(ImagenetWeights.OFFICIAL_URL.toString().contains("/keras-applications/"), "--weights-url");
        assertTrue(Files.readString(PROJECT.resolve("submit.sh")).contains("-Dfilterviz.conf=$here/conf/filterviz.properties"),
                "--conf-file: submit.sh names conf/filterviz.properties");
    }

    @Test
    void theShippedJobDefaultsAreTheCodesDefaults() throws Exception {
        Properties conf = new Properties();
        try (Reader in = Files.newBufferedReader(PROJECT.resolve("conf/filterviz.properties"))) {
            conf.load(in);
        }
        Map<String, String> code = codeDefaults();
        assertTrue(conf.size() >= 5, "conf/filterviz.properties lists the algorithm's defaults");
        for (String key : conf.stringPropertyNames()) {
            assertTrue(code.containsKey("--" + key), key + " is not an option");
            assertEquals(code.get("--" + key), conf.getProperty(key), key);
        }
    }

    @Test
    void everyDocumentedDefaultReachesHelp() {
        String help = Options.commandLine(new Options(config -> { })).getUsageMessage();
        for (String value : List.of("keras", "block5_conv1", "1.0", "15", "9", "1.2", "412", "42", "imagenet", "0.05", "512",
                "0.01", "standard", "17", "winograd-where-faster")) {
            assertTrue(help.contains("Default: " + value), value + " missing from --help");
        }
    }
}
