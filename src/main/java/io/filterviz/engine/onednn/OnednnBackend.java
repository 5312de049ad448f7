package io.filterviz.engine.onednn;

import io.filterviz.engine.CompiledModel;
import io.filterviz.engine.ComputeBackend;
import io.filterviz.engine.Precision;
import io.filterviz.model.graph.Graph;

/** oneDNN called directly: fp32 or bf16 primitives chained per image size (see {@link PrimitiveChain}). */
public final class OnednnBackend implements ComputeBackend {
    private static final long serialVersionUID = 1L;

    /** Said on the driver before any task (exit 2) and by a task on an executor whose CPU differs (exit 1). */
    public static final String NO_BF16 = "--precision bf16 needs a CPU with AVX512_BF16 and this one has none: use --precision fp32";

    private final Precision precision;
    private final ConvolutionChoice convolutions;

    public OnednnBackend(Precision precision, ConvolutionChoice convolutions) {
        this.precision = precision;
        this.convolutions = convolutions;
    }

    /** Winograd where it measured faster ({@link ConvolutionChoice#MEASURED}). */
    public OnednnBackend(Precision precision) {
        this(precision, ConvolutionChoice.MEASURED);
    }

    @Override
    public CompiledModel compile(Graph graph) {
        graph.withWeights();
        Throwable failure = Dnnl.load();
        if (failure != null) throw new IllegalStateException("oneDNN does not load on this machine: " + failure, failure);
        if (precision == Precision.BF16 && !Dnnl.hasBf16Kernels()) {
            throw new IllegalStateException(NO_BF16);
        }
        return new OnednnModel(graph, precision, convolutions);
    }

    /** Null when oneDNN loads here, else why not. */
    public static String unavailableReason() {
        Throwable failure = Dnnl.load();
        return failure == null ? null : String.valueOf(failure);
    }

    /** Whether oneDNN has bf16 kernels on this CPU (AVX512_BF16); false when it does not load. */
    public static boolean bf16Supported() {
        return Dnnl.load() == null && Dnnl.hasBf16Kernels();
    }

    /**
     * Whether oneDNN has Winograd on this CPU (its only one needs AVX-512; DNNL_MAX_CPU_ISA=AVX2 shows a CPU without);
     * false when oneDNN does not load. Asked once per JVM: the driver settles what run.json records with it.
     */
    public static boolean winogradSupported() {
        return WinogradProbe.SUPPORTED;
    }

    private static final class WinogradProbe {
        static final boolean SUPPORTED = Dnnl.load() == null && Dnnl.hasWinograd(Dnnl.cpuEngine());
    }

    public Precision precision() { return precision; }

    /** oneDNN has no bf16 Winograd: bf16 convolutions are direct whatever the choice. */
    @Override
    public String convolutions() {
        return precision == Precision.BF16 ? ConvolutionChoice.DIRECT.label() : convolutions.label();
    }

    @Override
    public boolean redirectsReluGradients() { return true; }

    @Override
    public boolean equals(Object o) {
        return o instanceof OnednnBackend b && b.precision == precision && b.convolutions.equals(convolutions);
    }

    @Override
    public int hashCode() { return precision.hashCode() * 31 + convolutions.hashCode(); }

    @Override
    public String toString() { return "onednn-" + precision.label(); }

    /** Channel positions a scan searched in Java, and target tensors it viewed from Java, in this JVM so far. */
    public static long[] scanLocates() { return new long[]{ForwardChain.LOCATES.sum(), ForwardChain.VIEWS.sum()}; }

    /** With FILTERVIZ_PROFILE set: the milliseconds spent per primitive implementation and kind, largest first. */
    public static void printProfile(java.io.PrintStream out) {
        if (ChainParts.PROFILE == null) return;
        ChainParts.PROFILE.entrySet().stream().sorted(java.util.Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> out.printf(java.util.Locale.ROOT, "profile: %10.1f ms %s%n", e.getValue(), e.getKey()));
    }
}
