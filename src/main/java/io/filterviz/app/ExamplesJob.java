package io.filterviz.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.filterviz.config.BadInputException;
import io.filterviz.config.ExamplesConfig;
import io.filterviz.examples.CropRequest;
import io.filterviz.examples.Example;
import io.filterviz.examples.ExampleRow;
import io.filterviz.examples.ScanSpec;
import io.filterviz.model.onnx.OnnxLoader;
import io.filterviz.examples.ScanTotals;
import io.filterviz.examples.TopExamples;
import io.filterviz.report.ExampleLayout;
import io.filterviz.report.ExampleTables;
import io.filterviz.report.ExamplesGallery;
import io.filterviz.spark.ExampleCropRunner;
import io.filterviz.spark.ExampleScanRunner;
import io.filterviz.storage.LeaseHeldException;
import io.filterviz.storage.OutputLease;
import io.filterviz.storage.OutputStore;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The example scan's workflow: plan on the driver (every check before any task), take the lease on --out, scan the
 * layers not finished there yet in one pass over the collection, cut the crops of the kept examples, write each
 * layer's table (the layer is then done), then the whole table and the gallery.
 */
public final class ExamplesJob {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final PrintStream err;

    public ExamplesJob(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public void run(ExamplesConfig config) {
        SparkConf sparkConf = sparkConf(config);
        Configuration hadoop = SparkHadoopUtil.get().newConfiguration(sparkConf);
        ExamplesPlan plan = ExamplesPlan.of(config, hadoop, err);
        OutputStore store = OutputStore.open(config.out(), hadoop);
        try {
            store.checkNotAFile();
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--out " + config.out() + ": " + e.getMessage());
        }
        ObjectNode recipe = recipe(config, plan.spec());
        if (!config.overwrite() && store.exists(ExampleLayout.RECIPE)) {
            if (!recipe.equals(parsed(store.read(ExampleLayout.RECIPE)))) {
                throw new BadInputException("--out " + config.out() + " holds examples of another scan (" + ExampleLayout.RECIPE
                        + " differs: model, preprocessing, images, --top or --image-size); use another --out, or --overwrite "
                        + "to replace those examples");
            }
        }
        try (OutputLease lease = lease(store, config.overwrite(), sparkConf.get("spark.yarn.app.id", null))) {
            SparkSession spark = SparkSession.builder().config(sparkConf).getOrCreate();
            spark.sparkContext().setLogLevel(config.verbose() ? "INFO" : "WARN");
            try {
                lease.nameApplication(spark.sparkContext().applicationId());
                if (config.overwrite()) {
                    store.deleteTree(ExampleLayout.FOLDER);
                    store.deleteTree(ExampleLayout.PARQUET);
                    store.delete(ExampleLayout.CSV);
                }
                store.write(ExampleLayout.RECIPE, bytes(recipe));
                List<String> remaining = plan.spec().targets().stream()
                        .filter(layer -> !store.exists(ExampleLayout.layerTable(layer))).toList();
                if (remaining.size() < plan.spec().targets().size()) {
                    out.printf("%d of %d layers already scanned in %s: skipped%n",
                            plan.spec().targets().size() - remaining.size(), plan.spec().targets().size(), store.uri(""));
                }
                if (!remaining.isEmpty()) scan(spark, store, lease, plan, remaining);
                // the table grows with the folder: earlier layers of the same scan stay in it
                List<ExampleRow> all = new ArrayList<>();
                if (store.exists(ExampleLayout.CSV)) {
                    ExampleRow.parse(new String(store.read(ExampleLayout.CSV), StandardCharsets.UTF_8)).stream()
                            .filter(r -> !plan.spec().targets().contains(r.layer())).forEach(all::add);
                }
                for (String layer : plan.spec().targets()) all.addAll(ExampleTables.readLayer(store, layer));
                lease.checkHeld();
                ExampleTables.writeAll(spark, store, all);
                ExamplesGallery.write(store, config.pictures() == null ? null : OutputStore.open(config.pictures(), hadoop), all);
                out.println("Examples: " + store.uri(ExamplesGallery.INDEX) + ", " + store.uri(ExampleLayout.CSV) + " (" + all.size() + " rows), Parquet "
                        + store.uri(ExampleLayout.PARQUET) + ", crops under " + store.uri(ExampleLayout.FOLDER));
            } finally {
                spark.stop();
            }
        }
    }

    private void scan(SparkSession spark, OutputStore store, OutputLease lease, ExamplesPlan plan, List<String> layers) {
        ScanSpec spec = plan.spec().withTargets(layers);
        spark.sparkContext().addFile(ExamplesPlan.qualified(plan.modelLocation()).toString());
        // external data files go beside the model: the executors look for them beside the shipped copy
        for (java.nio.file.Path data : OnnxLoader.externalDataFiles(plan.localModel())) spark.sparkContext().addFile(data.toString());
        long start = System.nanoTime();
        ScanTotals totals = new ExampleScanRunner(spark).scan(plan.images(), spec);
        double seconds = (System.nanoTime() - start) / 1e9;
        String skipped = totals.skipped() == 0 ? "" : String.format(Locale.ROOT, "; skipped %d file%s that are not images "
                + "the network can take (%s%s)", totals.skipped(), totals.skipped() == 1 ? "" : "s",
                String.join("; ", totals.skipReasons()), totals.skipped() > totals.skipReasons().size() ? "; ..." : "");
        if (totals.scanned() == 0) {
            throw new BadInputException("--images " + plan.images() + ": none of its " + totals.skipped()
                    + " files could be scanned (" + String.join("; ", totals.skipReasons()) + ")");
        }
        out.printf(Locale.ROOT, "Scanned %d images for %d layer%s in %.1f s (%.1f images/s, %s, --engine %s)%s%n",
                totals.scanned(), layers.size(), layers.size() == 1 ? "" : "s", seconds, totals.scanned() / seconds,
                spec.size(), spec.engine(), skipped);
        TopExamples top = totals.top();
        Map<String, List<CropRequest>> requests = new LinkedHashMap<>();
        Map<String, List<ExampleRow>> rows = new LinkedHashMap<>();
        for (String layer : layers) {
            List<ExampleRow> layerRows = new ArrayList<>();
            for (int filter : top.filters(layer)) {
                List<Example> ranked = top.ranked(layer, filter);
                for (int i = 0; i < ranked.size(); i++) {
                    Example e = ranked.get(i);
                    layerRows.add(new ExampleRow(layer, filter, i + 1, e.image(), e.score(), e.x(), e.y()));
                    requests.computeIfAbsent(e.image(), p -> new ArrayList<>()).add(new CropRequest(layer, filter, i + 1, e.x(), e.y()));
                }
            }
            rows.put(layer, layerRows);
        }
        new ExampleCropRunner(spark).cut(requests, spec, crop -> {
            lease.checkHeld();
            store.write(ExampleLayout.crop(crop.request().layer(), crop.request().filter(), crop.request().rank()), crop.png());
        });
        // a layer's table last: its presence tells a rerun that the layer (crops included) is done
        rows.forEach((layer, layerRows) -> ExampleTables.writeLayer(store, layer, layerRows));
    }

    /** What a rerun must match to reuse finished layers (layers themselves may differ: they add up). */
    static ObjectNode recipe(ExamplesConfig config, ScanSpec spec) {
        ObjectNode recipe = JSON.createObjectNode();
        recipe.put("model", spec.modelName());
        recipe.put("model_sha256", spec.sha256());
        recipe.put("preprocess", spec.preprocess().label());
        recipe.put("images", config.images());
        recipe.put("top", spec.top());
        recipe.put("input_size", spec.size().toString());
        return recipe;
    }

    private static byte[] bytes(ObjectNode recipe) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(recipe);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always writes", e);
        }
    }

    /** An earlier run's recipe, compared as JSON (its layout may differ); null where it is not JSON. */
    private static JsonNode parsed(byte[] earlier) {
        try {
            return JSON.readTree(earlier);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static OutputLease lease(OutputStore store, boolean overwrite, String yarnApplication) {
        try {
            return OutputLease.acquire(store, overwrite, yarnApplication);
        } catch (LeaseHeldException e) {
            throw new BadInputException(e.getMessage());
        }
    }

    private static SparkConf sparkConf(ExamplesConfig config) {
        SparkConf conf = new SparkConf().setAppName("filterviz examples " + String.join(",", config.layers()));
        if (config.master() != null) {
            conf.setMaster(config.master());
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        return conf;
    }
}
