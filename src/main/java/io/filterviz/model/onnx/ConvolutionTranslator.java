package io.filterviz.model.onnx;

import io.filterviz.model.graph.Conv;
import io.filterviz.model.rewrite.BatchNormStatistics;
import io.filterviz.model.rewrite.GraphRewrites;

import java.util.Arrays;
import java.util.List;

/**
 * Conv (2-D), and BatchNormalization: folded into the convolution before it when nothing else reads that
 * convolution's output, else a per-channel affine.
 */
final class ConvolutionTranslator implements OnnxTranslator {
    @Override
    public List<String> opTypes() { return List.of("Conv", "BatchNormalization"); }

    @Override
    public void translate(OnnxNode n, Translation t) {
        if (n.opType().equals("Conv")) conv(n, t);
        else batchNormalization(n, t);
    }

    private static void conv(OnnxNode n, Translation t) {
        n.allowOnly("kernel_shape", "strides", "pads", "dilations", "group", "auto_pad");
        String x = t.runtime(n, 0);
        TensorInfo in = t.info(x);
        if (!in.image()) throw n.fail("takes a " + (in.vector() ? "vector" : "rank-" + in.rank() + " tensor") + "; a convolution needs an image");
        Constant w = t.constantInput(n, 1, "weights");
        if (w.rank() != 4) throw n.fail("has " + w.rank() + "-D weights; only 2-D convolutions (4-D weights) are supported");
        int group = (int) n.integer("group", 1);
        int out = (int) w.dims()[0], inPerGroup = (int) w.dims()[1], kh = (int) w.dims()[2], kw = (int) w.dims()[3];
        long[] kernel = n.ints("kernel_shape", new long[]{kh, kw});
        if (kernel.length != 2 || kernel[0] != kh || kernel[1] != kw) {
            throw n.fail("has kernel_shape " + Arrays.toString(kernel) + " but weights " + Arrays.toString(w.dims()));
        }
        long[] strides = n.pair("strides");
        long[] dilations = n.pair("dilations");
        int[] pads = n.pads();
        String same = n.autoPad();
        if (same != null && same.equals("VALID")) {
            pads = new int[4];
            same = null;
        }
        if (in.channels() >= 0 && in.channels() != inPerGroup * group) {
            throw n.fail("expects " + inPerGroup * group + " input channels (weights " + Arrays.toString(w.dims()) + ", group "
                    + group + "), its input " + x + " has " + in.channels());
        }
        if (group < 1 || out % group != 0) throw n.fail("has group " + group + ", which does not divide its " + out + " outputs");
        float[] bias = n.inputCount() > 2 && !n.input(2).isEmpty() ? t.constantInput(n, 2, "bias").floats().clone() : new float[out];
        if (bias.length != out) throw n.fail("has " + bias.length + " biases for " + out + " output channels");
        Conv conv = new Conv(out, inPerGroup * group, kh, kw, (int) strides[0], (int) strides[1], pads, same,
                (int) dilations[0], (int) dilations[1], group, t.weights() ? w.floats() : Conv.NO_WEIGHTS, bias);
        boolean pointwise = kh == 1 && kw == 1 && Arrays.equals(pads, new int[4]);
        t.emit(n, conv, List.of(x), new TensorInfo(4, out, in.global() && pointwise));
    }

    private static void batchNormalization(OnnxNode n, Translation t) {
        n.allowOnly("epsilon", "momentum", "spatial", "training_mode", "is_test", "consumed_inputs");
        if (n.integer("spatial", 1) != 1) throw n.fail("has spatial=0; only spatial batch normalisation is supported");
        if (n.integer("training_mode", 0) != 0) throw n.fail("runs in training mode; only inference is supported");
        t.unusedExtraOutputs(n);
        String x = t.runtime(n, 0);
        float[] gamma = t.constantInput(n, 1, "scale").floats(), beta = t.constantInput(n, 2, "bias").floats();
        float[] mean = t.constantInput(n, 3, "mean").floats(), variance = t.constantInput(n, 4, "variance").floats();
        int channels = gamma.length;
        if (beta.length != channels || mean.length != channels || variance.length != channels) {
            throw n.fail("has scale, bias, mean and variance of different lengths");
        }
        TensorInfo in = t.info(x);
        if (in.channels() >= 0 && in.channels() != channels) {
            throw n.fail("normalises " + channels + " channels, its input " + x + " has " + in.channels());
        }
        BatchNormStatistics bn = new BatchNormStatistics(gamma, beta, mean, variance, n.real("epsilon", 1e-5f));
        GraphRewrites.batchNormalization(t.graph(), n.name(), x, bn, n.output(0), t.readOnce(x));
        t.setInfo(n.output(0), in);
    }
}
