package io.filterviz.model.onnx;

import onnx.Onnx.AttributeProto;

import java.util.List;

/** Constant: its value, from whichever attribute holds it, becomes a constant of the translation. */
final class ConstantTranslator implements OnnxTranslator {
    @Override
    public List<String> opTypes() { return List.of("Constant"); }

    @Override
    public void translate(OnnxNode n, Translation t) {
        n.allowOnly("value", "value_float", "value_floats", "value_int", "value_ints");
        AttributeProto a = n.attributes().get(0);
        Constant c = switch (a.getName()) {
            case "value" -> Constant.of(a.getT(), "its value", t.external());
            case "value_float" -> Constant.ofFloats(new long[0], a.getF());
            case "value_floats" -> Constant.ofFloats(new long[]{a.getFloatsCount()}, toFloats(a.getFloatsList()));
            case "value_int" -> Constant.ofLongs(new long[0], Constant.fromFile(a.getI()));
            default -> Constant.ofLongs(new long[]{a.getIntsCount()},
                    a.getIntsList().stream().mapToLong(Constant::fromFile).toArray());
        };
        t.putConstant(n.output(0), c);
    }

    private static float[] toFloats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i);
        return out;
    }
}
