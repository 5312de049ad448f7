package io.filterviz.engine.nd4j;

import io.filterviz.engine.CompiledModel;
import io.filterviz.engine.FilterObjective;
import io.filterviz.model.ConvWeights;
import io.filterviz.model.LayerSpec;
import io.filterviz.model.NetworkWeights;
import io.filterviz.model.Vgg16;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.util.ArrayList;
import java.util.List;

/** The network's weights as ND4J arrays (kernels, their flipped twins, biases): read-only, shared by threads. */
public final class Nd4jModel implements CompiledModel {
    private static final int[] CONV_ARGS = {3, 3, 1, 1, 0, 0, 1, 1, 1, 0, 0}; // k, stride, pad, dilation, SAME, NCHW, HWIO
    private static final int[] POOL_ARGS = {2, 2, 2, 2, 0, 0, 1, 1, 0, 0, 0}; // k, stride, pad, dilation, VALID, -, NCHW

    static {
        NativeBuild.select(); // before the first ND4J call loads libnd4j
    }

    private final String deepest;
    private final List<LayerSpec> layers;
    /** One stage per layer up to the deepest, the deepest included: a shallower target runs a prefix of them. */
    private final List<Stage> stages = new ArrayList<>();

    public Nd4jModel(NetworkWeights weights) {
        deepest = weights.target();
        layers = weights.layers();
        for (LayerSpec layer : layers) stages.add(layer.isConv() ? new ConvStage(weights.conv(layer.name())) : POOL);
    }

    @Override
    public FilterObjective newObjective(String layer, int threads) {
        // OpenMP's thread count is per calling thread: this caps oneDNN and libnd4j's OpenMP loops for this task only.
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        return new Nd4jFilterObjective(this, layer);
    }

    @Override
    public String deepest() { return deepest; }

    /** Where {@code target}, the layer whose one filter an objective computes, sits among the stages. */
    int indexOf(String target) {
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).name().equals(target) && layers.get(i).isConv()) return i;
        }
        throw new IllegalArgumentException(target + " is not a convolution of this model (up to " + deepest + ")");
    }

    /** The stages that run before the target at {@code index}. */
    List<Stage> stagesBefore(int index) { return stages.subList(0, index); }

    ConvStage conv(int index) { return (ConvStage) stages.get(index); }

    static INDArray conv(INDArray x, INDArray kernel, INDArray bias) {
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d").addIntegerArguments(CONV_ARGS);
        op = bias == null ? op.addInputs(x, kernel) : op.addInputs(x, kernel, bias);
        return Nd4j.exec(op.build())[0];
    }

    static INDArray kernel(ConvWeights w) {
        return Nd4j.create(w.kernel(), new long[]{Vgg16.KERNEL, Vgg16.KERNEL, w.inChannels(), w.outChannels()}, 'c');
    }

    /** [kh][kw][in][out] → [2−kh][2−kw][out][in]: the kernel of the input-gradient convolution. */
    static INDArray flip(INDArray hwio) {
        long[] s = hwio.shape();
        int k = (int) s[0], in = (int) s[2], out = (int) s[3];
        float[] src = hwio.dup('c').data().asFloat();
        float[] dst = new float[src.length];
        for (int ky = 0; ky < k; ky++) {
            for (int kx = 0; kx < k; kx++) {
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) {
                        dst[(((k - 1 - ky) * k + (k - 1 - kx)) * out + o) * in + i] = src[((ky * k + kx) * in + i) * out + o];
                    }
                }
            }
        }
        return Nd4j.create(dst, new long[]{k, k, out, in}, 'c');
    }

    /**
     * A conv + ReLU stage or a 2×2 max-pool; the backward takes what the forward saved and, with {@code redirectRelu},
     * gives a ReLU Lucid's redirected gradient ({@link io.filterviz.engine.lucid.RedirectedRelu}).
     */
    interface Stage {
        INDArray forward(INDArray x);

        INDArray backward(INDArray saved, INDArray gradOut, boolean redirectRelu);
    }

    /**
     * A ReLU's input gradient from its output and incoming gradient (one image): the plain one, or with
     * {@code redirect} and nothing let through anywhere, the redirected one. Then every unit with a positive output
     * had a zero incoming gradient, so the redirected gradient is the incoming one where it is positive.
     */
    static INDArray reluBackward(INDArray activation, INDArray gradOut, boolean redirect) {
        INDArray masked = Nd4j.exec(DynamicCustomOp.builder("relu_bp").addInputs(activation, gradOut)
                .addFloatingPointArguments(0.0).build())[0];
        if (redirect && masked.amaxNumber().doubleValue() == 0) return Transforms.relu(gradOut, true);
        return masked;
    }

    static final Stage POOL = new Stage() {
        @Override public INDArray forward(INDArray x) {
            return Nd4j.exec(DynamicCustomOp.builder("maxpool2d").addInputs(x).addIntegerArguments(POOL_ARGS).build())[0];
        }

        @Override public INDArray backward(INDArray input, INDArray gradOut, boolean redirectRelu) {
            return Nd4j.exec(DynamicCustomOp.builder("maxpool2d_bp").addInputs(input, gradOut)
                    .addIntegerArguments(POOL_ARGS).build())[0];
        }
    };

    /** A 3×3 'same' convolution + ReLU; as a target layer, its kernel and bias give the one-filter convolution. */
    static final class ConvStage implements Stage {
        final INDArray kernel;
        final INDArray bias;
        private final INDArray flipped;

        ConvStage(ConvWeights w) {
            kernel = kernel(w);
            flipped = flip(kernel);
            bias = Nd4j.create(w.bias(), new long[]{w.outChannels()}, DataType.FLOAT);
        }

        @Override public INDArray forward(INDArray x) {
            return Transforms.relu(Nd4jModel.conv(x, kernel, bias), false);
        }

        @Override public INDArray backward(INDArray activation, INDArray gradOut, boolean redirectRelu) {
            return Nd4jModel.conv(reluBackward(activation, gradOut, redirectRelu), flipped, null);
        }
    }
}
