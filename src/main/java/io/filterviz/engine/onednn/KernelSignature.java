package io.filterviz.engine.onednn;

import java.util.Collection;
import java.util.TreeSet;

/**
 * What decides a result's bits on oneDNN: its effective instruction set and the implementations of the primitives
 * that ran (oneDNN picks both per CPU, and two of them round the same sums differently). Written as one CSV-safe
 * token pair, {@code "avx512_core_bf16 brgconv:avx512_core+jit:uni+jit_wino_4x3:avx512_core"}: the same signature
 * gives the same bits; another one may not.
 */
public final class KernelSignature {
    private KernelSignature() {}

    /** This machine's signature for the primitives named (in any order, repeats allowed). */
    static String of(Collection<String> implementations) {
        return of(Dnnl.effectiveIsa(), implementations);
    }

    static String of(String isa, Collection<String> implementations) {
        TreeSet<String> names = new TreeSet<>();
        for (String name : implementations) names.add(name.replaceAll("[\\s,+]", "_"));
        return isa + " " + String.join("+", names);
    }
}
