package io.filterviz.spark;

import io.filterviz.examples.ScanModel;
import io.filterviz.examples.ScanSpec;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.ModelMemoryException;
import org.apache.spark.SparkFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The executor-side cache of networks for the example scan: one graph per (model bytes, preprocessing, targets) per
 * JVM, read up to the targets (memory-mapped, no weights past them), and
 * one compiled scan model per engine of it (a handful of entries: one per model a job scans), read
 * from the file Spark shipped (SparkContext.addFile) and keyed by its SHA-256, not its path: two files of one content
 * share an entry, and a changed file under the same name is not mistaken for the old one.
 */
final class ExecutorNetworks {
    private static final Map<String, Graph> NETWORKS = new ConcurrentHashMap<>();
    private static final Map<String, ScanModel> SCAN_MODELS = new ConcurrentHashMap<>();
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorNetworks.class);

    private ExecutorNetworks() {}

    /** The network compiled for the spec's engine (oneDNN's weights reordered once per JVM), shared by the tasks. */
    static ScanModel scanModel(ScanSpec spec) {
        return SCAN_MODELS.computeIfAbsent(spec.sha256() + "/" + spec.preprocess() + "/" + spec.targets() + "/"
                + spec.engine() + "/" + spec.convolutions(), key -> ScanModel.of(spec.engine(), spec.convolutions(), get(spec)));
    }

    static Graph get(ScanSpec spec) {
        // Keyed by the targets too: the graph holds the nodes (and weights) up to them only
        return NETWORKS.computeIfAbsent(spec.sha256() + "/" + spec.preprocess() + "/" + spec.targets(), key -> {
            Path shipped = Path.of(SparkFiles.get(spec.modelName()));
            String sha;
            try {
                sha = ScanSpec.sha256(shipped);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the shipped model " + shipped, e);
            }
            if (!sha.equals(spec.sha256())) {
                throw new IllegalStateException("the shipped model " + shipped + " has SHA-256 " + sha + ", the driver's "
                        + spec.sha256() + ": the file changed while the job ran");
            }
            LOG.info("filterviz: loaded {} ({}) for the example scan", spec.modelName(), sha.substring(0, 12));
            try {
                return ScanSpec.network(shipped, spec.preprocess(), spec.targets());
            } catch (ModelMemoryException e) {
                throw e.naming("--executor-memory");
            } catch (OutOfMemoryError e) {
                throw ModelMemoryException.outOfMemory(spec.modelName(), shipped.toFile().length()).naming("--executor-memory");
            }
        });
    }
}
