package io.filterviz.model;

import java.util.List;
import java.util.Optional;

/** VGG16 without its classifier (Keras' {@code include_top=False}): 13 convolutions and 5 max-pools ({@link VggArchitecture#VGG16}). */
public final class Vgg16 {
    /** Conv kernels are 3×3 everywhere in VGG16. */
    public static final int KERNEL = 3;

    private static final List<LayerSpec> LAYERS = VggArchitecture.VGG16.layers();

    private Vgg16() {}

    public static List<LayerSpec> layers() { return LAYERS; }

    public static Optional<LayerSpec> layer(String name) {
        return LAYERS.stream().filter(l -> l.name().equals(name)).findFirst();
    }

    public static List<String> convLayerNames() {
        return LAYERS.stream().filter(LayerSpec::isConv).map(LayerSpec::name).toList();
    }

    /** The layers the network must run to reach {@code target}, the target included: the truncation. */
    public static List<LayerSpec> upTo(String target) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).name().equals(target)) return LAYERS.subList(0, i + 1);
        }
        throw new IllegalArgumentException("no layer " + target + " in VGG16");
    }

    /** How many 2× poolings lie before {@code target}: the input must be at least 2^that wide. */
    public static int poolingsBefore(String target) {
        return (int) upTo(target).stream().filter(l -> !l.isConv()).count();
    }

    /** Σ of 2·H·W·Cin·Cout·9 over the convolutions up to {@code target}, all its filters included. */
    public static double forwardFlops(String target, int width, int height) {
        return flops(target, width, height, false);
    }

    /**
     * The forward FLOPs of one filter's objective: the layers before {@code target} in full, the target for one
     * output channel. A gradient step costs about twice this; it is the atlas' cost model between layers.
     */
    public static double objectiveFlops(String target, int width, int height) {
        return flops(target, width, height, true);
    }

    private static double flops(String target, int width, int height, boolean oneTargetFilter) {
        double flops = 0;
        double w = width, h = height;
        for (LayerSpec layer : upTo(target)) {
            if (!layer.isConv()) {
                w = Math.floor(w / 2);
                h = Math.floor(h / 2);
                continue;
            }
            int out = oneTargetFilter && layer.name().equals(target) ? 1 : layer.outChannels();
            flops += 2.0 * w * h * layer.inChannels() * out * KERNEL * KERNEL;
        }
        return flops;
    }
}
