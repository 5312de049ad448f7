package io.filterviz.engine.nd4j;

import io.filterviz.engine.GradientPath;
import io.filterviz.model.ConvWeights;
import io.filterviz.model.LayerSpec;
import io.filterviz.model.NetworkWeights;
import io.filterviz.model.Vgg16;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.List;

/**
 * Forward and input-gradient through VGG16 up to the target layer with libnd4j's own ops (conv2d, maxpool2d,
 * maxpool2d_bp, relu_bp), channels-first, float32. Two shortcuts, both exact:
 * <ul>
 *   <li>the target layer is computed for the one filter asked for (a 1-channel convolution), not all of them;</li>
 *   <li>a stride-1 'same' 3×3 convolution's input gradient is the forward convolution of the output gradient
 *       with the kernel rotated 180° and its in/out channels swapped, so the backward runs on the fast
 *       forward kernel and never computes weight gradients.</li>
 * </ul>
 */
public final class Nd4jGradientPath implements GradientPath {
    private static final int[] CONV_ARGS = {3, 3, 1, 1, 0, 0, 1, 1, 1, 0, 0}; // k, stride, pad, dilation, SAME, NCHW, HWIO
    private static final int[] POOL_ARGS = {2, 2, 2, 2, 0, 0, 1, 1, 0, 0, 0}; // k, stride, pad, dilation, VALID, -, NCHW

    private final List<Stage> stages = new ArrayList<>();
    private final INDArray targetKernel;
    private final INDArray targetBias;
    private final int filters;

    private int cachedFilter = -1;
    private INDArray filterKernel;
    private INDArray filterBias;
    private INDArray filterKernelFlipped;

    public Nd4jGradientPath(NetworkWeights weights) {
        List<LayerSpec> layers = weights.layers();
        for (LayerSpec layer : layers.subList(0, layers.size() - 1)) {
            stages.add(layer.isConv() ? Stage.conv(weights.conv(layer.name())) : Stage.POOL);
        }
        ConvWeights target = weights.conv(weights.target());
        targetKernel = kernel(target);
        targetBias = Nd4j.create(target.bias(), new long[]{target.outChannels()}, DataType.FLOAT);
        filters = target.outChannels();
    }

    @Override
    public int filters() { return filters; }

    @Override
    public float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient) {
        selectFilter(filter);
        INDArray x = Nd4j.create(image, new long[]{1, 3, height, width}, 'c');
        INDArray[] saved = new INDArray[stages.size()];
        for (int i = 0; i < stages.size(); i++) {
            saved[i] = x; // pool: its input; conv: replaced below by its (post-ReLU) output
            x = stages.get(i).forward(x);
            if (stages.get(i) != Stage.POOL) saved[i] = x;
        }
        INDArray activation = Transforms.relu(conv(x, filterKernel, filterBias), false);
        float loss = activation.meanNumber().floatValue();

        // d mean / d activation = 1/(h·w) where the ReLU passed, 0 elsewhere.
        INDArray g = Transforms.sign(activation, false).divi(activation.length());
        g = conv(g, filterKernelFlipped, null);
        for (int i = stages.size() - 1; i >= 0; i--) g = stages.get(i).backward(saved[i], g);
        g.data().asNioFloat().get(0, gradient, 0, gradient.length);
        if (g.length() != gradient.length) throw new IllegalStateException("gradient size mismatch");
        return loss;
    }

    private void selectFilter(int filter) {
        if (filter == cachedFilter) return;
        if (filter < 0 || filter >= filters) throw new IllegalArgumentException("filter " + filter + " not in [0, " + filters + ")");
        filterKernel = targetKernel.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(filter, filter + 1)).dup('c');
        filterBias = targetBias.get(NDArrayIndex.interval(filter, filter + 1)).dup('c');
        filterKernelFlipped = flip(filterKernel);
        cachedFilter = filter;
    }

    static INDArray conv(INDArray x, INDArray kernel, INDArray bias) {
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d")
                .addIntegerArguments(CONV_ARGS);
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

    /** A conv + ReLU stage or a 2×2 max-pool; the backward takes what the forward saved. */
    private interface Stage {
        INDArray forward(INDArray x);

        INDArray backward(INDArray saved, INDArray gradOut);

        Stage POOL = new Stage() {
            @Override public INDArray forward(INDArray x) {
                return Nd4j.exec(DynamicCustomOp.builder("maxpool2d").addInputs(x)
                        .addIntegerArguments(POOL_ARGS).build())[0];
            }

            @Override public INDArray backward(INDArray input, INDArray gradOut) {
                return Nd4j.exec(DynamicCustomOp.builder("maxpool2d_bp").addInputs(input, gradOut)
                        .addIntegerArguments(POOL_ARGS).build())[0];
            }
        };

        static Stage conv(ConvWeights w) {
            INDArray kernel = kernel(w);
            INDArray flipped = flip(kernel);
            INDArray bias = Nd4j.create(w.bias(), new long[]{w.outChannels()}, DataType.FLOAT);
            return new Stage() {
                @Override public INDArray forward(INDArray x) {
                    return Transforms.relu(Nd4jGradientPath.conv(x, kernel, bias), false);
                }

                @Override public INDArray backward(INDArray activation, INDArray gradOut) {
                    INDArray masked = Nd4j.exec(DynamicCustomOp.builder("relu_bp").addInputs(activation, gradOut)
                            .addFloatingPointArguments(0.0).build())[0];
                    return Nd4jGradientPath.conv(masked, flipped, null);
                }
            };
        }
    }
}
