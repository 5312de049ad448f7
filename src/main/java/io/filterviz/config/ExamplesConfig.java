package io.filterviz.config;

import io.filterviz.engine.Convolutions;

import java.util.List;

/**
 * The example scan's options as typed values.
 *
 * @param imageSize null: each image's own size (a fixed-size network's size for such a network)
 * @param pictures  where the filters' pictures for the gallery are (another --out of the ascent); null: --out itself
 * @param engine    the scan's engine (onednn, reference); null: the default
 * @param convolutions direct, or Winograd where faster (--convolutions; onednn only)
 * @param batch     images per forward pass; 0: the engine's default
 */
public record ExamplesConfig(String images, String model, String preprocess, List<String> layers, int top,
                             Integer imageSize, String out, String pictures, String master, boolean overwrite,
                             boolean verbose, String engine, Convolutions convolutions, int batch) {
    public static final int DEFAULT_TOP = 9;

    public ExamplesConfig {
        layers = List.copyOf(layers);
    }
}
