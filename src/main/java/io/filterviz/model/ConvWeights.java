package io.filterviz.model;

/**
 * One convolution's parameters in Keras' layout: kernel 3×3×in×out (channels_last, "HWIO"), flattened
 * row-major, and one bias per output channel.
 */
public record ConvWeights(String layer, int inChannels, int outChannels, float[] kernel, float[] bias) {
    public ConvWeights {
        int expected = Vgg16.KERNEL * Vgg16.KERNEL * inChannels * outChannels;
        if (kernel.length != expected) {
            throw new IllegalArgumentException(layer + ": kernel has " + kernel.length + " values, expected " + expected);
        }
        if (bias.length != outChannels) {
            throw new IllegalArgumentException(layer + ": bias has " + bias.length + " values, expected " + outChannels);
        }
    }

    /** Index of kernel[ky][kx][in][out] in the flat array. */
    public int index(int ky, int kx, int in, int out) {
        return ((ky * Vgg16.KERNEL + kx) * inChannels + in) * outChannels + out;
    }
}
