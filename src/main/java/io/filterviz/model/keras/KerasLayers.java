package io.filterviz.model.keras;

import io.filterviz.model.graph.ModelException;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The Keras layers we run, and reading their configuration (Keras 2's {@code get_config()} fields). */
final class KerasLayers {
    /** Keras 2 class names, with their aliases (MaxPool2D is MaxPooling2D). */
    static final Set<String> SUPPORTED = new TreeSet<>(Set.of("InputLayer", "Conv2D", "Convolution2D",
            "DepthwiseConv2D", "Dense", "Activation", "ReLU", "LeakyReLU", "Softmax", "MaxPooling2D", "MaxPool2D",
            "AveragePooling2D", "AvgPool2D", "GlobalAveragePooling2D", "GlobalAvgPool2D", "BatchNormalization", "Flatten",
            "Add", "Concatenate", "ZeroPadding2D", "Dropout", "SpatialDropout2D"));

    /** The activation names a layer's {@code activation} may hold (softmax only at the model's output). */
    static final String ACTIVATIONS = "linear, relu, relu6, sigmoid, hard_sigmoid, softmax (at the output)";

    private KerasLayers() {}

    /** Stops at the first layer we do not run (one line naming it, its class and what is supported). */
    @SuppressWarnings("unchecked")
    static void checkSupported(String file, Map<String, Object> modelConfig) {
        for (Map<String, Object> layer : layerConfigs(file, modelConfig)) {
            String kind = String.valueOf(layer.get("class_name"));
            Map<String, Object> config = (Map<String, Object>) layer.getOrDefault("config", Map.of());
            String name = String.valueOf(config.getOrDefault("name", layer.get("name")));
            if (!SUPPORTED.contains(kind)) {
                throw new ModelException("model file " + file + ": layer '" + name + "' (" + kind + ") is not supported; "
                        + "supported Keras layers: " + String.join(", ", SUPPORTED));
            }
            Object format = config.get("data_format");
            if (format != null && !"channels_last".equals(format)) {
                throw new ModelException("model file " + file + ": layer '" + name + "' (" + kind + ") has data_format "
                        + format + "; only channels_last (Keras' default) is supported");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> layerConfigs(String file, Map<String, Object> modelConfig) {
        Object inner = modelConfig.get("config");
        Object layers = inner instanceof Map<?, ?> m ? m.get("layers") : inner; // Keras ≤ 2.1 Sequential: a bare list
        if (!(layers instanceof List<?>)) {
            throw new ModelException("model file " + file + ": its model_config lists no layers (class "
                    + modelConfig.get("class_name") + ")");
        }
        return (List<Map<String, Object>>) layers;
    }

    /** A layer's Keras {@code config} map. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> config(Map<String, Object> original) {
        Object config = original == null ? null : original.get("config");
        return config instanceof Map<?, ?> ? (Map<String, Object>) config : Map.of();
    }

    /** An (int, int) field written as a list or a single number; {@code fallback} when absent or null. */
    static int[] pair(Map<String, Object> config, String key, int[] fallback) {
        Object value = config.get(key);
        if (value == null) return fallback;
        if (value instanceof Number n) return new int[]{n.intValue(), n.intValue()};
        List<?> list = (List<?>) value;
        return new int[]{((Number) list.get(0)).intValue(), ((Number) list.get(list.size() - 1)).intValue()};
    }

    static double number(Map<String, Object> config, String key, double fallback) {
        Object value = config.get(key);
        return value instanceof Number n ? n.doubleValue() : fallback;
    }

    static String string(Map<String, Object> config, String key, String fallback) {
        Object value = config.get(key);
        return value == null ? fallback : String.valueOf(value);
    }

    static boolean flag(Map<String, Object> config, String key, boolean fallback) {
        Object value = config.get(key);
        return value instanceof Boolean b ? b : fallback;
    }
}
