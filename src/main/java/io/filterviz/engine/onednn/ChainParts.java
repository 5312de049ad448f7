package io.filterviz.engine.onednn;

import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * What a primitive chain is made of, and owns: its steps (oneDNN primitives, and the odd Java step), the memory
 * objects they read and write, and the descriptors and attributes they were built from. Buffers live in the
 * objective's {@link Arenas} (one slot each; views share their parent's) and are re-pointed before each run, so
 * chains of different sizes share one task's memory. {@link #close} frees everything built so far, also when
 * building failed halfway.
 */
final class ChainParts implements AutoCloseable {
    private final dnnl_engine engine;
    private final List<Buffer> buffers = new ArrayList<>();
    private final List<Object> keepAlive = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private final List<String> implementations = new ArrayList<>();
    private int slots;
    private long scratchBytes;

    ChainParts(dnnl_engine engine) { this.engine = engine; }

    dnnl_engine engine() { return engine; }

    /** The implementation of every primitive built, in order ("brgconv:avx512_core", "jit_wino_4x3:avx512_core", ...). */
    List<String> implementations() { return implementations; }

    /** A tensor in the chain: its memory and its layout (data type, dimensions, order). */
    record Value(Buffer buffer, dnnl_memory_desc_t md) {
        int dataType() { return md.data_type(); }

        long[] dims() { return Dnnl.dims(md); }
    }

    /** A new buffer in an arena slot of its own. */
    Value buffer(dnnl_memory_desc_t md) {
        Buffer b = new Buffer(Dnnl.memory(md, engine), Dnnl.bytes(md), ++slots, null, false);
        buffers.add(b);
        return new Value(b, md);
    }

    /** The same memory as {@code parent}, seen through another descriptor (a reshape, or a part of it). */
    Value view(Value parent, dnnl_memory_desc_t md) {
        Buffer p = parent.buffer();
        Buffer b = new Buffer(Dnnl.memory(md, engine), p.bytes, p.slot, p.fixed, p.scratch);
        buffers.add(b);
        return new Value(b, md);
    }

    /** Memory the chain does not own (the model's weights). */
    Value shared(dnnl_memory_desc_t md, Pointer data) {
        Buffer b = new Buffer(Dnnl.memory(md, engine), Dnnl.bytes(md), -1, data, false);
        buffers.add(b);
        return new Value(b, md);
    }

    /** An attribute with our own scratchpad and, when given, an element-wise post-op (a fused ReLU). */
    dnnl_primitive_attr attr(int postOpAlgorithm) {
        dnnl_primitive_attr attr = Dnnl.userScratchpad();
        keepAlive.add(attr);
        if (postOpAlgorithm >= 0) {
            dnnl_post_ops ops = new dnnl_post_ops();
            Dnnl.check(dnnl_post_ops_create(ops), "post_ops_create");
            try {
                Dnnl.check(dnnl_post_ops_append_eltwise(ops, 1f, postOpAlgorithm, 0f, 0f), "post_ops_append_eltwise");
                Dnnl.check(dnnl_primitive_attr_set_post_ops(attr, ops), "primitive_attr_set_post_ops");
            } finally {
                dnnl_post_ops_destroy(ops);
            }
        }
        return attr;
    }

    dnnl_primitive_attr attr() { return attr(-1); }

    /** A primitive descriptor, kept until the chain closes. */
    dnnl_primitive_desc desc(Pointer opDesc, dnnl_primitive_attr attr, dnnl_primitive_desc hint, String what) {
        return keep(Dnnl.primitiveDesc(opDesc, attr, engine, hint, what));
    }

    /** Keeps a primitive descriptor alive until the chain closes (every one the chain creates). */
    dnnl_primitive_desc keep(dnnl_primitive_desc pd) {
        keepAlive.add(pd);
        return pd;
    }

    Value reorderIfNeeded(List<Step> into, Value from, dnnl_memory_desc_t to) {
        return Dnnl.same(from.md(), to) ? from : reorderInto(into, from, to);
    }

    Value reorderInto(List<Step> into, Value from, dnnl_memory_desc_t to) {
        Value out = buffer(to);
        reorder(into, from, out);
        return out;
    }

    void reorder(List<Step> into, Value from, Value to) {
        dnnl_primitive_desc pd = keep(Dnnl.reorderDesc(from.md(), to.md(), engine, attr()));
        into.add(primitive(pd, DNNL_ARG_FROM, from, DNNL_ARG_TO, to));
    }

    /** Creates the primitive (from a kept descriptor), and its scratchpad argument in the chain's shared scratch buffer. */
    Step primitive(dnnl_primitive_desc pd, Object... kindsAndValues) {
        implementations.add(Dnnl.implementation(pd));
        dnnl_memory_desc_t scratchMd = Dnnl.query(pd, dnnl_query_scratchpad_md);
        long scratch = Dnnl.bytes(scratchMd);
        int n = kindsAndValues.length / 2 + (scratch > 0 ? 1 : 0);
        int[] kinds = new int[n];
        dnnl_memory[] memories = new dnnl_memory[n];
        for (int i = 0; i < kindsAndValues.length / 2; i++) {
            kinds[i] = (Integer) kindsAndValues[2 * i];
            memories[i] = ((Value) kindsAndValues[2 * i + 1]).buffer().memory;
        }
        if (scratch > 0) {
            Buffer s = new Buffer(Dnnl.memory(scratchMd, engine), scratch, 0, null, true);
            buffers.add(s);
            scratchBytes = Math.max(scratchBytes, scratch);
            kinds[n - 1] = DNNL_ARG_SCRATCHPAD;
            memories[n - 1] = s.memory;
        }
        dnnl_primitive p = Dnnl.primitive(pd);
        Step step = new PrimitiveStep(p, n, Dnnl.args(kinds, memories));
        steps.add(step);
        return step;
    }

    /** Points every memory object at its arena buffer (arenas grow when a larger chain runs). */
    void bind(Arenas arenas) {
        Pointer scratch = arenas.get(0, scratchBytes);
        for (Buffer b : buffers) {
            Pointer p = b.fixed != null ? b.fixed : b.scratch ? scratch : arenas.get(b.slot, b.bytes);
            if (p.address() != b.bound) {
                Dnnl.bind(b.memory, p);
                b.bound = p.address();
                b.current = p;
            }
        }
    }

    static void execute(List<Step> steps, dnnl_stream stream) {
        for (Step step : steps) step.run(stream);
    }

    @Override
    public void close() {
        for (Step s : steps) if (s instanceof PrimitiveStep p) dnnl_primitive_destroy(p.primitive);
        for (Buffer b : buffers) dnnl_memory_destroy(b.memory);
        for (Object o : keepAlive) {
            if (o instanceof dnnl_primitive_desc pd) dnnl_primitive_desc_destroy(pd);
            else if (o instanceof dnnl_primitive_attr a) dnnl_primitive_attr_destroy(a);
        }
        steps.clear();
        buffers.clear();
        keepAlive.clear();
    }

    /** One thing a pass does. */
    interface Step {
        void run(dnnl_stream stream);
    }

    private record PrimitiveStep(dnnl_primitive primitive, int nargs, dnnl_exec_arg_t args) implements Step {
        @Override
        public void run(dnnl_stream stream) { Dnnl.execute(primitive, stream, nargs, args); }
    }

    static final class Buffer {
        final dnnl_memory memory;
        final long bytes;
        final int slot;
        final Pointer fixed;
        final boolean scratch;
        long bound = -1;
        Pointer current;

        Buffer(dnnl_memory memory, long bytes, int slot, Pointer fixed, boolean scratch) {
            this.memory = memory;
            this.bytes = bytes;
            this.slot = slot;
            this.fixed = fixed;
            this.scratch = scratch;
        }

        FloatPointer floats() {
            return new FloatPointer(current).capacity(bytes / Float.BYTES).limit(bytes / Float.BYTES).position(0);
        }

        Pointer pointer() { return current; }
    }
}
