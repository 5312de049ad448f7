package io.filterviz.engine.onednn;

import io.filterviz.engine.FilterObjective;
import org.bytedeco.dnnl.dnnl_engine;

import java.util.List;

import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_destroy;

/** What tests outside this package ask of the oneDNN engine: does this CPU have Winograd, which primitives ran. */
public final class OnednnProbe {
    private OnednnProbe() {}

    /** Whether oneDNN has its Winograd convolution here (jit_wino_4x3: AVX-512 only). */
    public static boolean winogradOnThisCpu() {
        if (Dnnl.load() != null) return false;
        dnnl_engine engine = Dnnl.cpuEngine();
        try {
            return Dnnl.hasWinograd(engine);
        } finally {
            dnnl_engine_destroy(engine);
        }
    }

    /** oneDNN's effective instruction set on this machine, as {@code KernelSignature} names it ("avx2", ...). */
    public static String effectiveIsa() {
        if (Dnnl.load() != null) throw new IllegalStateException("oneDNN does not load here");
        return Dnnl.effectiveIsa();
    }

    /** The implementations oneDNN picked for an objective's primitives so far, e.g. "jit_wino_4x3:avx512_core". */
    public static List<String> implementations(FilterObjective objective) {
        return ((OnednnFilterObjective) objective).implementations();
    }
}
