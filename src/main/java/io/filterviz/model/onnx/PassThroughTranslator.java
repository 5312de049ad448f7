package io.filterviz.model.onnx;

import java.util.List;

/** Identity, and Dropout at inference: the output names the input; no node computes it. */
final class PassThroughTranslator implements OnnxTranslator {
    @Override
    public List<String> opTypes() { return List.of("Identity", "Dropout"); }

    @Override
    public void translate(OnnxNode n, Translation t) {
        if (n.opType().equals("Identity")) {
            String in = n.input(0);
            if (t.isConstant(in)) t.putConstant(n.output(0), t.constant(in));
            else t.alias(n.output(0), t.runtime(n, 0));
            return;
        }
        n.allowOnly("ratio", "seed", "is_test");
        if (n.inputCount() > 2 && !n.input(2).isEmpty()) {
            Constant training = t.constantInput(n, 2, "training_mode");
            boolean noDrop = n.inputCount() > 1 && !n.input(1).isEmpty() && t.isConstant(n.input(1))
                    && t.constant(n.input(1)).floats()[0] == 0f;
            // torchvision's Swin calls F.dropout in training mode with ratio 0: nothing is dropped
            if (training.longs()[0] != 0 && !noDrop) throw n.fail("runs in training mode; only inference (training_mode false) is supported");
        }
        t.unusedExtraOutputs(n);
        t.alias(n.output(0), t.runtime(n, 0));
    }
}
