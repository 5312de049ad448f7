package io.filterviz.model.onnx;

import io.filterviz.model.graph.ModelException;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.filterviz.model.onnx.OnnxFile.dims;
import static io.filterviz.model.onnx.OnnxFile.floatTensor;
import static io.filterviz.model.onnx.OnnxFile.integer;
import static io.filterviz.model.onnx.OnnxFile.longTensor;
import static io.filterviz.model.onnx.OnnxFile.tensor;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link ConstantEvaluator} operator by operator, on small cases whose expected values are worked out by hand from the
 * ONNX operator specification (not from the evaluator): numpy broadcasting, negative axes, Slice's clamping, integer
 * Div and Mod, Cast's truncation, float32 rounding. Each node is evaluated as the reader evaluates it, through a
 * {@link Translation} holding its inputs as constants; the refusals go through a whole file read by {@link OnnxLoader}.
 */
class ConstantEvaluatorTest {
    private static final long MIN = Long.MIN_VALUE, MAX = Long.MAX_VALUE;

    // ---- helpers ----

    /** Evaluates one node of {@code op} on the given constant inputs (null: an omitted optional input). */
    private static List<Constant> evaluate(int opset, String op, int outputs, List<Constant> inputs, AttributeProto... attributes) {
        Map<String, Constant> constants = new HashMap<>();
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName("n").addAllAttribute(Arrays.asList(attributes));
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i) == null) {
                node.addInput("");
            } else {
                node.addInput("in" + i);
                constants.put("in" + i, inputs.get(i));
            }
        }
        for (int i = 0; i < outputs; i++) node.addOutput("out" + i);
        Translation t = new Translation(opset, GraphProto.getDefaultInstance(), null, true,
                new OnnxLoader.Input("input", 3, 0, 0), constants);
        OnnxNode n = new OnnxNode("test.onnx", node.build(), "n");
        assertTrue(ConstantEvaluator.evaluates(n, t), op + " is evaluated on constants");
        ConstantEvaluator.evaluate(n, t);
        List<Constant> out = new ArrayList<>();
        for (int i = 0; i < outputs; i++) out.add(t.constant("out" + i));
        return out;
    }

    private static Constant eval(String op, List<Constant> inputs, AttributeProto... attributes) {
        return evaluate(17, op, 1, inputs, attributes).get(0);
    }

    private static Constant eval(String op, Constant input, AttributeProto... attributes) {
        return eval(op, List.of(input), attributes);
    }

    private static Constant ints(long[] dims, long... values) { return Constant.ofLongs(dims, values); }

    private static Constant floats(long[] dims, float... values) { return Constant.ofFloats(dims, values); }

    private static Constant vector(long... values) { return Constant.ofLongs(dims(values.length), values); }

    private static Constant scalar(long value) { return Constant.ofLongs(dims(), value); }

    private static Constant scalar(float value) { return Constant.ofFloats(dims(), value); }

    private static final long[] SCALAR = {};

    /** An integer result: its dims and values. */
    private static void assertInts(Constant c, long[] dims, long... values) {
        assertNotNull(c, "a result");
        assertNull(c.floatValues(), "an integer result, not floats " + Arrays.toString(c.floatValues()));
        assertArrayEquals(dims, c.dims(), "dims");
        assertArrayEquals(values, c.longValues(), "values");
    }

    /** A floating-point result: its dims and float32 values, exactly. */
    private static void assertFloats(Constant c, long[] dims, float... values) {
        assertNotNull(c, "a result");
        assertNotNull(c.floatValues(), "a floating-point result, not integers " + Arrays.toString(c.longValues()));
        assertArrayEquals(dims, c.dims(), "dims");
        assertArrayEquals(values, c.floatValues(), "values");
    }

    private static AttributeProto to(TensorProto.DataType type) { return integer("to", type.getNumber()); }

    /** Reading the file fails: its one-line message. */
    private static String readFails(OnnxFile file) {
        ModelException e = assertThrows(ModelException.class, () -> OnnxLoader.load("test.onnx", file.bytes()));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    // ---- elementwise ----

    @Test
    void addBroadcastsAColumnAgainstARow() {
        // [2,1] + [3] -> [2,3]: out[i][j] = a[i][0] + b[j]
        assertInts(eval("Add", List.of(ints(dims(2, 1), 1, 2), vector(10, 20, 30))), dims(2, 3), 11, 21, 31, 12, 22, 32);
        // a rank-0 scalar against [2,2]; Sub is a - b in that order
        assertInts(eval("Sub", List.of(scalar(10), ints(dims(2, 2), 1, 2, 3, 4))), dims(2, 2), 9, 8, 7, 6);
        // [2,1,3] * [2,1]: -> [2,2,3], out[i][j][k] = a[i][0][k] * b[j][0]
        assertInts(eval("Mul", List.of(ints(dims(2, 1, 3), 1, 2, 3, 4, 5, 6), ints(dims(2, 1), 1, 10))), dims(2, 2, 3),
                1, 2, 3, 10, 20, 30, 4, 5, 6, 40, 50, 60);
    }

    @Test
    void shapesThatDoNotBroadcastAreRefused() {
        ModelException e = assertThrows(ModelException.class, () -> eval("Add", List.of(vector(1, 2), vector(1, 2, 3))));
        assertTrue(e.getMessage().contains("broadcasts constants of shapes [2] and [3]"), e.getMessage());
    }

    @Test
    void floatingResultsAreFloat32s() {
        // 2^24 + 1 is not a float32: it rounds (to even) to 2^24
        assertFloats(eval("Add", List.of(scalar(16777216f), scalar(1f))), SCALAR, 16777216f);
        // 1/3 in float32, not the double 1/3 narrowed later from a double chain
        assertFloats(eval("Div", List.of(floats(dims(2), 1, -7), floats(dims(1), 3))), dims(2), 1f / 3f, -7f / 3f);
        // a float divided by zero is infinite, not an error
        assertFloats(eval("Div", List.of(scalar(1f), scalar(0f))), SCALAR, Float.POSITIVE_INFINITY);
    }

    @Test
    void integerDivTruncatesTowardZero() {
        assertInts(eval("Div", List.of(vector(7, -7, 7, -7, 6), vector(2, 2, -2, -2, 3))), dims(5), 3, -3, -3, 3, 2);
    }

    @Test
    void modOfNegativeIntegersInBothModes() {
        Constant a = vector(7, -7, 7, -7, 6), b = vector(3, 3, -3, -3, 3);
        // fmod 0 (default): the sign of the divisor, as Python's %: 7%3=1, -7%3=2, 7%-3=-2, -7%-3=-1
        assertInts(eval("Mod", List.of(a, b)), dims(5), 1, 2, -2, -1, 0);
        // fmod 1: C's fmod, the sign of the dividend
        assertInts(eval("Mod", List.of(a, b), integer("fmod", 1)), dims(5), 1, -1, 1, -1, 0);
        assertFloats(eval("Mod", List.of(floats(dims(2), 5.5f, -5.5f), scalar(2f)), integer("fmod", 1)), dims(2), 1.5f, -1.5f);
        ModelException e = assertThrows(ModelException.class, () -> eval("Mod", List.of(scalar(5.5f), scalar(2f))));
        assertTrue(e.getMessage().contains("fmod 0 on floating-point"), e.getMessage());
    }

    @Test
    void powHasTheTypeOfItsBase() {
        assertFloats(eval("Pow", List.of(scalar(4f), scalar(-0.5f))), SCALAR, 0.5f);
        assertInts(eval("Pow", List.of(vector(2, 3), vector(3, 2))), dims(2), 8, 9);
        // ONNX Pow: Z has the type of X; an integer base with a float exponent gives integers (std::pow, truncated)
        assertInts(eval("Pow", List.of(vector(4, 2), scalar(0.5f))), dims(2), 2, 1);
        // so that a Div after it stays an integer division: (3 ^ 1.0) / 2 = 1
        Constant cube = eval("Pow", List.of(scalar(3), scalar(1f)));
        assertInts(eval("Div", List.of(cube, scalar(2))), SCALAR, 1);
    }

    @Test
    void comparisonsAndLogicGiveBooleans() {
        Constant a = floats(dims(3), 1, 2, 3), b = scalar(2f);
        assertInts(eval("Equal", List.of(a, b)), dims(3), 0, 1, 0);
        assertInts(eval("Less", List.of(a, b)), dims(3), 1, 0, 0);
        assertInts(eval("Greater", List.of(a, b)), dims(3), 0, 0, 1);
        assertInts(eval("LessOrEqual", List.of(a, b)), dims(3), 1, 1, 0);
        assertInts(eval("GreaterOrEqual", List.of(a, b)), dims(3), 0, 1, 1);
        Constant p = vector(0, 0, 1, 1), q = vector(0, 1, 0, 1);
        assertInts(eval("And", List.of(p, q)), dims(4), 0, 0, 0, 1);
        assertInts(eval("Or", List.of(p, q)), dims(4), 0, 1, 1, 1);
        assertInts(eval("Xor", List.of(p, q)), dims(4), 0, 1, 1, 0);
        assertInts(eval("Not", p), dims(4), 1, 1, 0, 0);
    }

    @Test
    void variadicMinMaxSumBroadcastAllTheirInputs() {
        List<Constant> in = List.of(vector(1, 5), ints(dims(2, 1), 3, 0), scalar(4));
        // -> [2,2]: out[i][j] over a[j], b[i][0], 4
        assertInts(eval("Max", in), dims(2, 2), 4, 5, 4, 5);
        assertInts(eval("Min", in), dims(2, 2), 1, 3, 0, 0);
        assertInts(eval("Sum", in), dims(2, 2), 8, 12, 5, 9);
        assertInts(eval("Sum", List.of(vector(1, 2))), dims(2), 1, 2);
    }

    @Test
    void unaryOperators() {
        Constant x = floats(dims(4), -1.5f, -0.5f, 0.5f, 2f);
        assertFloats(eval("Neg", x), dims(4), 1.5f, 0.5f, -0.5f, -2f);
        assertFloats(eval("Abs", x), dims(4), 1.5f, 0.5f, 0.5f, 2f);
        assertFloats(eval("Floor", x), dims(4), -2f, -1f, 0f, 2f);
        assertFloats(eval("Ceil", x), dims(4), -1f, -0f, 1f, 2f);
        assertFloats(eval("Sign", x), dims(4), -1f, -1f, 1f, 1f);
        assertFloats(eval("Reciprocal", x), dims(4), 1 / -1.5f, -2f, 2f, 0.5f);
        assertFloats(eval("Sqrt", floats(dims(2), 4f, 2f)), dims(2), 2f, (float) Math.sqrt(2));
        assertFloats(eval("Exp", scalar(0f)), SCALAR, 1f);
        assertFloats(eval("Log", scalar(1f)), SCALAR, 0f);
        assertInts(eval("Neg", vector(3, -4)), dims(2), -3, 4);
        assertInts(eval("Abs", vector(3, -4)), dims(2), 3, 4);
    }

    @Test
    void whereBroadcastsConditionAndBothBranches() {
        // condition [2,1], x [1,3], y [2] cannot go with [3]; y [2,1]: -> [2,3]
        Constant condition = ints(dims(2, 1), 1, 0), x = ints(dims(1, 3), 1, 2, 3), y = ints(dims(2, 1), -1, -2);
        assertInts(eval("Where", List.of(condition, x, y)), dims(2, 3), 1, 2, 3, -2, -2, -2);
        // a [3] condition picks per column from a scalar and a [2,3]
        assertFloats(eval("Where", List.of(vector(1, 0, 1), scalar(9f), floats(dims(2, 3), 1, 2, 3, 4, 5, 6))), dims(2, 3),
                9, 2, 9, 9, 5, 9);
    }

    // ---- layout ----

    @Test
    void reshapeWithZeroAndMinusOne() {
        Constant a = ints(dims(2, 3, 4), new long[24]);
        // 0 copies the input's dim at that position; -1 takes what is left
        assertArrayEquals(dims(2, 12), eval("Reshape", List.of(a, vector(0, -1))).dims());
        assertArrayEquals(dims(4, 3, 2), eval("Reshape", List.of(a, vector(4, 0, -1))).dims());
        assertArrayEquals(dims(24), eval("Reshape", List.of(a, vector(-1))).dims());
        // the values stay in row-major order
        assertInts(eval("Reshape", List.of(ints(dims(2, 3), 1, 2, 3, 4, 5, 6), vector(3, -1))), dims(3, 2), 1, 2, 3, 4, 5, 6);
        // allowzero 1: a 0 is a size of 0 (an empty tensor of [3,0] becomes [0,3]); allowzero 0 copies the 3
        Constant empty = ints(dims(3, 0));
        assertInts(eval("Reshape", List.of(empty, vector(0, 3)), integer("allowzero", 1)), dims(0, 3));
        assertThrows(IllegalArgumentException.class, () -> eval("Reshape", List.of(empty, vector(0, 3))));
    }

    @Test
    void flattenAtNegativeAndZeroAxes() {
        Constant a = ints(dims(2, 3, 4), new long[24]);
        assertArrayEquals(dims(6, 4), eval("Flatten", a, integer("axis", -1)).dims());
        assertArrayEquals(dims(1, 24), eval("Flatten", a, integer("axis", 0)).dims());
        assertArrayEquals(dims(2, 12), eval("Flatten", a).dims());
        // an empty tensor keeps both products: [0,3,4] from axis 1 is [0, 3*4], from axis 3 (its rank) [0, 1]
        Constant empty = ints(dims(0, 3, 4));
        assertInts(eval("Flatten", empty), dims(0, 12));
        assertInts(eval("Flatten", empty, integer("axis", 3)), dims(0, 1));
    }

    @Test
    void squeezeWithAndWithoutAxesAndUnsqueeze() {
        Constant a = ints(dims(1, 3, 1, 2), 1, 2, 3, 4, 5, 6);
        // no axes: every size-1 axis goes
        assertInts(eval("Squeeze", a), dims(3, 2), 1, 2, 3, 4, 5, 6);
        assertInts(eval("Squeeze", List.of(a, vector(-2))), dims(1, 3, 2), 1, 2, 3, 4, 5, 6);
        // opset 11: axes as an attribute
        assertArrayEquals(dims(3, 1, 2), evaluate(11, "Squeeze", 1, List.of(a), OnnxFile.ints("axes", 0)).get(0).dims());
        assertThrows(ModelException.class, () -> eval("Squeeze", List.of(a, vector(1))));
        // Unsqueeze's axes index the output: [2,3] with 0 and -1 (= 3 of rank 4) -> [1,2,3,1]; 1 and 3 -> [2,1,3,1]
        Constant b = ints(dims(2, 3), 1, 2, 3, 4, 5, 6);
        assertInts(eval("Unsqueeze", List.of(b, vector(0, -1))), dims(1, 2, 3, 1), 1, 2, 3, 4, 5, 6);
        assertArrayEquals(dims(2, 1, 3, 1), eval("Unsqueeze", List.of(b, vector(3, 1))).dims());
        assertArrayEquals(dims(1), eval("Unsqueeze", List.of(scalar(7), vector(0))).dims());
    }

    @Test
    void concatOnANegativeAxis() {
        // [2,1] and [2,2] on axis -1: row by row
        assertInts(eval("Concat", List.of(ints(dims(2, 1), 1, 2), ints(dims(2, 2), 3, 4, 5, 6)), integer("axis", -1)),
                dims(2, 3), 1, 3, 4, 2, 5, 6);
        assertInts(eval("Concat", List.of(vector(1), vector(), vector(2, 3)), integer("axis", 0)), dims(3), 1, 2, 3);
    }

    @Test
    void splitBySizesAndIntoEqualParts() {
        List<Constant> parts = evaluate(13, "Split", 2, List.of(vector(1, 2, 3, 4, 5), vector(2, 3)));
        assertInts(parts.get(0), dims(2), 1, 2);
        assertInts(parts.get(1), dims(3), 3, 4, 5);
        // opset 11: split as an attribute
        parts = evaluate(11, "Split", 2, List.of(vector(1, 2, 3, 4, 5)), OnnxFile.ints("split", 4, 1));
        assertInts(parts.get(0), dims(4), 1, 2, 3, 4);
        assertInts(parts.get(1), dims(1), 5);
        // equal parts on axis 1 (and -1) of a [2,4]
        Constant m = ints(dims(2, 4), 1, 2, 3, 4, 5, 6, 7, 8);
        for (long axis : new long[]{1, -1}) {
            parts = evaluate(13, "Split", 2, List.of(m), integer("axis", axis));
            assertInts(parts.get(0), dims(2, 2), 1, 2, 5, 6);
            assertInts(parts.get(1), dims(2, 2), 3, 4, 7, 8);
        }
        // opset 18, 7 into 3: ceil(7/3) = 3 each, the last takes the rest
        parts = evaluate(18, "Split", 3, List.of(vector(1, 2, 3, 4, 5, 6, 7)), integer("num_outputs", 3));
        assertInts(parts.get(0), dims(3), 1, 2, 3);
        assertInts(parts.get(1), dims(3), 4, 5, 6);
        assertInts(parts.get(2), dims(1), 7);
    }

    @Test
    void sliceWithNegativeStepsAndClampedBounds() {
        Constant ten = vector(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        // 8, 5, 2 (1 is the excluded end)
        assertInts(eval("Slice", List.of(ten, vector(8), vector(1), vector(0), vector(-3))), dims(3), 8, 5, 2);
        // the whole axis backwards: start -1 is 9, an end below -dim clamps to -1 (before the first)
        assertInts(eval("Slice", List.of(ten, vector(-1), vector(-100), vector(0), vector(-1))), dims(10), 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
        // INT64_MIN + 1 as that end (torch's x[::-1]; a file's INT64_MIN reads as it, aFilesInt64MinIsASliceBound...)
        assertInts(eval("Slice", List.of(ten, vector(-1), vector(MIN + 1), vector(0), vector(-4))), dims(3), 9, 5, 1);
        // it stays a bound after a node that carries it (-2^63 as a double), not the unknown entry INT64_MIN
        assertInts(eval("Unsqueeze", List.of(scalar(MIN + 1), vector(0))), dims(1), MIN + 1);
        // a start past the end with a negative step clamps to dim - 1: 9, 7
        assertInts(eval("Slice", List.of(ten, vector(100), vector(5), vector(0), vector(-2))), dims(2), 9, 7);
        // positive steps: bounds clamp to [0, dim]
        assertInts(eval("Slice", List.of(ten, vector(7), vector(MAX))), dims(3), 7, 8, 9);
        assertInts(eval("Slice", List.of(ten, vector(-1000), vector(3))), dims(3), 0, 1, 2);
        assertInts(eval("Slice", List.of(ten, vector(20), vector(25))), dims(0));
        assertInts(eval("Slice", List.of(ten, vector(5), vector(2))), dims(0));
        // 2-D, a negative axis: every other column of [2,3]; then both axes, rows reversed
        Constant m = ints(dims(2, 3), 1, 2, 3, 4, 5, 6);
        assertInts(eval("Slice", List.of(m, vector(0), vector(MAX), vector(-1), vector(2))), dims(2, 2), 1, 3, 4, 6);
        assertInts(eval("Slice", List.of(m, vector(-1, 1), vector(MIN + 1, 3), vector(0, 1), vector(-1, 1))), dims(2, 2), 5, 6, 2, 3);
        // omitted axes and steps ("" inputs)
        assertInts(eval("Slice", Arrays.asList(m, vector(1, 0), vector(2, 2), null, null)), dims(1, 2), 4, 5);
        // opset 9: starts, ends and axes as attributes
        assertInts(evaluate(9, "Slice", 1, List.of(m), OnnxFile.ints("starts", 1), OnnxFile.ints("ends", 3), OnnxFile.ints("axes", 1)).get(0), dims(2, 2), 2, 3, 5, 6);
    }

    @Test
    void gatherOnAxisOneWithTwoDimensionalIndices() {
        // data [2,3], indices [2,2] on axis 1 -> [2, 2,2, ]: out[i][j][k] = data[i][indices[j][k]], -1 is the last
        Constant data = ints(dims(2, 3), 1, 2, 3, 4, 5, 6);
        assertInts(eval("Gather", List.of(data, ints(dims(2, 2), 0, 2, -1, 1)), integer("axis", 1)), dims(2, 2, 2),
                1, 3, 3, 2, 4, 6, 6, 5);
        // a scalar index drops the axis
        assertInts(eval("Gather", List.of(data, scalar(1)), integer("axis", 0)), dims(3), 4, 5, 6);
        assertInts(eval("Gather", List.of(data, scalar(-1)), integer("axis", -1)), dims(2), 3, 6);
        assertThrows(ModelException.class, () -> eval("Gather", List.of(data, scalar(3)), integer("axis", 1)));
    }

    @Test
    void transposeByPermAndByDefaultReversed() {
        Constant m = ints(dims(2, 3), 1, 2, 3, 4, 5, 6);
        assertInts(eval("Transpose", m), dims(3, 2), 1, 4, 2, 5, 3, 6);
        // [2,1,3] with perm [2,0,1] -> [3,2,1]: out[k][i][0] = in[i][0][k]
        assertInts(eval("Transpose", ints(dims(2, 1, 3), 0, 1, 2, 3, 4, 5), OnnxFile.ints("perm", 2, 0, 1)), dims(3, 2, 1), 0, 3, 1, 4, 2, 5);
    }

    @Test
    void expandBroadcastsBothWays() {
        // [3,1] to [2,1,2] -> [2,3,2]
        assertInts(eval("Expand", List.of(ints(dims(3, 1), 1, 2, 3), vector(2, 1, 2))), dims(2, 3, 2),
                1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3);
        // a shape smaller than the input's keeps the input's: [2,3] with [3] and with [1,1]
        Constant m = floats(dims(2, 3), 1, 2, 3, 4, 5, 6);
        assertFloats(eval("Expand", List.of(m, vector(3))), dims(2, 3), 1, 2, 3, 4, 5, 6);
        assertFloats(eval("Expand", List.of(m, vector(1, 1))), dims(2, 3), 1, 2, 3, 4, 5, 6);
        assertThrows(ModelException.class, () -> eval("Expand", List.of(m, vector(2, 2))));
    }

    @Test
    void tileRepeatsEachAxis() {
        assertInts(eval("Tile", List.of(vector(1, 2), vector(3))), dims(6), 1, 2, 1, 2, 1, 2);
        assertInts(eval("Tile", List.of(ints(dims(2, 2), 1, 2, 3, 4), vector(2, 1))), dims(4, 2), 1, 2, 3, 4, 1, 2, 3, 4);
        assertInts(eval("Tile", List.of(ints(dims(1, 2), 1, 2), vector(2, 2))), dims(2, 4), 1, 2, 1, 2, 1, 2, 1, 2);
    }

    @Test
    void scatterNdOfSlicesAndOfEntries() {
        Constant data = ints(dims(3, 2), 1, 2, 3, 4, 5, 6);
        // indices [2,1]: rows 2 and 0 replaced by the updates' rows
        assertInts(eval("ScatterND", List.of(data, ints(dims(2, 1), 2, 0), ints(dims(2, 2), 10, 20, 30, 40))), dims(3, 2),
                30, 40, 3, 4, 10, 20);
        // a full index tuple replaces one entry; -1 is the last row
        assertInts(eval("ScatterND", List.of(data, ints(dims(1, 2), -1, 0), vector(9))), dims(3, 2), 1, 2, 3, 4, 9, 6);
        assertFloats(eval("ScatterND", List.of(floats(dims(2, 2), 0, 0, 0, 0), ints(dims(1, 1), 1), floats(dims(1, 2), 7, 8))),
                dims(2, 2), 0, 0, 7, 8);
        // index tuples of length 0 (indices [1,0]): the one tuple's slice is the whole data, updates of shape [1] + [2]
        assertInts(eval("ScatterND", List.of(vector(1, 2), ints(dims(1, 0)), ints(dims(1, 2), 9, 8))), dims(2), 9, 8);
    }

    @Test
    void identityKeepsItsInput() {
        assertInts(eval("Identity", ints(dims(2, 1), 5, 6)), dims(2, 1), 5, 6);
    }

    // ---- sources ----

    @Test
    void shapeWithStartAndEnd() {
        Constant a = floats(dims(2, 3, 4, 5), new float[120]);
        assertInts(eval("Shape", a), dims(4), 2, 3, 4, 5);
        assertInts(eval("Shape", a, integer("start", 1), integer("end", -1)), dims(2), 3, 4);
        assertInts(eval("Shape", a, integer("start", -2)), dims(2), 4, 5);
        // out-of-range start and end clamp to [0, rank]; an end before the start gives nothing
        assertInts(eval("Shape", a, integer("start", -10), integer("end", 10)), dims(4), 2, 3, 4, 5);
        assertInts(eval("Shape", a, integer("start", 3), integer("end", 1)), dims(0));
        assertInts(eval("Size", a), SCALAR, 120);
    }

    @Test
    void constantOfShapeDefaultAndGivenValue() {
        // no value: float32 zeros
        assertFloats(eval("ConstantOfShape", vector(2, 3)), dims(2, 3), 0, 0, 0, 0, 0, 0);
        assertInts(eval("ConstantOfShape", vector(2), tensor("value", longTensor("v", dims(1), 7))), dims(2), 7, 7);
        assertFloats(eval("ConstantOfShape", vector(1, 2), tensor("value", floatTensor("v", dims(1), -1.5f))), dims(1, 2), -1.5f, -1.5f);
        // an empty shape is a scalar
        assertFloats(eval("ConstantOfShape", vector(), tensor("value", floatTensor("v", dims(1), 2f))), SCALAR, 2f);
        assertInts(eval("ConstantOfShape", vector(0), tensor("value", longTensor("v", dims(1), 1))), dims(0));
    }

    @Test
    void rangeUpAndDown() {
        assertInts(eval("Range", List.of(scalar(1), scalar(7), scalar(2))), dims(3), 1, 3, 5);
        // negative delta: ceil((4 - 10) / -3) = 2 entries; ceil((0 - 5) / -2) = 3
        assertInts(eval("Range", List.of(scalar(10), scalar(4), scalar(-3))), dims(2), 10, 7);
        assertInts(eval("Range", List.of(scalar(5), scalar(0), scalar(-2))), dims(3), 5, 3, 1);
        // a delta that points away from the limit: empty
        assertInts(eval("Range", List.of(scalar(0), scalar(5), scalar(-1))), dims(0));
        assertFloats(eval("Range", List.of(scalar(1f), scalar(2f), scalar(0.25f))), dims(4), 1f, 1.25f, 1.5f, 1.75f);
    }

    @Test
    void castTruncatesFloatsToIntegersAndRoundsToFloat32() {
        assertInts(eval("Cast", floats(dims(5), -2.7f, -0.5f, 0.5f, 2.7f, 3f), to(TensorProto.DataType.INT64)), dims(5), -2, 0, 0, 2, 3);
        assertInts(eval("Cast", floats(dims(2), -2.7f, 2.7f), to(TensorProto.DataType.INT32)), dims(2), -2, 2);
        assertInts(eval("Cast", floats(dims(3), 0f, 2f, -0.5f), to(TensorProto.DataType.BOOL)), dims(3), 0, 1, 1);
        // 2^24 + 1 has no float32: it rounds to 2^24
        assertFloats(eval("Cast", vector(16777217, -3), to(TensorProto.DataType.FLOAT)), dims(2), 16777216f, -3f);
        assertFloats(eval("Cast", vector(2), to(TensorProto.DataType.DOUBLE)), dims(1), 2f);
    }

    @Test
    void castToHalfPrecisionsRoundsToTheirValues() {
        // float16: 10 mantissa bits. 0.1 = 1.6 * 2^-4, 0.6 * 1024 = 614.4 -> 614: (1 + 614/1024) / 16; 2049 and 2051 sit
        // halfway between halves 2 apart and go to the even one; 65504 is the largest, 65520 (halfway to 65536) infinite;
        // below 2^-14 the step is 2^-24: 3e-8 is past half of it
        assertFloats(eval("Cast", floats(dims(8), 0.1f, -0.1f, 2049, 2051, 65519, 65520, 3e-8f, 1e-8f), to(TensorProto.DataType.FLOAT16)),
                dims(8), 0.0999755859375f, -0.0999755859375f, 2048, 2052, 65504, Float.POSITIVE_INFINITY, 0x1p-24f, 0);
        // bfloat16: 7 mantissa bits. 0.1f is 0x3DCCCCCD: 0x3DCC rounds up to 0x3DCD = (1 + 77/128) / 16; 257 and 259 halfway
        assertFloats(eval("Cast", floats(dims(4), 0.1f, 257, 259, -1.5f), to(TensorProto.DataType.BFLOAT16)),
                dims(4), 0.10009765625f, 256, 260, -1.5f);
    }

    @Test
    void entriesThatDependOnTheInputSizeStayUnknownThroughArithmetic() {
        Constant shape = vector(1, 3, Constant.UNKNOWN, Constant.UNKNOWN);
        assertInts(eval("Gather", List.of(shape, scalar(1)), integer("axis", 0)), SCALAR, 3);
        assertInts(eval("Gather", List.of(shape, scalar(2)), integer("axis", 0)), SCALAR, Constant.UNKNOWN);
        assertInts(eval("Div", List.of(shape, scalar(2))), dims(4), 0, 1, Constant.UNKNOWN, Constant.UNKNOWN);
        assertInts(eval("Equal", List.of(shape, scalar(3))), dims(4), 0, 1, Constant.UNKNOWN, Constant.UNKNOWN);
        assertInts(eval("Concat", List.of(vector(5), shape), integer("axis", 0)), dims(5), 5, 1, 3, Constant.UNKNOWN, Constant.UNKNOWN);
    }

    // ---- refusals, as the reader reports them ----

    @Test
    void aShapeThatDependsOnTheFreeInputSizeStopsTheRead() {
        OnnxFile file = new OnnxFile(17, "input", 1, 3, "height", "width")
                .node("Relu", "relu", "input", "r")
                .node("Shape", "/shape", "r", "hw", integer("start", 2))
                .node("ConstantOfShape", "/fill", "hw", "zeros")
                .output("r");
        String message = readFails(file);
        assertTrue(message.contains("node '/fill' (ConstantOfShape)"), message);
        assertTrue(message.contains("depends on the input size"), message);
    }

    @Test
    void anIntegerDivisionByZeroStopsTheRead() {
        OnnxFile file = new OnnxFile(17, "input", 1, 3, 4, 4)
                .longs("a", dims(2), 5, 6).longs("zero", dims(1), 0)
                .node("Div", "/div", List.of("a", "zero"), "q")
                .node("Relu", "relu", "input", "r").output("r");
        String message = readFails(file);
        assertTrue(message.contains("node '/div' (Div) divides the integer 5 by zero"), message);
        file = new OnnxFile(17, "input", 1, 3, 4, 4)
                .longs("a", dims(2), 5, 6).longs("zero", dims(1), 0)
                .node("Mod", "/mod", List.of("a", "zero"), "q")
                .node("Relu", "relu", "input", "r").output("r");
        message = readFails(file);
        assertTrue(message.contains("node '/mod' (Mod) takes a remainder by zero"), message);
    }

    @Test
    void anOperatorEvaluatedOnlyOnConstantsRefusesAComputedInput() {
        OnnxFile file = new OnnxFile(17, "input", 1, 3, 4, 4)
                .longs("repeats", dims(4), 1, 1, 2, 2)
                .node("Relu", "relu", "input", "r")
                .node("Tile", "/tile", List.of("r", "repeats"), "t").output("t");
        String message = readFails(file);
        assertTrue(message.contains("node '/tile' (Tile) on the computed tensor r is not supported"), message);
        assertTrue(message.contains("evaluated only on constants"), message);
    }

    @Test
    void aFilesInt64MinIsASliceBoundNotAnUnknownSize() {
        // ends INT64_MIN as an initializer, then as a Constant node's value_ints: both reverse the whole constant
        OnnxFile file = new OnnxFile(17, "input", 1, 3, 4, 4)
                .longs("data", dims(4), 1, 2, 3, 4).longs("starts", dims(1), -1).longs("ends", dims(1), MIN)
                .longs("axes", dims(1), 0).longs("steps", dims(1), -1)
                .node("Slice", "/rev", List.of("data", "starts", "ends", "axes", "steps"), "rev")
                .node("Constant", "/end", List.of(), "end", OnnxFile.ints("value_ints", MIN))
                .node("Slice", "/rev2", List.of("data", "starts", "end", "axes", "steps"), "rev2")
                .node("Relu", "relu", "input", "r").output("r");
        Map<String, Constant> constants = constantsOf(file);
        assertInts(constants.get("ends"), dims(1), MIN + 1);
        assertInts(constants.get("rev"), dims(4), 4, 3, 2, 1);
        assertInts(constants.get("rev2"), dims(4), 4, 3, 2, 1);
        // the same end on a computed tensor: its channels reversed, not refused as a size-dependent bound
        io.filterviz.model.graph.Graph g = OnnxLoader.load("test.onnx", new OnnxFile(17, "input", 1, 3, 2, 2)
                .longs("starts", dims(1), -1).longs("ends", dims(1), MIN).longs("axes", dims(1), 1).longs("steps", dims(1), -1)
                .node("Relu", "relu", "input", "r")
                .node("Slice", "/flip", List.of("r", "starts", "ends", "axes", "steps"), "flipped").output("flipped").bytes());
        assertEquals(io.filterviz.model.graph.Shape.image(3, 2, 2), g.shapes(2, 2).get("flipped"));
    }

    /** The constants of a file the reader read. */
    private static Map<String, Constant> constantsOf(OnnxFile file) {
        onnx.Onnx.ModelProto model;
        try {
            model = onnx.Onnx.ModelProto.parseFrom(file.bytes());
        } catch (org.nd4j.shade.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        OnnxGraphReader reader = new OnnxGraphReader("test.onnx", 17, model.getGraph(), null, true, null);
        reader.read("test", OnnxLoader.input("test.onnx", model.getGraph()));
        return reader.constants();
    }

    @Test
    void aReadFileEvaluatesAChainOfConstantNodes() {
        // Shape of a fixed-size input -> Gather -> Mul -> Unsqueeze -> Concat: the reader's constants hold each step
        OnnxFile file = new OnnxFile(17, "input", 1, 3, 6, 8)
                .longs("two", dims(), 2).longs("zero", dims(1), 0).longs("minus", dims(1), -1)
                .node("Shape", "/shape", "input", "s")
                .node("Gather", "/h", List.of("s", "two"), "h", integer("axis", 0))
                .node("Mul", "/hh", List.of("h", "two"), "hh")
                .node("Unsqueeze", "/u", List.of("hh", "zero"), "u")
                .node("Concat", "/c", List.of("u", "minus"), "c", integer("axis", 0))
                .node("Relu", "relu", "input", "r").output("r");
        Map<String, Constant> constants = constantsOf(file);
        assertInts(constants.get("s"), dims(4), 1, 3, 6, 8);
        assertInts(constants.get("h"), SCALAR, 6);
        assertInts(constants.get("hh"), SCALAR, 12);
        assertInts(constants.get("c"), dims(2), 12, -1);
    }
}
