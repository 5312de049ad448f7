package io.filterviz.model.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterviz.model.graph.ModelException;
import onnx.Onnx.ModelProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The constants the reader computes for real exports (ViT's, Swin's and ShuffleNet's shape sub-graphs, Swin's attention
 * mask), each held to an independent evaluation of the same nodes with torch: {@code <stem>.constants.json}, written
 * by {@code scripts/constant_subgraphs.py} (onnx_torch_eval's semantics, floats in float64). Integers must agree
 * exactly, floats within float32 rounding; an entry the script found to depend on a free-size network's input size
 * (null) must be unknown here ({@link Constant#UNKNOWN}), and every other entry known. No other node's output may be a
 * constant of the reader's. The same for {@code constants/random.onnx} ({@code scripts/random_constant_graphs.py}):
 * each operator on random ranks, dims, values and attributes.
 */
class ConstantSubgraphsTest {
    private static final Path MODELS = Path.of("src/test/resources/models");
    /** The reader rounds to float32 after each operator; the oracle keeps float64. */
    private static final double RELATIVE = 1e-6;

    @ParameterizedTest
    @ValueSource(strings = {"vit", "swin", "shufflenet_v2"})
    void everyConstantNodeAgreesWithTorch(String stem) throws IOException {
        agreesWithTorch(MODELS, stem);
    }

    /** scripts/random_constant_graphs.py: each operator on random ranks, dims, values and attributes. */
    @Test
    void randomConstantGraphsAgreeWithTorch() throws IOException {
        agreesWithTorch(Path.of("src/test/resources/constants"), "random");
    }

    private static void agreesWithTorch(Path folder, String stem) throws IOException {
        JsonNode doc = new ObjectMapper().readTree(folder.resolve(stem + ".constants.json").toFile());
        JsonNode outputs = doc.get("outputs");
        assertTrue(outputs.size() > 10, "the oracle holds constant outputs of " + stem);
        String[] readError = new String[1];
        Map<String, Constant> constants = readConstants(folder, stem, readError);

        List<String> wrong = new ArrayList<>();
        int compared = 0, unknowns = 0;
        for (JsonNode o : outputs) {
            String what = o.get("node").asText() + " (" + o.get("op").asText() + ") output " + o.get("output").asText();
            Constant c = constants.get(o.get("output").asText());
            if (c == null) {
                wrong.add(what + ": not evaluated as a constant");
                continue;
            }
            long[] dims = longs(o.get("dims"));
            if (!Arrays.equals(dims, c.dims())) {
                wrong.add(what + ": dims " + Arrays.toString(c.dims()) + ", torch " + Arrays.toString(dims));
                continue;
            }
            boolean floating = o.get("floating").asBoolean();
            if (floating != (c.floatValues() != null)) {
                wrong.add(what + ": " + (floating ? "integer" : "floating-point") + ", torch's is not");
                continue;
            }
            JsonNode expected = o.get("values");
            for (int i = 0; i < expected.size(); i++) {
                JsonNode e = expected.get(i);
                String at = what + " [" + i + "]";
                if (floating) {
                    double want = e.asDouble(), got = c.floatValues()[i];
                    if (!(Math.abs(got - want) <= RELATIVE * Math.abs(want))) wrong.add(at + ": " + got + ", torch " + want);
                } else if (e.isNull()) {
                    unknowns++;
                    long got = c.longValues()[i];
                    if (got != Constant.UNKNOWN) wrong.add(at + ": " + got + ", which depends on the input size");
                } else {
                    long got = c.longValues()[i];
                    if (got != e.asLong()) {
                        wrong.add(at + ": " + (got == Constant.UNKNOWN ? "unknown" : Long.toString(got)) + ", torch " + e.asLong());
                    }
                }
                compared++;
            }
        }
        // and nothing else: a node the reader holds for constant whose output torch computes from the image is wrong
        java.util.Set<String> oracle = new java.util.HashSet<>();
        for (JsonNode o : outputs) oracle.add(o.get("output").asText());
        for (JsonNode name : doc.get("left_out").get("outputs")) oracle.add(name.asText());
        for (onnx.Onnx.NodeProto node : graph(folder, stem).getNodeList()) {
            if (node.getOpType().equals("Constant")) continue;
            for (String out : node.getOutputList()) {
                if (constants.containsKey(out) && !oracle.contains(out)) {
                    wrong.add(node.getName() + " (" + node.getOpType() + ") output " + out + ": a constant, which torch computes from the image");
                }
            }
        }
        assertNull(readError[0], "the file is read; before the failure, " + wrong.size() + " mismatches in "
                + outputs.size() + " outputs (" + compared + " entries compared), e.g.\n" + String.join("\n", wrong.subList(0, Math.min(20, wrong.size()))));
        assertTrue(wrong.isEmpty(), wrong.size() + " mismatches in " + outputs.size() + " outputs (" + compared
                + " entries compared), e.g.\n"
                + String.join("\n", wrong.subList(0, Math.min(20, wrong.size()))));
        assertEquals(doc.get("fixed_size").asBoolean(), unknowns == 0, "unknown entries only in a free-size network");
    }

    /**
     * The file read as OnnxLoader reads it, keeping its constants. Where reading fails, the constants computed before
     * the failure, and its message in {@code error[0]}: a wrong constant often stops the read further on.
     */
    private static Map<String, Constant> readConstants(Path folder, String stem, String[] error) throws IOException {
        String name = stem + ".onnx";
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(folder.resolve(name)));
        int opset = model.getOpsetImportList().stream().filter(s -> s.getDomain().isEmpty() || s.getDomain().equals("ai.onnx"))
                .mapToInt(s -> (int) s.getVersion()).findFirst().orElse(1);
        OnnxGraphReader reader = new OnnxGraphReader(name, opset, model.getGraph(), null, true, null);
        try {
            reader.read(stem, OnnxLoader.input(name, model.getGraph()));
        } catch (ModelException e) {
            error[0] = e.getMessage();
        }
        return reader.constants();
    }

    private static onnx.Onnx.GraphProto graph(Path folder, String stem) throws IOException {
        return ModelProto.parseFrom(Files.readAllBytes(folder.resolve(stem + ".onnx"))).getGraph();
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asLong();
        return out;
    }
}
