package io.filterviz.app;

import io.filterviz.config.BadInputException;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.engine.Convolutions;
import io.filterviz.engine.Precision;
import io.filterviz.engine.nd4j.Nd4jBackend;
import io.filterviz.engine.onednn.ConvolutionChoice;
import io.filterviz.engine.onednn.OnednnBackend;
import io.filterviz.engine.reference.ReferenceBackend;
import io.filterviz.model.KerasVgg;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.Vgg16;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** The composition root's choice of compute backend: the one place outside engine/ that names backend classes. */
public final class ComputeBackends {
    /** --engine's default: onednn where oneDNN loads (see {@link #resolve}). */
    public static final String DEFAULT = "onednn";
    /** What the default falls back to where oneDNN does not load. */
    public static final String FALLBACK = "nd4j";
    public static final List<String> NAMES = List.of("onednn", "nd4j", "reference");

    private ComputeBackends() {}

    /**
     * The engine for --engine and --precision, checked on the driver (exit 2 on a bad choice). The default engine
     * falls back to nd4j, with one line on {@code err}, where oneDNN does not load; an engine asked for by name
     * does not. bf16 needs oneDNN and AVX512_BF16: without them, one line and exit 2 (never a SIGILL later).
     */
    public static String resolveEngine(String engine, Precision precision, PrintStream err) {
        return resolveEngine(engine, precision, OnednnBackend::unavailableReason, OnednnBackend::bf16Supported, err);
    }

    /**
     * As above, with what this machine offers passed in, asked only when needed (loading oneDNN for an nd4j job
     * would bring a second OpenMP runtime): why oneDNN does not load (null: it does), and whether it runs bf16.
     */
    static String resolveEngine(String engine, Precision precision, Supplier<String> onednnProblem,
                                BooleanSupplier bf16Supported, PrintStream err) {
        boolean engineChosen = engine != null;
        String name = engineChosen ? engine : DEFAULT;
        if (!NAMES.contains(name)) {
            throw new BadInputException("--engine " + name + " is not one of " + String.join(", ", NAMES));
        }
        String onednnUnavailable = name.equals("onednn") ? onednnProblem.get() : null;
        if (onednnUnavailable != null) {
            // name the option the user passed: --engine onednn, or --precision bf16 that only oneDNN runs
            if (engineChosen) {
                throw new BadInputException("--engine onednn: oneDNN does not load on this machine (" + onednnUnavailable + ")");
            }
            if (precision == Precision.BF16) {
                throw new BadInputException("--precision bf16 needs oneDNN, which does not load on this machine ("
                        + onednnUnavailable + "): use --precision fp32");
            }
            err.println("filterviz: oneDNN does not load here (" + onednnUnavailable + "); using --engine " + FALLBACK);
            name = FALLBACK;
        }
        if (precision == Precision.BF16) {
            if (!name.equals("onednn")) {
                throw new BadInputException("--precision bf16 needs --engine onednn (" + name + " runs "
                        + (name.equals("nd4j") ? "fp32" : "fp64") + " only)");
            }
            if (!bf16Supported.getAsBoolean()) throw new BadInputException(OnednnBackend.NO_BF16);
        }
        return name;
    }

    /**
     * Whether the engine runs this graph, checked on the driver before anything is written: nd4j runs VGGs only
     * (a VGG as the built-in builds it, raw pixels in); one line and exit 2 for any other model.
     */
    /**
     * The heap one task's objective takes beyond the weights, where that can outgrow a JVM: the reference engine
     * keeps every tensor up to the targets in double precision, at the largest size the ascent runs the network at.
     * 0 for the other engines, whose tensors are native memory sized like the weights' activations in float.
     */
    public static long tensorHeapPerTask(String engine, Graph graph, java.util.List<String> targets,
                                         io.filterviz.engine.UpscalingSchedule schedule) {
        if (!engine.equals("reference")) return 0;
        // tensors only grow with the input: the largest size alone decides
        io.filterviz.engine.UpscalingSchedule.Size largest = schedule.ascentSizes().stream()
                .max(java.util.Comparator.comparingLong(s -> (long) s.width() * s.height())).orElseThrow();
        return io.filterviz.engine.reference.ReferenceGraph.heapBytes(graph, targets, largest.height(), largest.width());
    }

    public static void checkRuns(String engine, Graph graph) {
        if (engine.equals("nd4j") && !KerasVgg.isVgg(graph)) {
            throw new BadInputException("--engine nd4j runs VGG16 only (with --preprocess none); use --engine onednn for "
                    + graph.name());
        }
    }

    /**
     * The job's backend for --engine (as {@link #resolveEngine} settled it), --precision and --convolutions. Its
     * {@code convolutions()} is what run.json records: the user's choice, not this machine's CPU, since executors
     * may have other CPUs than the driver (a CPU without AVX-512 runs the Winograd choice direct, and each filter's
     * row names the kernels that ran). bf16 (oneDNN has no bf16 Winograd), nd4j and reference run direct only and
     * record direct whatever was asked.
     */
    public static ComputeBackend forJob(String engine, Precision precision, Convolutions convolutions) {
        if (!engine.equals("onednn")) return create(engine, precision);
        return new OnednnBackend(precision, convolutions == Convolutions.WINOGRAD_WHERE_FASTER && precision == Precision.FP32
                ? ConvolutionChoice.MEASURED : ConvolutionChoice.DIRECT);
    }

    /** The backend by name, unchecked (the bench and tests). */
    public static ComputeBackend create(String engine, Precision precision) {
        return create(engine, precision, null);
    }

    /**
     * @param winograd which 3×3 convolutions onednn runs as Winograd (fp32 only): null or "measured" for the
     *                 engine's default (where it measured faster), "none", "all", or layer names
     */
    public static ComputeBackend create(String engine, Precision precision, List<String> winograd) {
        return switch (engine) {
            case "nd4j" -> {
                if (precision != Precision.FP32) throw new BadInputException("--engine nd4j runs fp32 only");
                yield new Nd4jBackend();
            }
            case "onednn" -> new OnednnBackend(precision, convolutions(winograd));
            case "reference" -> new ReferenceBackend();
            default -> throw new BadInputException("--engine " + engine + " is not one of " + String.join(", ", NAMES));
        };
    }

    private static ConvolutionChoice convolutions(List<String> winograd) {
        if (winograd == null || winograd.equals(List.of("measured"))) return ConvolutionChoice.MEASURED;
        if (winograd.equals(List.of("none"))) return ConvolutionChoice.DIRECT;
        if (winograd.equals(List.of("all"))) return ConvolutionChoice.layers(Set.copyOf(Vgg16.convLayerNames()));
        for (String layer : winograd) {
            if (!Vgg16.convLayerNames().contains(layer)) {
                throw new BadInputException("--winograd " + layer + " is not a convolution of VGG16 (nor measured, none, all)");
            }
        }
        return ConvolutionChoice.layers(Set.copyOf(winograd));
    }
}
