package io.filterviz.model.keras;

import io.filterviz.model.graph.ModelException;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.graph.ShapeException;
import io.filterviz.text.OneLine;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.KerasModel;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelBuilder;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads a whole Keras model saved as {@code .h5} ({@code model.save('net.h5')}: Sequential or functional, channels
 * last) into a {@link Graph}. DL4J's Keras import ({@link KerasModel}, what {@code KerasModelImport} builds on) parses
 * the configuration and reads the weights; {@link KerasGraphBuilder} maps its layers to our operators. Before DL4J
 * sees the file, every layer's class is checked against what we run, so an unsupported layer is named in one line
 * whether or not DL4J knows it.
 */
public final class KerasModelLoader {
    static {
        org.bytedeco.javacpp.Loader.load(org.bytedeco.hdf5.global.hdf5.class);
        org.bytedeco.hdf5.Exception.dontPrint(); // HDF5's own error stack on stderr; our exceptions say it in one line
    }

    private KerasModelLoader() {}

    public static Graph load(Path file) {
        String name = file.getFileName().toString();
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ModelException("model file " + name + " is not a readable file");
        }
        // HDF5 is not thread-safe: DL4J's readers and ours share its lock.
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            Map<String, Object> config = modelConfig(file, name);
            String modelClass = String.valueOf(config.get("class_name"));
            KerasLayers.checkSupported(name, config);
            KerasModel model;
            try {
                KerasModelBuilder builder = new KerasModel().modelBuilder().modelHdf5Filename(file.toString())
                        .enforceTrainingConfig(false);
                model = modelClass.equals("Sequential") ? builder.buildSequential() : builder.buildModel();
            } catch (ModelException e) {
                throw e;
            } catch (Exception e) {
                throw new ModelException("model file " + name + ": DL4J's Keras import cannot read it: " + OneLine.of(e), e);
            }
            if (model.getKerasMajorVersion() != 2) {
                throw new ModelException("model file " + name + " was saved by Keras " + model.getKerasMajorVersion()
                        + "; filterviz reads Keras 2 files (tf.keras' model.save('net.h5'))");
            }
            List<KerasLayer> layers = model.getLayersOrdered();
            String graphName = name.replaceFirst("\\.(h5|hdf5|keras)$", "");
            Graph graph = new KerasGraphBuilder(name, model.getOutputLayerNames()).build(graphName, layers);
            if (graph.fixedSize()) {
                try {
                    graph.shapes(graph.fixedHeight(), graph.fixedWidth());
                } catch (ShapeException e) {
                    throw new ModelException("model file " + name + ": " + OneLine.of(e));
                }
            }
            return graph;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> modelConfig(Path file, String name) {
        String json;
        try (Hdf5Archive archive = new Hdf5Archive(file.toString())) {
            if (!archive.hasAttribute("model_config")) {
                throw new ModelException("model file " + name + " is an HDF5 file without a Keras model (no model_config: "
                        + "weights only? save the whole model with model.save('net.h5'); VGG16 weights go to --weights)");
            }
            json = archive.readAttributeAsJson("model_config");
        } catch (ModelException e) {
            throw e;
        } catch (Exception e) {
            throw new ModelException("model file " + name + " cannot be read as HDF5 (truncated?): " + OneLine.of(e), e);
        }
        try {
            return KerasModelUtils.parseModelConfig(json, null);
        } catch (Exception e) {
            throw new ModelException("model file " + name + ": its model_config is not Keras JSON: " + OneLine.of(e), e);
        }
    }
}
