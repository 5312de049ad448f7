package io.filterviz.model.onnx;

import io.filterviz.model.graph.ModelException;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.NodeProto;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** One ONNX node as the reader sees it: its unique name, inputs, outputs, attributes with their defaults, and its errors. */
final class OnnxNode {
    private final String file;
    private final NodeProto proto;
    private final String name;

    OnnxNode(String file, NodeProto proto, String name) {
        this.file = file;
        this.proto = proto;
        this.name = name;
    }

    String name() { return name; }

    String opType() { return proto.getOpType(); }

    String domain() { return proto.getDomain(); }

    String input(int i) { return proto.getInput(i); }

    int inputCount() { return proto.getInputCount(); }

    List<String> inputs() { return proto.getInputList(); }

    /** Whether optional input {@code i} is given (present and not the empty name). */
    boolean hasInput(int i) { return proto.getInputCount() > i && !proto.getInput(i).isEmpty(); }

    String output(int i) { return proto.getOutput(i); }

    int outputCount() { return proto.getOutputCount(); }

    List<AttributeProto> attributes() { return proto.getAttributeList(); }

    /** A one-line error about this node. */
    ModelException fail(String what) {
        return new ModelException("model file " + file + ": node '" + name + "' (" + opType() + ") " + what);
    }

    /** Refuses any attribute not named: a value we do not know of must not be silently ignored. */
    void allowOnly(String... names) {
        Set<String> allowed = Set.of(names);
        for (AttributeProto a : proto.getAttributeList()) {
            if (!allowed.contains(a.getName())) {
                throw fail("has attribute " + a.getName() + ", not supported; supported attributes: "
                        + (names.length == 0 ? "none" : String.join(", ", names)));
            }
        }
    }

    private AttributeProto attribute(String attribute) {
        for (AttributeProto a : proto.getAttributeList()) if (a.getName().equals(attribute)) return a;
        return null;
    }

    long integer(String attribute, long fallback) {
        AttributeProto a = attribute(attribute);
        return a == null ? fallback : a.getI();
    }

    float real(String attribute, float fallback) {
        AttributeProto a = attribute(attribute);
        return a == null ? fallback : a.getF();
    }

    String string(String attribute, String fallback) {
        AttributeProto a = attribute(attribute);
        return a == null ? fallback : a.getS().toStringUtf8();
    }

    long[] ints(String attribute, long[] fallback) {
        AttributeProto a = attribute(attribute);
        return a == null ? fallback : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** A 2-D attribute such as strides or dilations, 1 by default. */
    long[] pair(String attribute) {
        long[] v = ints(attribute, new long[]{1, 1});
        if (v.length != 2 || v[0] < 1 || v[1] < 1) throw fail("has " + attribute + " " + Arrays.toString(v) + "; two positive values are supported");
        return v;
    }

    /** ONNX pads (top, left, bottom, right), 0 by default. */
    int[] pads() {
        long[] p = ints("pads", new long[4]);
        if (p.length != 4 || Arrays.stream(p).anyMatch(v -> v < 0)) {
            throw fail("has pads " + Arrays.toString(p) + "; four non-negative values are supported");
        }
        return new int[]{(int) p[0], (int) p[1], (int) p[2], (int) p[3]};
    }

    /** null for NOTSET (explicit pads), else VALID, SAME_UPPER or SAME_LOWER. */
    String autoPad() {
        String mode = string("auto_pad", "NOTSET");
        return switch (mode) {
            case "NOTSET", "" -> null;
            case "VALID", "SAME_UPPER", "SAME_LOWER" -> mode;
            default -> throw fail("has auto_pad " + mode + "; supported: NOTSET, VALID, SAME_UPPER, SAME_LOWER");
        };
    }
}
