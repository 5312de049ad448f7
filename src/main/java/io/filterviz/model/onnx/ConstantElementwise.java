package io.filterviz.model.onnx;

import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/** Elementwise operators on constants, with numpy broadcasting: arithmetic, comparisons, logic and Where. */
final class ConstantElementwise {
    static final List<String> UNARY = List.of("Neg", "Abs", "Sqrt", "Reciprocal", "Floor", "Ceil", "Exp", "Log", "Not", "Sign");
    static final List<String> BINARY = List.of("Add", "Sub", "Mul", "Div", "Mod", "Pow", "Equal", "Less", "Greater",
            "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Min", "Max", "Sum");

    private ConstantElementwise() {}

    static NdValues unary(OnnxNode n, NdValues a) {
        DoubleUnaryOperator f = switch (n.opType()) {
            case "Neg" -> v -> -v;
            case "Abs" -> Math::abs;
            case "Sqrt" -> Math::sqrt;
            case "Reciprocal" -> v -> 1 / v;
            case "Floor" -> Math::floor;
            case "Ceil" -> Math::ceil;
            case "Exp" -> Math::exp;
            case "Log" -> Math::log;
            case "Sign" -> Math::signum;
            default -> v -> Double.isNaN(v) ? v : v == 0 ? 1 : 0; // Not
        };
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = round(f.applyAsDouble(a.values()[i]), a.floating());
        return new NdValues(a.dims(), out, a.floating());
    }

    /** A binary operator, or Min, Max and Sum of any number of inputs, folded pairwise. */
    static NdValues binary(OnnxNode n, List<NdValues> inputs) {
        NdValues result = inputs.get(0);
        for (int i = 1; i < inputs.size(); i++) result = pair(n, result, inputs.get(i));
        return result;
    }

    private static NdValues pair(OnnxNode n, NdValues a, NdValues b) {
        // Pow's result has its base's type (an integer base with a float exponent gives integers); the others' inputs share one
        boolean floating = n.opType().equals("Pow") ? a.floating() : a.floating() || b.floating();
        boolean comparison = switch (n.opType()) {
            case "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor" -> true;
            default -> false;
        };
        DoubleBinaryOperator f = operator(n, floating);
        long[] dims = broadcast(n, a.dims(), b.dims());
        double[] out = new double[Math.toIntExact(NdValues.count(dims))];
        long[] position = new long[dims.length];
        for (int i = 0; i < out.length; i++) {
            double x = a.values()[a.broadcastIndex(position)], y = b.values()[b.broadcastIndex(position)];
            double v = Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : f.applyAsDouble(x, y);
            out[i] = comparison ? v : floating ? round(v, true) : truncate(v);
            step(position, dims);
        }
        return new NdValues(dims, out, floating && !comparison);
    }

    private static DoubleBinaryOperator operator(OnnxNode n, boolean floating) {
        return switch (n.opType()) {
            case "Add", "Sum" -> Double::sum;
            case "Sub" -> (x, y) -> x - y;
            case "Mul" -> (x, y) -> x * y;
            case "Div" -> floating ? (x, y) -> x / y : (x, y) -> {
                if (y == 0) throw n.fail("divides the integer " + (long) x + " by zero");
                return (long) x / (long) y; // integer division truncates, as ONNX Runtime's
            };
            case "Mod" -> mod(n, floating);
            case "Pow" -> Math::pow;
            case "Equal" -> (x, y) -> x == y ? 1 : 0;
            case "Less" -> (x, y) -> x < y ? 1 : 0;
            case "Greater" -> (x, y) -> x > y ? 1 : 0;
            case "LessOrEqual" -> (x, y) -> x <= y ? 1 : 0;
            case "GreaterOrEqual" -> (x, y) -> x >= y ? 1 : 0;
            case "And" -> (x, y) -> x != 0 && y != 0 ? 1 : 0;
            case "Or" -> (x, y) -> x != 0 || y != 0 ? 1 : 0;
            case "Xor" -> (x, y) -> (x != 0) != (y != 0) ? 1 : 0;
            case "Min" -> Math::min;
            default -> Math::max;
        };
    }

    /** fmod 0 (the default, integers only): the remainder takes the divisor's sign, as Python's %; fmod 1: C's fmod. */
    private static DoubleBinaryOperator mod(OnnxNode n, boolean floating) {
        boolean fmod = n.integer("fmod", 0) != 0;
        if (floating && !fmod) throw n.fail("has fmod 0 on floating-point values; ONNX requires fmod 1 there");
        return (x, y) -> {
            if (y == 0) throw n.fail("takes a remainder by zero");
            double r = x % y;
            return !fmod && r != 0 && (r < 0) != (y < 0) ? r + y : r;
        };
    }

    /** Where(condition, x, y), broadcast over all three. */
    static NdValues where(OnnxNode n, NdValues condition, NdValues x, NdValues y) {
        long[] dims = broadcast(n, broadcast(n, condition.dims(), x.dims()), y.dims());
        double[] out = new double[Math.toIntExact(NdValues.count(dims))];
        long[] position = new long[dims.length];
        for (int i = 0; i < out.length; i++) {
            double c = condition.values()[condition.broadcastIndex(position)];
            out[i] = Double.isNaN(c) ? Double.NaN
                    : c != 0 ? x.values()[x.broadcastIndex(position)] : y.values()[y.broadcastIndex(position)];
            step(position, dims);
        }
        return new NdValues(dims, out, x.floating() || y.floating());
    }

    static long[] broadcast(OnnxNode n, long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long x = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long y = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (x != y && x != 1 && y != 1) {
                throw n.fail("broadcasts constants of shapes " + Arrays.toString(a) + " and " + Arrays.toString(b));
            }
            out[i] = x == 1 ? y : x;
        }
        return out;
    }

    /** The next position in row-major order. */
    static void step(long[] position, long[] dims) {
        for (int a = position.length - 1; a >= 0; a--) {
            if (++position[a] < dims[a]) return;
            position[a] = 0;
        }
    }

    /** An integer result made whole as a cast to an integer type does (ONNX Runtime's Pow: static_cast of std::pow). */
    private static double truncate(double v) {
        return Double.isNaN(v) ? v : (double) (long) v;
    }

    static double round(double v, boolean floating) {
        return floating ? (float) v : v;
    }
}
