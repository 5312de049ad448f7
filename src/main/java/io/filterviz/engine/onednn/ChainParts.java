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
 * objective's {@link Arenas} and are re-pointed before each run, so chains of different sizes share one task's
 * memory; once a chain is built, {@link #pack} gives buffers whose uses do not overlap in time the same arena slot
 * (views share their parent's). {@link #close} frees everything built so far, also when building failed halfway.
 */
final class ChainParts implements AutoCloseable {
    private final dnnl_engine engine;
    private final List<Buffer> buffers = new ArrayList<>();
    private final List<Object> keepAlive = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private final List<String> implementations = new ArrayList<>();
    private long scratchBytes;
    private long[] slotBytes = new long[1];

    ChainParts(dnnl_engine engine) { this.engine = engine; }

    dnnl_engine engine() { return engine; }

    /** The implementation of every primitive built, in order ("brgconv:avx512_core", "jit_wino_4x3:avx512_core", ...). */
    List<String> implementations() { return implementations; }

    /** A tensor in the chain: its memory and its layout (data type, dimensions, order). */
    record Value(Buffer buffer, dnnl_memory_desc_t md) {
        int dataType() { return md.data_type(); }

        long[] dims() { return Dnnl.dims(md); }
    }

    /** A new buffer (its arena slot is given by {@link #pack}). */
    Value buffer(dnnl_memory_desc_t md) {
        Buffer b = new Buffer(Dnnl.memory(md, engine), Dnnl.bytes(md), null, null, false);
        buffers.add(b);
        return new Value(b, md);
    }

    /** The same memory as {@code parent}, seen through another descriptor (a reshape, or a part of it). */
    Value view(Value parent, dnnl_memory_desc_t md) {
        Buffer p = parent.buffer();
        Buffer b = new Buffer(Dnnl.memory(md, engine), p.bytes, p.root, p.fixed, p.scratch);
        buffers.add(b);
        return new Value(b, md);
    }

    /**
     * A buffer with memory of its own, outside the arenas, freed when the chain closes: what must survive from one
     * run of this chain to the next while chains of other sizes run in between (a filter's reordered weights).
     */
    Value owned(dnnl_memory_desc_t md) {
        NativeBuffer memory = new NativeBuffer(Math.max(1, Dnnl.bytes(md)));
        keepAlive.add(memory);
        return shared(md, memory.pointer());
    }

    /** Memory the chain does not own (the model's weights). */
    Value shared(dnnl_memory_desc_t md, Pointer data) {
        Buffer b = new Buffer(Dnnl.memory(md, engine), Dnnl.bytes(md), null, data, false);
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

    /** An attribute with our own scratchpad and an element-wise post-op of these numbers (a negation: linear −1, 0). */
    dnnl_primitive_attr attr(int postOpAlgorithm, float alpha, float beta) {
        dnnl_primitive_attr attr = Dnnl.userScratchpad();
        keepAlive.add(attr);
        dnnl_post_ops ops = new dnnl_post_ops();
        Dnnl.check(dnnl_post_ops_create(ops), "post_ops_create");
        try {
            Dnnl.check(dnnl_post_ops_append_eltwise(ops, 1f, postOpAlgorithm, alpha, beta), "post_ops_append_eltwise");
            Dnnl.check(dnnl_primitive_attr_set_post_ops(attr, ops), "primitive_attr_set_post_ops");
        } finally {
            dnnl_post_ops_destroy(ops);
        }
        return attr;
    }

    /** An attribute whose primitive adds into its destination (a reorder's sum post-op) rather than overwriting it. */
    dnnl_primitive_attr accumulating() {
        dnnl_primitive_attr attr = Dnnl.userScratchpad();
        keepAlive.add(attr);
        dnnl_post_ops ops = new dnnl_post_ops();
        Dnnl.check(dnnl_post_ops_create(ops), "post_ops_create");
        try {
            Dnnl.check(dnnl_post_ops_append_sum(ops, 1f), "post_ops_append_sum");
            Dnnl.check(dnnl_primitive_attr_set_post_ops(attr, ops), "primitive_attr_set_post_ops");
        } finally {
            dnnl_post_ops_destroy(ops);
        }
        return attr;
    }

    /** An attribute that multiplies the primitive's output by {@code scale} (a reorder's, a matmul's). */
    dnnl_primitive_attr scaled(float scale) {
        dnnl_primitive_attr attr = Dnnl.userScratchpad();
        keepAlive.add(attr);
        Dnnl.check(dnnl_primitive_attr_set_output_scales(attr, 1, 0, new float[]{scale}), "primitive_attr_set_output_scales");
        return attr;
    }

    /** A primitive descriptor, kept until the chain closes. */
    dnnl_primitive_desc desc(Pointer opDesc, dnnl_primitive_attr attr, dnnl_primitive_desc hint, String what) {
        return keep(Dnnl.primitiveDesc(opDesc, attr, engine, hint, what));
    }

    /**
     * A primitive descriptor when oneDNN has an implementation for these layouts, else null (the caller then gives
     * it plainer ones); kept until the chain closes.
     */
    dnnl_primitive_desc descIfImplemented(Pointer opDesc, dnnl_primitive_attr attr, dnnl_primitive_desc hint) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        int status = dnnl_primitive_desc_create(pd, new org.bytedeco.dnnl.const_dnnl_op_desc_t(opDesc), attr, engine, hint);
        if (status == dnnl_unimplemented) return null;
        Dnnl.check(status, "primitive_desc_create");
        return keep(pd);
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
        reorder(into, from, to, attr());
    }

    /** A reorder with an attribute of ours ({@link #scaled}, {@link #accumulating}). */
    void reorder(List<Step> into, Value from, Value to, dnnl_primitive_attr attr) {
        dnnl_primitive_desc pd = keep(Dnnl.reorderDesc(from.md(), to.md(), engine, attr));
        into.add(primitive(pd, DNNL_ARG_FROM, from, DNNL_ARG_TO, to));
    }

    /** A step that zeroes {@code v}'s whole buffer (what a scatter's reorders then write parts of). */
    Step zero(Value v) {
        return java(stream -> {
            Dnnl.check(dnnl_stream_wait(stream), "stream_wait");
            Pointer.memset(v.buffer().pointer(), 0, v.buffer().bytes);
        }, v);
    }

    /** Creates the primitive (from a kept descriptor), and its scratchpad argument in the chain's shared scratch buffer. */
    Step primitive(dnnl_primitive_desc pd, Object... kindsAndValues) {
        implementations.add(Dnnl.implementation(pd));
        dnnl_memory_desc_t scratchMd = Dnnl.query(pd, dnnl_query_scratchpad_md);
        long scratch = Dnnl.bytes(scratchMd);
        int n = kindsAndValues.length / 2 + (scratch > 0 ? 1 : 0);
        int[] kinds = new int[n];
        dnnl_memory[] memories = new dnnl_memory[n];
        List<Buffer> uses = new ArrayList<>();
        for (int i = 0; i < kindsAndValues.length / 2; i++) {
            kinds[i] = (Integer) kindsAndValues[2 * i];
            Buffer b = ((Value) kindsAndValues[2 * i + 1]).buffer();
            memories[i] = b.memory;
            uses.add(b);
        }
        if (scratch > 0) {
            Buffer s = new Buffer(Dnnl.memory(scratchMd, engine), scratch, null, null, true);
            buffers.add(s);
            scratchBytes = Math.max(scratchBytes, scratch);
            kinds[n - 1] = DNNL_ARG_SCRATCHPAD;
            memories[n - 1] = s.memory;
        }
        dnnl_primitive p = Dnnl.primitive(pd);
        Step step = new PrimitiveStep(p, n, Dnnl.args(kinds, memories), List.copyOf(uses),
                PROFILE == null ? null : labelled(implementations.get(implementations.size() - 1) + " " + Dnnl.kindOf(pd)));
        steps.add(step);
        return step;
    }

    /** A step done in Java between primitives, touching {@code values}. */
    Step java(java.util.function.Consumer<dnnl_stream> action, Value... values) {
        return new JavaStep(action, java.util.Arrays.stream(values).map(Value::buffer).toList(),
                PROFILE == null ? null : labelled("java step"));
    }

    /**
     * What the steps built from now on are part of ("ln1 forward", "qkv backward"), for a profile by node
     * (FILTERVIZ_PROFILE=nodes); set by the lowering.
     */
    void label(String what) { label = what; }

    private String label = "";

    private String labelled(String what) { return PROFILE_BY_NODE ? label + " | " + what : what; }

    /**
     * Gives every buffer its arena slot, once the chain is built: buffers whose uses (from the first step that
     * touches them to the last, in the order the steps run) do not overlap share a slot, so a task holds what is
     * alive at once rather than every tensor of the step. {@code pinned} are touched by Java around the steps (the
     * image, the target, the seed, the gradient) and keep slots of their own.
     */
    void pack(List<List<Step>> order, List<Value> pinned) {
        java.util.Map<Buffer, int[]> life = new java.util.LinkedHashMap<>();
        int position = 0;
        for (List<Step> steps : order) {
            for (Step step : steps) {
                for (Buffer b : step.buffers()) {
                    if (b.fixed != null || b.scratch) continue;
                    int at = position;
                    life.computeIfAbsent(b.root, r -> new int[]{at, at})[1] = at;
                }
                position++;
            }
        }
        int end = position;
        for (Value v : pinned) life.put(v.buffer().root, new int[]{-1, end});
        for (Buffer b : buffers) {
            if (b.root == b && b.fixed == null && !b.scratch) life.putIfAbsent(b, new int[]{-1, end}); // unused: keep apart
        }
        // Greedy by first use: a slot is free again after the last use of its buffer (strictly before: a step may
        // read one buffer while it writes another, so the two never share), best fit among the free ones by size.
        List<Buffer> order1 = new ArrayList<>(life.keySet());
        order1.sort(java.util.Comparator.comparingInt(b -> life.get(b)[0]));
        List<long[]> slotState = new ArrayList<>(); // per slot: {bytes so far, last use}
        for (Buffer b : order1) {
            int[] span = life.get(b);
            int best = -1;
            for (int s = 0; s < slotState.size(); s++) {
                long[] st = slotState.get(s);
                if (st[1] >= span[0]) continue;
                if (best < 0 || fits(st[0], slotState.get(best)[0], b.bytes)) best = s;
            }
            if (best < 0) {
                slotState.add(new long[]{0, 0});
                best = slotState.size() - 1;
            }
            long[] st = slotState.get(best);
            st[0] = Math.max(st[0], b.bytes);
            st[1] = span[1];
            b.slot = best + 1; // slot 0 is the scratchpad
        }
        slotBytes = new long[slotState.size() + 1];
        for (int s = 0; s < slotState.size(); s++) slotBytes[s + 1] = slotState.get(s)[0];
    }

    /** Whether a free slot of {@code candidate} bytes suits {@code bytes} better than one of {@code current}. */
    private static boolean fits(long candidate, long current, long bytes) {
        boolean candidateFits = candidate >= bytes, currentFits = current >= bytes;
        if (candidateFits != currentFits) return candidateFits;
        return candidateFits ? candidate < current : candidate > current;
    }

    /** Points every memory object at its arena buffer (arenas grow when a larger chain runs). */
    void bind(Arenas arenas) {
        for (int s = 1; s < slotBytes.length; s++) arenas.get(s, slotBytes[s]); // grow first: binding never moves a slot
        Pointer scratch = arenas.get(0, scratchBytes);
        for (Buffer b : buffers) {
            Pointer p = b.fixed != null ? b.fixed : b.scratch ? scratch : arenas.get(b.root.slot, b.bytes);
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
            else if (o instanceof NativeBuffer m) m.close();
        }
        steps.clear();
        buffers.clear();
        keepAlive.clear();
    }

    /** One thing a pass does. */
    interface Step {
        void run(dnnl_stream stream);

        /** The chain's buffers it reads or writes. */
        List<Buffer> buffers();
    }

    private record JavaStep(java.util.function.Consumer<dnnl_stream> action, List<Buffer> buffers, String name) implements Step {
        @Override
        public void run(dnnl_stream stream) {
            if (PROFILE == null) {
                action.accept(stream);
                return;
            }
            Dnnl.check(dnnl_stream_wait(stream), "stream_wait");
            long t = System.nanoTime();
            action.accept(stream);
            PROFILE.merge(name, (System.nanoTime() - t) / 1e6, Double::sum);
        }
    }

    private record PrimitiveStep(dnnl_primitive primitive, int nargs, dnnl_exec_arg_t args, List<Buffer> buffers,
                                 String name) implements Step {
        @Override
        public void run(dnnl_stream stream) {
            if (PROFILE == null) {
                Dnnl.execute(primitive, stream, nargs, args);
                return;
            }
            long t = System.nanoTime();
            Dnnl.execute(primitive, stream, nargs, args);
            Dnnl.check(dnnl_stream_wait(stream), "stream_wait");
            PROFILE.merge(name, (System.nanoTime() - t) / 1e6, Double::sum);
            PROFILE_STEPS.increment();
        }
    }

    /** With FILTERVIZ_PROFILE set: how many primitives ran (each an OpenMP parallel region, a barrier to wait at). */
    static final java.util.concurrent.atomic.LongAdder PROFILE_STEPS = new java.util.concurrent.atomic.LongAdder();

    /**
     * With the environment variable FILTERVIZ_PROFILE set, the milliseconds spent per implementation and primitive
     * kind (each primitive waited for; Java steps too): where a step's time goes. Null otherwise.
     */
    static final java.util.Map<String, Double> PROFILE = System.getenv("FILTERVIZ_PROFILE") != null
            ? new java.util.concurrent.ConcurrentHashMap<>() : null;

    /** FILTERVIZ_PROFILE=nodes: the profile's keys also name the node and pass each step was built for. */
    static final boolean PROFILE_BY_NODE = "nodes".equals(System.getenv("FILTERVIZ_PROFILE"));

    static final class Buffer {
        final dnnl_memory memory;
        final long bytes;
        /** The buffer whose memory this is: itself, or the parent of a view. */
        final Buffer root;
        final Pointer fixed;
        final boolean scratch;
        int slot = -1;
        long bound = -1;
        Pointer current;

        Buffer(dnnl_memory memory, long bytes, Buffer root, Pointer fixed, boolean scratch) {
            this.memory = memory;
            this.bytes = bytes;
            this.root = root == null ? this : root;
            this.fixed = fixed;
            this.scratch = scratch;
        }

        FloatPointer floats() {
            return new FloatPointer(current).capacity(bytes / Float.BYTES).limit(bytes / Float.BYTES).position(0);
        }

        Pointer pointer() { return current; }
    }
}
