package io.filterviz.engine.onednn;

import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc_iterator;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

import java.util.Arrays;
import java.util.Locale;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * A measurement tool, not a test: every implementation oneDNN offers for one convolution (through its
 * primitive-descriptor iterator), direct and Winograd, forward and backward-data, each timed alone (median of 30
 * runs after 5). docs/lucid.md's block4 and block1 figures and the README's 1×1 ones come from it. Run with the test
 * class path and OMP_NUM_THREADS for the threads:
 * {@code OMP_NUM_THREADS=1 java -cp target/test-classes:target/classes:$(cat target/classpath.txt)
 * io.filterviz.engine.onednn.ConvolutionImplementations IC OC SIZE[,SIZE...] [nhwc]}; {@code -Dk=1} for a 1×1
 * kernel (else 3×3, padding 1), {@code -Dmb=N} images, {@code -Dfwdonly=true} forward inference only,
 * {@code -Dsrc=nchw} the source in plain layout (a first convolution's).
 */
public final class ConvolutionImplementations {
    /** DNNL_MEMORY_ALLOCATE: oneDNN allocates the memory itself. */
    private static final Pointer ALLOCATE = new Pointer() {{ address = -1; }};

    public static void main(String[] args) {
        Dnnl.load();
        dnnl_engine engine = Dnnl.cpuEngine();
        dnnl_stream stream = Dnnl.stream(engine);
        int ic = Integer.parseInt(args[0]), oc = Integer.parseInt(args[1]);
        int format = args.length < 4 ? dnnl_format_tag_any : switch (args[3]) { case "nhwc" -> dnnl_nhwc; case "nchw" -> dnnl_nchw; default -> throw new IllegalArgumentException("nhwc or nchw, not " + args[3]); };
        int mb = Integer.getInteger("mb", 1), k = Integer.getInteger("k", 3);
        int[] props = Boolean.getBoolean("fwdonly") ? new int[]{dnnl_forward_inference}
                : new int[]{dnnl_forward_training, dnnl_backward_data};
        for (String side : args[2].split(",")) {
            int h = Integer.parseInt(side);
            for (int prop : props) {
                for (int alg : new int[]{dnnl_convolution_direct, dnnl_convolution_winograd}) {
                    Shape s = new Shape(mb, ic, oc, h, k, format, sourceFormat(format));
                    dnnl_convolution_desc_t desc = s.desc(prop, alg);
                    if (desc == null) continue;
                    dnnl_primitive_desc hint = null;
                    if (prop == dnnl_backward_data) {
                        hint = new dnnl_primitive_desc();
                        dnnl_convolution_desc_t forward = s.desc(dnnl_forward_training, alg);
                        if (forward == null || dnnl_primitive_desc_create(hint, new const_dnnl_op_desc_t(forward), null,
                                engine, null) != dnnl_success) continue;
                    }
                    dnnl_primitive_desc_iterator it = new dnnl_primitive_desc_iterator();
                    if (dnnl_primitive_desc_iterator_create(it, new const_dnnl_op_desc_t(desc), null, engine, hint) != dnnl_success) continue;
                    do {
                        dnnl_primitive_desc pd = dnnl_primitive_desc_iterator_fetch(it);
                        String impl = Dnnl.implementation(pd);
                        if (impl.startsWith("ref")) continue; // seconds a run: not a candidate
                        System.out.printf(Locale.ROOT, "mb%d ic%d oc%d k%d %dpx %s %s %s median=%.3f ms%n", mb, ic, oc, k,
                                h, prop == dnnl_backward_data ? "bwd_d" : "fwd",
                                alg == dnnl_convolution_direct ? "direct" : "wino", impl, medianMillis(pd, prop, oc, engine, stream));
                    } while (dnnl_primitive_desc_iterator_next(it) == dnnl_success);
                }
            }
        }
    }

    /** {@code -Dsrc=nchw}: the source (and its gradient) in plain layout, as a network's first convolution gets it. */
    private static int sourceFormat(int format) {
        String src = System.getProperty("src", "");
        return switch (src) {
            case "" -> format;
            case "nchw" -> dnnl_nchw;
            case "nhwc" -> dnnl_nhwc;
            default -> throw new IllegalArgumentException("-Dsrc=nchw|nhwc, not " + src);
        };
    }

    private record Shape(int mb, int ic, int oc, int h, int k, int format, int sourceFormat) {
        /** The operation's descriptor, or null when oneDNN has none for it (Winograd of a 1×1). */
        dnnl_convolution_desc_t desc(int prop, int alg) {
            long[] one = {1, 1}, zero = {0, 0}, pad = k == 1 ? zero : one;
            dnnl_memory_desc_t src = Dnnl.md(dnnl_f32, sourceFormat, mb, ic, h, h), dst = Dnnl.md(dnnl_f32, format, mb, oc, h, h);
            dnnl_memory_desc_t weights = Dnnl.md(dnnl_f32, dnnl_format_tag_any, oc, ic, k, k);
            dnnl_convolution_desc_t d = new dnnl_convolution_desc_t();
            int status = prop == dnnl_backward_data
                    ? dnnl_dilated_convolution_backward_data_desc_init(d, alg, src, weights, dst, one, zero, pad, pad)
                    : dnnl_dilated_convolution_forward_desc_init(d, prop, alg, src, weights, Dnnl.md(dnnl_f32, dnnl_x, oc),
                    dst, one, zero, pad, pad);
            return status == dnnl_success ? d : null;
        }
    }

    /**
     * Ordinary values in every buffer: memory oneDNN allocates is not initialised, and denormal or NaN garbage made
     * single runs up to 200× slower.
     */
    private static void fill(dnnl_memory memory, long bytes) {
        PointerPointer<Pointer> handle = new PointerPointer<>(1);
        Dnnl.check(dnnl_memory_get_data_handle(memory, handle), "memory_get_data_handle");
        FloatPointer floats = new FloatPointer(handle.get(0)).capacity(bytes / Float.BYTES);
        for (long i = 0; i < bytes / Float.BYTES; i++) floats.put(i, 0.001f * (i % 1000));
    }

    private static double medianMillis(dnnl_primitive_desc pd, int prop, int oc, dnnl_engine engine, dnnl_stream stream) {
        boolean backward = prop == dnnl_backward_data;
        int[] kinds = backward ? new int[]{DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC, DNNL_ARG_SCRATCHPAD}
                : new int[]{DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST, DNNL_ARG_SCRATCHPAD};
        int[] queries = backward ? new int[]{dnnl_query_diff_dst_md, dnnl_query_weights_md, dnnl_query_diff_src_md, dnnl_query_scratchpad_md}
                : new int[]{dnnl_query_src_md, dnnl_query_weights_md, -1, dnnl_query_dst_md, dnnl_query_scratchpad_md};
        dnnl_memory[] memories = new dnnl_memory[kinds.length];
        for (int i = 0; i < kinds.length; i++) {
            dnnl_memory_desc_t md = queries[i] < 0 ? Dnnl.md(dnnl_f32, dnnl_x, oc) : dnnl_primitive_desc_query_md(pd, queries[i], 0);
            memories[i] = new dnnl_memory();
            Dnnl.check(dnnl_memory_create(memories[i], md, engine, ALLOCATE), "memory_create");
            fill(memories[i], Dnnl.bytes(md));
        }
        dnnl_primitive p = Dnnl.primitive(pd);
        dnnl_exec_arg_t execArgs = Dnnl.args(kinds, memories);
        for (int i = 0; i < 5; i++) Dnnl.execute(p, stream, kinds.length, execArgs);
        dnnl_stream_wait(stream);
        double[] millis = new double[30];
        for (int r = 0; r < millis.length; r++) {
            long t = System.nanoTime();
            Dnnl.execute(p, stream, kinds.length, execArgs);
            dnnl_stream_wait(stream);
            millis[r] = (System.nanoTime() - t) / 1e6;
        }
        dnnl_primitive_destroy(p);
        for (dnnl_memory m : memories) dnnl_memory_destroy(m);
        Arrays.sort(millis);
        return millis[millis.length / 2];
    }
}
