package io.filterviz.model;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** He-normal kernels and zero biases, reproducible from a seed: for smoke tests and offline demos, not ImageNet. */
public final class RandomWeights {
    private RandomWeights() {}

    public static NetworkWeights create(String target, long seed) {
        return create(VggArchitecture.VGG16, target, seed);
    }

    /** A layer's kernel depends only on its name, shape and the seed: VGG19's block1_conv1 is VGG16's. */
    public static NetworkWeights create(VggArchitecture architecture, String target, long seed) {
        List<ConvWeights> convs = new ArrayList<>();
        for (LayerSpec layer : architecture.upTo(target)) {
            if (!layer.isConv()) continue;
            SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (layer.name().hashCode() + 1L)));
            int fanIn = Vgg16.KERNEL * Vgg16.KERNEL * layer.inChannels();
            double std = Math.sqrt(2.0 / fanIn);
            float[] kernel = new float[fanIn * layer.outChannels()];
            for (int i = 0; i < kernel.length; i++) kernel[i] = (float) (random.nextGaussian() * std);
            convs.add(new ConvWeights(layer.name(), layer.inChannels(), layer.outChannels(), kernel,
                    new float[layer.outChannels()]));
        }
        return NetworkWeights.of(architecture, target, convs);
    }
}
