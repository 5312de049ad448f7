package io.filterviz.engine.onednn;

import io.filterviz.engine.CompiledModel;
import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.Precision;
import io.filterviz.model.ConvWeights;
import io.filterviz.model.LayerSpec;
import io.filterviz.model.NetworkWeights;
import io.filterviz.model.Vgg16;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * The network for oneDNN: weights in OIHW f32 on the Java side, and, built on demand and shared by every task
 * of the JVM, each convolution's weights reordered into the blocked layout (and data type) its primitives ask
 * for. Read-only once built, so threads share it; each objective builds its own primitive chains.
 */
public final class OnednnModel implements CompiledModel {
    private final Precision precision;
    private final ConvolutionChoice choice;
    private final List<LayerSpec> layers;
    private final String deepest;
    private final Map<String, float[]> oihw = new HashMap<>();
    private final Map<String, float[]> biases = new HashMap<>();
    private final dnnl_engine engine;
    private final boolean winogradAvailable;
    private final Map<WeightsKey, NativeBuffer> reordered = new ConcurrentHashMap<>();
    private final Map<String, NativeBuffer> biasBuffers = new ConcurrentHashMap<>();

    OnednnModel(NetworkWeights weights, Precision precision, ConvolutionChoice choice) {
        this.precision = precision;
        this.choice = choice;
        this.layers = weights.layers();
        this.deepest = weights.target();
        for (LayerSpec layer : layers) {
            if (!layer.isConv()) continue;
            ConvWeights w = weights.conv(layer.name());
            oihw.put(layer.name(), toOihw(w));
            biases.put(layer.name(), w.bias().clone());
        }
        engine = Dnnl.cpuEngine();
        winogradAvailable = Dnnl.hasWinograd(engine);
    }

    @Override
    public FilterObjective newObjective(String layer, int threads) {
        return new OnednnFilterObjective(this, upTo(layer), threads);
    }

    @Override
    public String deepest() { return deepest; }

    /** The layers a chain for {@code target} runs, the target last: a prefix of this model's. */
    List<LayerSpec> upTo(String target) {
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).name().equals(target) && layers.get(i).isConv()) return layers.subList(0, i + 1);
        }
        throw new IllegalArgumentException(target + " is not a convolution of this model (up to " + deepest + ")");
    }

    Precision precision() { return precision; }

    ConvolutionChoice choice() { return choice; }

    /** Whether this CPU has oneDNN's Winograd (AVX-512); without it every convolution is direct, whatever the choice. */
    boolean winogradAvailable() { return winogradAvailable; }


    dnnl_engine engine() { return engine; }

    float[] kernel(String layer) { return oihw.get(layer); }

    float[] bias(String layer) { return biases.get(layer); }

    /**
     * The layer's weights in the layout {@code md} (a primitive's choice), reordered once per JVM and layout: the
     * chains of every size and task that agree on a layout share one copy.
     */
    NativeBuffer weights(String layer, dnnl_memory_desc_t md) {
        return reordered.computeIfAbsent(new WeightsKey(layer, Dnnl.key(md)), k -> reorderWeights(layer, md));
    }

    /** The layer's biases, f32 (oneDNN takes f32 biases in bf16 convolutions too). */
    NativeBuffer biasBuffer(String layer) {
        return biasBuffers.computeIfAbsent(layer, l -> {
            float[] b = biases.get(l);
            NativeBuffer buffer = new NativeBuffer((long) b.length * Float.BYTES);
            buffer.floats().put(b);
            return buffer;
        });
    }

    private NativeBuffer reorderWeights(String layer, dnnl_memory_desc_t to) {
        float[] kernel = oihw.get(layer);
        LayerSpec spec = layers.stream().filter(l -> l.name().equals(layer)).findFirst().orElseThrow();
        dnnl_memory_desc_t from = Dnnl.md(dnnl_f32, dnnl_oihw, spec.outChannels(), spec.inChannels(), Vgg16.KERNEL, Vgg16.KERNEL);
        NativeBuffer result = new NativeBuffer(Dnnl.bytes(to));
        try (NativeBuffer plain = new NativeBuffer(Dnnl.bytes(from))) {
            plain.floats().put(kernel);
            reorder(from, plain, to, result);
        }
        return result;
    }

    /** A one-off reorder (weights at build time), on its own stream. */
    void reorder(dnnl_memory_desc_t fromMd, NativeBuffer from, dnnl_memory_desc_t toMd, NativeBuffer to) {
        dnnl_primitive_desc pd = Dnnl.reorderDesc(fromMd, toMd, engine, null);
        dnnl_primitive p = Dnnl.primitive(pd);
        dnnl_memory src = Dnnl.memory(fromMd, engine);
        dnnl_memory dst = Dnnl.memory(toMd, engine);
        dnnl_stream stream = Dnnl.stream(engine);
        try {
            Dnnl.bind(src, from.pointer());
            Dnnl.bind(dst, to.pointer());
            Dnnl.execute(p, stream, 2, Dnnl.args(new int[]{DNNL_ARG_FROM, DNNL_ARG_TO}, new dnnl_memory[]{src, dst}));
            Dnnl.check(dnnl_stream_wait(stream), "stream_wait");
        } finally {
            dnnl_stream_destroy(stream);
            dnnl_memory_destroy(src);
            dnnl_memory_destroy(dst);
            dnnl_primitive_destroy(p);
            dnnl_primitive_desc_destroy(pd);
        }
    }

    /** Native buffers this model caches (reordered weights, biases): bounded by layers × layouts, not by filters. */
    int cachedBuffers() { return reordered.size() + biasBuffers.size(); }

    /** Keras' HWIO → oneDNN's plain OIHW (out, in, ky, kx). */
    static float[] toOihw(ConvWeights w) {
        int k = Vgg16.KERNEL;
        float[] dst = new float[w.kernel().length];
        for (int o = 0; o < w.outChannels(); o++) {
            for (int i = 0; i < w.inChannels(); i++) {
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        dst[((o * w.inChannels() + i) * k + ky) * k + kx] = w.kernel()[w.index(ky, kx, i, o)];
                    }
                }
            }
        }
        return dst;
    }

    private record WeightsKey(String layer, ByteBuffer layout) {}
}
