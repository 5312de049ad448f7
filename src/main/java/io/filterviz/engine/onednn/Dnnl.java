package io.filterviz.engine.onednn;

import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

import java.nio.ByteBuffer;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * Thin helpers over oneDNN's C API. We call the C API rather than the preset's C++ classes on purpose: every
 * call returns a status that {@link #check} turns into an exception naming the call, handles are explicit (we
 * decide when each is created and destroyed), descriptors are plain structs, and it is the API the probe ran
 * beside ND4J in one JVM. The C++ classes wrap the same calls behind std::vector and nested types whose
 * mapping through JavaCPP is harder to read and to get right.
 */
final class Dnnl {
    private static volatile Throwable loadFailure;
    private static volatile boolean loaded;

    private Dnnl() {}

    /** Loads the native library once; null when it loaded, else why not (no SIGILL: oneDNN dispatches by CPUID). */
    static synchronized Throwable load() {
        if (loaded) return null;
        if (loadFailure != null) return loadFailure;
        try {
            Loader.load(org.bytedeco.dnnl.global.dnnl.class);
            loaded = true;
            return null;
        } catch (Throwable t) {
            loadFailure = t;
            return t;
        }
    }

    static void check(int status, String what) {
        if (status != dnnl_success) {
            throw new IllegalStateException("oneDNN " + what + " failed: " + statusName(status) + " (status " + status + ")");
        }
    }

    /** dnnl_status_t by its name in dnnl_types.h, without the prefix (the preset has no dnnl_status2str). */
    static String statusName(int status) {
        return switch (status) {
            case dnnl_success -> "success";
            case dnnl_out_of_memory -> "out_of_memory";
            case dnnl_invalid_arguments -> "invalid_arguments";
            case dnnl_unimplemented -> "unimplemented";
            case dnnl_iterator_ends -> "iterator_ends";
            case dnnl_runtime_error -> "runtime_error";
            case dnnl_not_required -> "not_required";
            default -> "unknown status";
        };
    }

    static dnnl_engine cpuEngine() {
        dnnl_engine engine = new dnnl_engine();
        check(dnnl_engine_create(engine, dnnl_cpu, 0), "engine_create");
        return engine;
    }

    static dnnl_stream stream(dnnl_engine engine) {
        dnnl_stream stream = new dnnl_stream();
        check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), "stream_create");
        return stream;
    }

    static dnnl_memory_desc_t md(int dataType, int formatTag, long... dims) {
        dnnl_memory_desc_t md = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_tag(md, dims.length, dims, dataType, formatTag), "memory_desc_init_by_tag");
        return md;
    }

    /** An owned copy of a descriptor a primitive descriptor answered with (those live only as long as it does). */
    static dnnl_memory_desc_t copy(dnnl_memory_desc_t md) {
        dnnl_memory_desc_t copy = new dnnl_memory_desc_t();
        Pointer.memcpy(copy, md, copy.sizeof());
        return copy;
    }

    static dnnl_memory_desc_t query(dnnl_primitive_desc pd, int what) {
        dnnl_memory_desc_t md = dnnl_primitive_desc_query_md(pd, what, 0);
        if (md == null || md.isNull()) throw new IllegalStateException("oneDNN primitive has no memory for query " + what);
        return copy(md);
    }

    /** A view of part of {@code parent} (a block of {@code dims} at {@code offsets}), addressed from the parent's base. */
    static dnnl_memory_desc_t submemory(dnnl_memory_desc_t parent, long[] dims, long[] offsets) {
        dnnl_memory_desc_t md = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_submemory(md, parent, dims, offsets), "memory_desc_init_submemory");
        return md;
    }

    /** Descriptors one after another in native memory, as concat and sum take them. */
    static dnnl_memory_desc_t array(java.util.List<dnnl_memory_desc_t> mds) {
        dnnl_memory_desc_t array = new dnnl_memory_desc_t(mds.size());
        for (int i = 0; i < mds.size(); i++) {
            Pointer.memcpy(array.getPointer(i), mds.get(i), mds.get(i).sizeof());
        }
        return array;
    }

    static long[] dims(dnnl_memory_desc_t md) {
        long[] dims = new long[md.ndims()];
        for (int i = 0; i < dims.length; i++) dims[i] = md.dims().get(i);
        return dims;
    }

    /** The plain (row-major, dense) layout of {@code dims}: nc, nchw, goihw, ... up to oneDNN's 12 dimensions. */
    static dnnl_memory_desc_t plain(int dataType, long... dims) {
        int tag = switch (dims.length) {
            case 1 -> dnnl_a;
            case 2 -> dnnl_ab;
            case 3 -> dnnl_abc;
            case 4 -> dnnl_abcd;
            case 5 -> dnnl_abcde;
            case 6 -> dnnl_abcdef;
            default -> -1;
        };
        if (tag >= 0) return md(dataType, tag, dims);
        if (dims.length > DNNL_MAX_NDIMS) {
            throw new IllegalArgumentException("a tensor of " + dims.length + " dimensions (oneDNN takes " + DNNL_MAX_NDIMS + ")");
        }
        return strided(dataType, dims, rowMajorStrides(dims), 0);
    }

    /** Row-major strides of {@code dims}, in elements. */
    static long[] rowMajorStrides(long[] dims) {
        long[] strides = new long[dims.length];
        long s = 1;
        for (int a = dims.length - 1; a >= 0; a--) {
            strides[a] = s;
            s *= dims[a];
        }
        return strides;
    }

    /**
     * A view of memory by explicit strides (in elements, ≥ 0: a stride of 0 repeats the values, a broadcast) from
     * element {@code offset}: a strided slice, a broadcast source, a plain tensor of many dimensions.
     */
    static dnnl_memory_desc_t strided(int dataType, long[] dims, long[] strides, long offset) {
        dnnl_memory_desc_t md = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_strides(md, dims.length, dims, dataType, strides), "memory_desc_init_by_strides");
        md.offset0(offset);
        return md;
    }

    /** Whether {@code md} is the plain layout of its dimensions. */
    static boolean isPlain(dnnl_memory_desc_t md) {
        return md.format_kind() == dnnl_blocked && same(md, plain(md.data_type(), dims(md)));
    }

    /**
     * The same memory seen with its axes permuted: logical axis {@code a} of the result is axis {@code from[a]} of
     * {@code md} (ONNX's Transpose order, which is the inverse of oneDNN's permute_axes argument).
     */
    static dnnl_memory_desc_t permuted(dnnl_memory_desc_t md, int[] from) {
        int[] to = new int[from.length];
        for (int a = 0; a < from.length; a++) to[from[a]] = a;
        dnnl_memory_desc_t out = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_permute_axes(out, md, to), "memory_desc_permute_axes");
        return out;
    }

    /** {@code md} with other dimensions over the same memory in the same logical order, or null when oneDNN cannot. */
    static dnnl_memory_desc_t reshaped(dnnl_memory_desc_t md, long[] dims) {
        dnnl_memory_desc_t out = new dnnl_memory_desc_t();
        return dnnl_memory_desc_reshape(out, md, dims.length, dims) == dnnl_success ? out : null;
    }

    /**
     * Whether the layout is strided without inner blocks (plain, a permutation of plain, a slice): what matmul
     * takes as it is.
     */
    static boolean unblocked(dnnl_memory_desc_t md) {
        return md.format_kind() == dnnl_blocked && md.format_desc_blocking().inner_nblks() == 0;
    }

    static boolean same(dnnl_memory_desc_t a, dnnl_memory_desc_t b) {
        return dnnl_memory_desc_equal(a, b) == 1;
    }

    static long bytes(dnnl_memory_desc_t md) { return dnnl_memory_desc_get_size(md); }

    /**
     * Whether each of the {@code batch} images of a tensor in this layout is one contiguous part of {@code bytes(md) /
     * batch} bytes, image after image: a blocked layout whose outermost dimension is the batch (not blocked, no
     * offset), as nchw, nhwc and nChw16c are.
     */
    static boolean imagesContiguous(dnnl_memory_desc_t md, int batch) {
        if (batch == 1) return true;
        if (md.format_kind() != dnnl_blocked || md.offset0() != 0 || md.ndims() < 1 || md.dims().get(0) != batch) return false;
        org.bytedeco.dnnl.dnnl_blocking_desc_t blocking = md.format_desc_blocking();
        for (int i = 0; i < blocking.inner_nblks(); i++) if (blocking.inner_idxs().get(i) == 0) return false;
        long elements = bytes(md) / dnnl_data_type_size(md.data_type());
        return blocking.strides().get(0) * batch == elements;
    }

    /** The descriptor's bytes, as a map key: equal layouts give equal keys. */
    static ByteBuffer key(dnnl_memory_desc_t md) {
        byte[] bytes = new byte[(int) md.sizeof()];
        new BytePointer(md).capacity(bytes.length).limit(bytes.length).get(bytes);
        return ByteBuffer.wrap(bytes);
    }

    /** Scratchpad owned by us (one buffer per chain): executions on different threads never share oneDNN's. */
    static dnnl_primitive_attr userScratchpad() {
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        check(dnnl_primitive_attr_create(attr), "primitive_attr_create");
        check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "set_scratchpad_mode");
        return attr;
    }

    static dnnl_primitive_desc primitiveDesc(Pointer opDesc, dnnl_primitive_attr attr, dnnl_engine engine,
                                             dnnl_primitive_desc hint, String what) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(opDesc), attr, engine, hint), what);
        return pd;
    }

    static dnnl_primitive_desc reorderDesc(dnnl_memory_desc_t from, dnnl_memory_desc_t to, dnnl_engine engine,
                                           dnnl_primitive_attr attr) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_reorder_primitive_desc_create(pd, from, engine, to, engine, attr), "reorder_primitive_desc_create");
        return pd;
    }

    static dnnl_primitive primitive(dnnl_primitive_desc pd) {
        dnnl_primitive p = new dnnl_primitive();
        check(dnnl_primitive_create(p, pd), "primitive_create");
        return p;
    }

    /** A memory object without data; the chain points it at its buffer with {@link #bind}. */
    static dnnl_memory memory(dnnl_memory_desc_t md, dnnl_engine engine) {
        dnnl_memory m = new dnnl_memory();
        check(dnnl_memory_create(m, md, engine, (Pointer) null), "memory_create");
        return m;
    }

    static void bind(dnnl_memory memory, Pointer data) {
        check(dnnl_memory_set_data_handle(memory, data), "memory_set_data_handle");
    }

    static dnnl_exec_arg_t args(int[] kinds, dnnl_memory[] memories) {
        dnnl_exec_arg_t args = new dnnl_exec_arg_t(kinds.length);
        for (int i = 0; i < kinds.length; i++) args.getPointer(i).arg(kinds[i]).memory(memories[i]);
        return args;
    }

    static void execute(dnnl_primitive p, dnnl_stream stream, int nargs, dnnl_exec_arg_t args) {
        check(dnnl_primitive_execute(p, stream, nargs, args), "primitive_execute");
    }

    /** The primitive's kind and propagation, for profiles: "convolution backward_data", "reorder", ... */
    static String kindOf(dnnl_primitive_desc pd) {
        org.bytedeco.javacpp.IntPointer kind = new org.bytedeco.javacpp.IntPointer(1);
        check(dnnl_primitive_desc_query(pd, dnnl_query_primitive_kind, 0, kind), "query primitive_kind");
        int k = kind.get();
        String name = k == dnnl_reorder ? "reorder" : k == dnnl_convolution ? "convolution" : k == dnnl_eltwise ? "eltwise"
                : k == dnnl_pooling ? "pooling" : k == dnnl_binary ? "binary" : k == dnnl_sum ? "sum" : k == dnnl_concat ? "concat"
                : k == dnnl_inner_product ? "inner_product" : k == dnnl_reduction ? "reduction" : k == dnnl_matmul ? "matmul"
                : k == dnnl_layer_normalization ? "layer_normalization" : k == dnnl_softmax ? "softmax" : "kind " + k;
        if (k == dnnl_reorder || k == dnnl_sum || k == dnnl_concat) return name;
        org.bytedeco.javacpp.IntPointer prop = new org.bytedeco.javacpp.IntPointer(1);
        if (dnnl_primitive_desc_query(pd, dnnl_query_prop_kind, 0, prop) != dnnl_success) return name;
        return name + (prop.get() == dnnl_forward_training ? " forward" : prop.get() == dnnl_backward_data ? " backward_data"
                : prop.get() == dnnl_backward ? " backward" : " prop " + prop.get());
    }

    /** The implementation oneDNN picked, e.g. "brgconv:avx512_core" or "jit_wino_4x3:avx512_core". */
    static String implementation(dnnl_primitive_desc pd) {
        PointerPointer<BytePointer> out = new PointerPointer<>(1);
        check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, out), "query impl_info_str");
        return out.get(BytePointer.class, 0).getString();
    }

    /**
     * Whether oneDNN has a Winograd convolution on this CPU: its only one, {@code jit_wino_4x3}, needs AVX-512;
     * elsewhere creating one answers "unimplemented", so the chains stay direct.
     */
    static boolean hasWinograd(dnnl_engine engine) {
        long[] one = {1, 1};
        dnnl_convolution_desc_t desc = new dnnl_convolution_desc_t();
        check(dnnl_convolution_forward_desc_init(desc, dnnl_forward_training, dnnl_convolution_winograd,
                md(dnnl_f32, dnnl_format_tag_any, 1, 64, 32, 32), md(dnnl_f32, dnnl_format_tag_any, 64, 64, 3, 3),
                md(dnnl_f32, dnnl_x, 64), md(dnnl_f32, dnnl_format_tag_any, 1, 64, 32, 32), one, one, one),
                "convolution_forward_desc_init (Winograd probe)");
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        int status = dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(desc), null, engine, null);
        if (status == dnnl_success) dnnl_primitive_desc_destroy(pd);
        return status == dnnl_success;
    }

    /** oneDNN's effective instruction set here, as its own names spell it ("avx512_core_bf16", "avx2", ...). */
    static String effectiveIsa() {
        int isa = dnnl_get_effective_cpu_isa();
        return switch (isa) {
            case dnnl_cpu_isa_sse41 -> "sse41";
            case dnnl_cpu_isa_avx -> "avx";
            case dnnl_cpu_isa_avx2 -> "avx2";
            case dnnl_cpu_isa_avx2_vnni -> "avx2_vnni";
            case dnnl_cpu_isa_avx512_mic -> "avx512_mic";
            case dnnl_cpu_isa_avx512_mic_4ops -> "avx512_mic_4ops";
            case dnnl_cpu_isa_avx512_core -> "avx512_core";
            case dnnl_cpu_isa_avx512_core_vnni -> "avx512_core_vnni";
            case dnnl_cpu_isa_avx512_core_bf16 -> "avx512_core_bf16";
            case dnnl_cpu_isa_avx512_core_amx -> "avx512_core_amx";
            default -> "isa_0x" + Integer.toHexString(isa);
        };
    }

    static boolean hasBf16Kernels() {
        int isa = dnnl_get_effective_cpu_isa(); // a bit mask: each ISA includes the bits of those it extends
        return (isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16;
    }
}
