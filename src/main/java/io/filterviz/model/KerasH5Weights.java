package io.filterviz.model;

import io.filterviz.config.OneLine;
import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerPointer;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_RDONLY;

/**
 * Reads VGG16 or VGG19 convolution weights from a Keras HDF5 file: the notop weights file or a full-model file
 * (everything under {@code model_weights/}). Datasets are found through each layer's {@code weight_names}
 * attribute (kernel first, then bias), so both the Keras-1 names ({@code block1_conv1_W_1:0}) and the
 * Keras-2 names ({@code block1_conv1/kernel:0}) work.
 */
public final class KerasH5Weights {
    private static final String FULL_MODEL_GROUP = "model_weights";

    static {
        Loader.load(org.bytedeco.hdf5.global.hdf5.class);
        org.bytedeco.hdf5.Exception.dontPrint(); // HDF5's own error stack on stderr; our exceptions say it in one line
    }

    private KerasH5Weights() {}

    /** Loads VGG16's convolutions up to {@code target}, checking each layer's presence and shapes. */
    public static NetworkWeights load(Path file, String target) {
        return load(file, VggArchitecture.VGG16, target);
    }

    /** Loads the architecture's convolutions up to {@code target}, checking each layer's presence and shapes. */
    public static NetworkWeights load(Path file, VggArchitecture architecture, String target) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new WeightsException("weights file " + file + " is not a readable file");
        }
        // HDF5 is not thread-safe; share DL4J's lock so we never race its own readers either.
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            H5File h5;
            try {
                h5 = new H5File(file.toString(), H5F_ACC_RDONLY());
            } catch (RuntimeException e) {
                throw new WeightsException("weights file " + file + " is not an HDF5 file: " + OneLine.of(e));
            }
            // Every HDF5 object is freed here, under the lock: one left to the garbage collector would be closed
            // by JavaCPP's deallocator thread while another thread reads, and HDF5 is not thread-safe.
            Group root = null;
            try {
                root = h5.nameExists(FULL_MODEL_GROUP) ? h5.openGroup(FULL_MODEL_GROUP) : h5;
                List<ConvWeights> convs = new ArrayList<>();
                for (LayerSpec layer : architecture.upTo(target)) {
                    if (layer.isConv()) convs.add(readConv(file, root, layer));
                }
                return NetworkWeights.of(architecture, target, convs);
            } finally {
                if (root != null && root != h5) root.deallocate();
                h5.deallocate();
            }
        }
    }

    private static ConvWeights readConv(Path file, Group root, LayerSpec layer) {
        if (!root.nameExists(layer.name())) {
            throw new WeightsException("weights file " + file + " has no layer " + layer.name()
                    + " (layers in file: " + String.join(", ", layerNames(root)) + ")");
        }
        Group group = root.openGroup(layer.name());
        try {
            List<String> names = group.attrExists("weight_names")
                    ? readStrings(group.openAttribute("weight_names")) : List.of();
            if (names.size() != 2) {
                throw new WeightsException("weights file " + file + ": layer " + layer.name()
                        + " lists " + names.size() + " weights, expected 2 (kernel, bias)");
            }
            long[] kernelShape = {Vgg16.KERNEL, Vgg16.KERNEL, layer.inChannels(), layer.outChannels()};
            float[] kernel = readFloats(file, group, layer.name(), names.get(0), "kernel", kernelShape);
            float[] bias = readFloats(file, group, layer.name(), names.get(1), "bias", new long[]{layer.outChannels()});
            return new ConvWeights(layer.name(), layer.inChannels(), layer.outChannels(), kernel, bias);
        } finally {
            group.deallocate();
        }
    }

    private static float[] readFloats(Path file, Group group, String layer, String weightName, String role,
                                      long[] expected) {
        // weight_names are "layer/kernel:0" (Keras 2, a nested group) or "layer_W_1:0" (Keras 1, flat): both are
        // paths relative to the layer's group; some writers flatten the nesting, hence the last-segment fallback.
        String path = exists(group, weightName) ? weightName : weightName.substring(weightName.lastIndexOf('/') + 1);
        if (!exists(group, path)) {
            throw new WeightsException("weights file " + file + ": layer " + layer + " has no dataset " + weightName);
        }
        DataSet dataset = group.openDataSet(path);
        DataSpace space = dataset.getSpace();
        try {
            long[] dims = new long[space.getSimpleExtentNdims()];
            space.getSimpleExtentDims(dims);
            if (!Arrays.equals(dims, expected)) {
                throw new WeightsException("weights file " + file + ": layer " + layer + " " + role + " has shape "
                        + Arrays.toString(dims) + ", expected " + Arrays.toString(expected));
            }
            float[] values = new float[Math.toIntExact(Arrays.stream(dims).reduce(1, (a, b) -> a * b))];
            try (FloatPointer buffer = new FloatPointer(values.length)) {
                // PredType's constants are HDF5's own: a `new DataType(...)` here would be freed later by JavaCPP's
                // deallocator thread, outside our lock, and HDF5 is not thread-safe (seen: SIGSEGV in H5CX_pop).
                dataset.read(buffer, PredType.NATIVE_FLOAT());
                buffer.get(values);
            }
            return values;
        } finally {
            space.deallocate();
            dataset.deallocate();
        }
    }

    /** A 1-D attribute of fixed- or variable-length strings (h5py writes either, depending on version). */
    private static List<String> readStrings(Attribute attribute) {
        try {
            DataSpace space = attribute.getSpace();
            int n = (int) space.getSimpleExtentNpoints();
            space.deallocate();
            var type = attribute.getStrType();
            List<String> out = new ArrayList<>(n);
            if (type.isVariableStr()) {
                try (PointerPointer<BytePointer> pointers = new PointerPointer<>(n)) {
                    attribute.read(type, pointers);
                    for (int i = 0; i < n; i++) out.add(pointers.getString(i, StandardCharsets.UTF_8));
                }
            } else {
                int size = (int) type.getSize();
                byte[] raw = new byte[n * size];
                try (BytePointer buffer = new BytePointer(raw.length)) {
                    attribute.read(type, buffer);
                    buffer.get(raw);
                }
                for (int i = 0; i < n; i++) {
                    int end = i * size;
                    while (end < (i + 1) * size && raw[end] != 0) end++;
                    out.add(new String(raw, i * size, end - i * size, StandardCharsets.UTF_8).trim());
                }
            }
            type.deallocate();
            return out;
        } finally {
            attribute.deallocate();
        }
    }

    private static boolean exists(Group group, String path) {
        try {
            return group.nameExists(path);
        } catch (RuntimeException e) { // HDF5 raises when an intermediate group is missing
            return false;
        }
    }

    private static List<String> layerNames(Group root) {
        List<String> names = new ArrayList<>();
        for (long i = 0; i < root.getNumObjs(); i++) names.add(root.getObjnameByIdx(i).getString());
        return names;
    }
}
