package io.filterviz.model;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Keras VGG without its classifier ({@code include_top=False}): five blocks of 3×3 'same' convolutions with ReLU,
 * each closed by a 2×2 max-pool of stride 2, layers named as Keras names them ({@code block3_conv4}), and where Keras
 * publishes its ImageNet notop weights (file name, URL, MD5 as keras.applications checks them).
 *
 * @param convsPerBlock how many convolutions each of the five blocks holds (VGG16 2,2,3,3,3; VGG19 2,2,4,4,4)
 */
public record VggArchitecture(String name, int[] convsPerBlock, String weightsFile, String md5) {
    private static final int[] WIDTHS = {64, 128, 256, 512, 512};

    public static final VggArchitecture VGG16 = new VggArchitecture("vgg16", new int[]{2, 2, 3, 3, 3},
            "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "6d6bbae143d832006294945121d1f1fc");
    /** keras.applications.vgg19: file_hash 253f8cb515780f3b799900260a226db6, about 80.1 MB. */
    public static final VggArchitecture VGG19 = new VggArchitecture("vgg19", new int[]{2, 2, 4, 4, 4},
            "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", "253f8cb515780f3b799900260a226db6");

    public static List<VggArchitecture> builtIn() { return List.of(VGG16, VGG19); }

    /** {@code vgg16} or {@code vgg19}. */
    public static Optional<VggArchitecture> named(String name) {
        return builtIn().stream().filter(a -> a.name.equals(name)).findFirst();
    }

    /** Where Keras downloads the notop weights from. */
    public URI officialUrl() {
        return URI.create("https://storage.googleapis.com/tensorflow/keras-applications/" + name + "/" + weightsFile);
    }

    /** The convolutions and pools in order. */
    public List<LayerSpec> layers() {
        List<LayerSpec> layers = new ArrayList<>();
        int channels = 3;
        for (int b = 0; b < convsPerBlock.length; b++) {
            for (int c = 1; c <= convsPerBlock[b]; c++) {
                layers.add(LayerSpec.conv("block" + (b + 1) + "_conv" + c, channels, WIDTHS[b]));
                channels = WIDTHS[b];
            }
            layers.add(LayerSpec.pool("block" + (b + 1) + "_pool", channels));
        }
        return List.copyOf(layers);
    }

    public Optional<LayerSpec> layer(String layer) {
        return layers().stream().filter(l -> l.name().equals(layer)).findFirst();
    }

    public List<String> convLayerNames() {
        return layers().stream().filter(LayerSpec::isConv).map(LayerSpec::name).toList();
    }

    /** The layers the network must run to reach {@code target}, the target included: the truncation. */
    public List<LayerSpec> upTo(String target) {
        List<LayerSpec> layers = layers();
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).name().equals(target)) return layers.subList(0, i + 1);
        }
        throw new IllegalArgumentException("no layer " + target + " in " + name.toUpperCase());
    }

    @Override
    public boolean equals(Object o) { return o instanceof VggArchitecture a && a.name.equals(name); }

    @Override
    public int hashCode() { return name.hashCode(); }

    @Override
    public String toString() { return name; }
}
