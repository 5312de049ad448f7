package io.filterviz.model.onnx;

import io.filterviz.model.graph.ModelException;
import io.filterviz.text.OneLine;
import onnx.Onnx.GraphProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * ONNX's external data: a tensor whose {@code data_location} is EXTERNAL keeps its bytes in another file, named by
 * its {@code external_data} entries {@code location} (relative to the model's folder), {@code offset} and
 * {@code length} (PyTorch writes models over 2 GB so, and onnx's {@code save_as_external_data}). The bytes are
 * memory-mapped when a node needs them, never read onto the heap whole.
 */
final class ExternalData {
    private final String model;
    private final Path folder;

    /** A tensor's bytes: a region of a data file. */
    record Region(Path file, long offset, long length) {
        ByteBuffer map() {
            if (length > Integer.MAX_VALUE) {
                throw new ModelException("the data of one tensor in " + file + " is larger than 2 GB (" + length
                        + " bytes); filterviz maps at most 2 GB per tensor");
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                return channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
            } catch (IOException e) {
                throw new ModelException("external data file " + file + " cannot be read: " + OneLine.of(e), e);
            }
        }
    }

    /**
     * @param model  the model file's name, for messages
     * @param folder the folder the model file lies in
     */
    ExternalData(String model, Path folder) {
        this.model = model;
        this.folder = folder;
    }

    /** Where {@code t}'s data lies, checked: the file exists and holds the region. */
    Region region(TensorProto t, String what) {
        String location = null;
        long offset = 0, length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            try {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = Long.parseLong(e.getValue());
                    case "length" -> length = Long.parseLong(e.getValue());
                    default -> { } // checksum, basepath: not needed to read
                }
            } catch (NumberFormatException bad) {
                throw new ModelException("model file " + model + ": " + what + " has external_data " + e.getKey()
                        + " = '" + e.getValue() + "', not a number");
            }
        }
        if (location == null || location.isEmpty()) {
            throw new ModelException("model file " + model + ": " + what + " keeps its data in an external file but names none");
        }
        Path file = file(location);
        if (file == null) {
            throw new ModelException("model file " + model + ": " + what + " keeps its data in " + location
                    + ", which is missing (looked in " + folder + ")");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new ModelException("external data file " + file + " cannot be read: " + OneLine.of(e), e);
        }
        if (length < 0) length = size - offset;
        if (offset < 0 || offset + length > size) {
            throw new ModelException("model file " + model + ": " + what + " lies at bytes " + offset + "–" + (offset + length)
                    + " of " + location + ", which holds " + size + " (truncated, or not this model's data file)");
        }
        return new Region(file, offset, length);
    }

    /**
     * The data file: its location beside the model, else a file of that name in the model's folder (Spark's
     * addFile ships files without their folders, so a copy lies beside the shipped model); null when neither exists.
     */
    private Path file(String location) {
        Path named = folder.resolve(location).normalize();
        if (Files.isRegularFile(named)) return named;
        Path beside = folder.resolve(Path.of(location).getFileName().toString());
        return Files.isRegularFile(beside) ? beside : null;
    }

    /** Every external data file the graph's tensors name (initializers and Constant nodes), existing or not. */
    static Set<String> locations(GraphProto graph) {
        Set<String> out = new LinkedHashSet<>();
        for (TensorProto t : graph.getInitializerList()) location(t, out);
        graph.getNodeList().forEach(n -> n.getAttributeList().forEach(a -> {
            if (a.hasT()) location(a.getT(), out);
        }));
        return out;
    }

    private static void location(TensorProto t, Set<String> out) {
        if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) return;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            if (e.getKey().equals("location")) out.add(e.getValue());
        }
    }
}
