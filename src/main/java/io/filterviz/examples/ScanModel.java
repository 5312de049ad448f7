package io.filterviz.examples;

import io.filterviz.engine.Convolutions;
import io.filterviz.engine.Precision;
import io.filterviz.engine.onednn.ConvolutionChoice;
import io.filterviz.engine.onednn.OnednnBackend;
import io.filterviz.engine.onednn.OnednnModel;
import io.filterviz.model.graph.Graph;

import java.util.List;

/**
 * A network ready to scan on one engine, built once per executor JVM and shared by its tasks; each task opens its
 * own {@link ActivationScan} from it. {@code onednn} (the default: forward-only oneDNN chains, several images per pass,
 * the weights reordered once per JVM) or {@code reference} (double precision, one image at a time: the oracle).
 */
public interface ScanModel {
    List<String> ENGINES = List.of("onednn", "reference");
    String DEFAULT_ENGINE = "onednn";
    /**
     * Images per oneDNN pass. Measured with one thread per task (what a Spark task of one core runs), 3 alternating
     * rounds (README, "Examples"): several images per pass were not faster, for the trained Fashion-MNIST model at 28²
     * (1: 8,500 images/s, 4: 8,400, 8: 7,300, 16: 6,600, 32: 4,700) nor for ResNet-50 at 224² (8.7, 8.5, 8.5 images/s),
     * and ResNet-50's peak memory grew from 1.0 GB (1) to 1.7 (4) and 2.9 GB (8): one image per pass. Again with the
     * peaks from oneDNN's max pool: 10,649, 10,518, 10,445 images/s at 1, 4, 8 (Fashion-MNIST); ResNet-50 4 % faster
     * at 4 than at 1, for 1.3 GB against 0.9.
     */
    int DEFAULT_BATCH = 1;

    /** @param threads OpenMP threads of the task (its cores) */
    ActivationScan open(List<String> targets, int batch, int threads);

    /** Winograd where faster, the default (the bench and tests). */
    static ScanModel of(String engine, Graph network) {
        return of(engine, Convolutions.WINOGRAD_WHERE_FASTER, network);
    }

    /**
     * @param convolutions onednn's (on a CPU without AVX-512 both are direct); reference is direct always
     * @param network      the graph with its preprocessing prepended (input in pixels 0–255)
     */
    static ScanModel of(String engine, Convolutions convolutions, Graph network) {
        return switch (engine) {
            case "reference" -> (targets, batch, threads) -> new ReferenceScan(network, targets);
            case "onednn" -> {
                OnednnModel model = (OnednnModel) new OnednnBackend(Precision.FP32,
                        convolutions == Convolutions.DIRECT ? ConvolutionChoice.DIRECT : ConvolutionChoice.MEASURED)
                        .compile(network);
                ScanPool pool = new ScanPool(); // the chains outlive a task: the next task of the JVM reuses them
                yield (targets, batch, threads) -> pool.borrow(targets, batch, threads,
                        () -> new OnednnScan(model, targets, batch, threads));
            }
            default -> throw new IllegalArgumentException("no scan engine " + engine + "; one of " + ENGINES);
        };
    }

    /** Null when {@code engine} runs on this machine, else why not (oneDNN's native library may not load). */
    static String unavailableReason(String engine) {
        return engine.equals("onednn") ? OnednnBackend.unavailableReason() : null;
    }
}
