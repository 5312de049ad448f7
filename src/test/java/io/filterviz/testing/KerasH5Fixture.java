package io.filterviz.testing;

import io.filterviz.model.ConvWeights;
import io.filterviz.model.LayerSpec;
import io.filterviz.model.NetworkWeights;
import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.StrType;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_TRUNC;

/**
 * Writes weight files in Keras' exact HDF5 layout: root attribute {@code layer_names}, per layer a group with a
 * {@code weight_names} attribute of fixed-length byte strings, kernels H×W×in×out and 1-D biases.
 */
public final class KerasH5Fixture {
    public enum Style {
        /** Keras 1 names, as in vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5: block1_conv1/block1_conv1_W_1:0 */
        KERAS1_NOTOP,
        /** Keras 2 names in a nested group: block1_conv1/block1_conv1/kernel:0 */
        KERAS2,
        /** A whole saved model: the Keras 2 layout under model_weights/ */
        FULL_MODEL
    }

    private KerasH5Fixture() {}

    public static void write(Path path, NetworkWeights weights, Style style) {
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            H5File file = new H5File(path.toString(), H5F_ACC_TRUNC());
            try {
                Group root = style == Style.FULL_MODEL ? file.createGroup("model_weights") : file;
                List<String> layerNames = new ArrayList<>(List.of("input_1"));
                weights.layers().forEach(l -> layerNames.add(l.name()));
                writeStrings(root, "layer_names", layerNames);
                for (LayerSpec layer : weights.layers()) {
                    Group group = root.createGroup(layer.name());
                    if (layer.isConv()) writeConv(group, weights.conv(layer.name()), style);
                    else writeStrings(group, "weight_names", List.of());
                    group.deallocate();
                }
                if (root != file) root.deallocate();
            } finally {
                file.deallocate();
            }
        }
    }

    private static void writeConv(Group group, ConvWeights w, Style style) {
        String name = w.layer();
        long[] kernelDims = {3, 3, w.inChannels(), w.outChannels()};
        long[] biasDims = {w.outChannels()};
        if (style == Style.KERAS1_NOTOP) {
            writeStrings(group, "weight_names", List.of(name + "_W_1:0", name + "_b_1:0"));
            writeFloats(group, name + "_W_1:0", kernelDims, w.kernel());
            writeFloats(group, name + "_b_1:0", biasDims, w.bias());
        } else {
            writeStrings(group, "weight_names", List.of(name + "/kernel:0", name + "/bias:0"));
            Group nested = group.createGroup(name);
            writeFloats(nested, "kernel:0", kernelDims, w.kernel());
            writeFloats(nested, "bias:0", biasDims, w.bias());
            nested.deallocate();
        }
    }

    public static void writeFloats(Group group, String name, long[] dims, float[] values) {
        DataSpace space = new DataSpace(dims.length, dims);
        DataSet dataset = group.createDataSet(name, PredType.NATIVE_FLOAT(), space);
        try (FloatPointer buffer = new FloatPointer(values)) {
            dataset.write(buffer, PredType.NATIVE_FLOAT());
        }
        dataset.deallocate();
        space.deallocate();
    }

    /** numpy 'S' arrays, as h5py stores Keras' name lists: fixed-length, NUL-padded. */
    private static void writeStrings(Group group, String attribute, List<String> values) {
        int size = Math.max(1, values.stream().mapToInt(String::length).max().orElse(1));
        byte[] raw = new byte[Math.max(1, values.size() * size)];
        for (int i = 0; i < values.size(); i++) {
            byte[] bytes = values.get(i).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(bytes, 0, raw, i * size, bytes.length);
        }
        StrType type = new StrType(PredType.C_S1(), size);
        DataSpace space = new DataSpace(1, new long[]{values.size()});
        Attribute attr = group.createAttribute(attribute, type, space);
        if (!values.isEmpty()) {
            try (BytePointer buffer = new BytePointer(raw)) {
                attr.write(type, buffer);
            }
        }
        attr.deallocate();
        space.deallocate();
        type.deallocate();
    }
}
