package io.filterviz.engine.nd4j;

import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.lucid.LucidObjective;
import io.filterviz.model.NetworkWeights;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.List;

/**
 * Forward and input-gradient through VGG16 up to a target layer with libnd4j's own ops (conv2d, maxpool2d,
 * maxpool2d_bp, relu_bp), channels-first, float32. Two shortcuts, both exact:
 * <ul>
 *   <li>the target layer is computed for the one filter asked for (a 1-channel convolution), not all of them;</li>
 *   <li>a stride-1 'same' 3×3 convolution's input gradient is the forward convolution of the output gradient
 *       with the kernel rotated 180° and its in/out channels swapped, so the backward runs on the fast
 *       forward kernel and never computes weight gradients.</li>
 * </ul>
 */
public final class Nd4jFilterObjective implements FilterObjective, LucidObjective {
    private final List<Nd4jModel.Stage> stages;
    private final INDArray targetKernel;
    private final INDArray targetBias;
    private final int filters;

    private int cachedFilter = -1;
    private INDArray filterKernel;
    private INDArray filterBias;
    private INDArray filterKernelFlipped;

    Nd4jFilterObjective(Nd4jModel model, String target) {
        int index = model.indexOf(target);
        this.stages = model.stagesBefore(index);
        this.targetKernel = model.conv(index).kernel;
        this.targetBias = model.conv(index).bias;
        this.filters = (int) targetBias.length();
    }

    /** The objective for the weights' deepest layer. */
    public Nd4jFilterObjective(NetworkWeights weights) {
        this(new Nd4jModel(weights), weights.target());
    }

    @Override
    public int filters() { return filters; }

    /** ND4J does not name the kernels it picks (OpenBLAS and libnd4j choose per CPU). */
    @Override
    public String takeKernels() { return "nd4j-fp32"; }

    /**
     * Every intermediate of a step lives in this workspace and is reused by the next step: without it each step
     * leaves hundreds of MB of off-heap arrays for the garbage collector, and memory and system time explode.
     */
    private static final WorkspaceConfiguration STEP_WORKSPACE = WorkspaceConfiguration.builder()
            .initialSize(0)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .overallocationLimit(0.1)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();
    private final String workspaceId = "filterviz-step-" + System.identityHashCode(this);

    @Override
    public float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient) {
        return lossAndGradient(image, width, height, filter, gradient, ReluGradient.PLAIN);
    }

    @Override
    public float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient, ReluGradient relu) {
        selectFilter(filter);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP_WORKSPACE, workspaceId)) {
            return step(image, width, height, gradient, relu == ReluGradient.REDIRECTED);
        }
    }

    @Override
    public void close() {
        Nd4j.getWorkspaceManager().destroyWorkspace(Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(workspaceId));
    }

    private float step(float[] image, int width, int height, float[] gradient, boolean redirect) {
        INDArray x = Nd4j.create(image, new long[]{1, 3, height, width}, 'c');
        INDArray[] saved = new INDArray[stages.size()];
        for (int i = 0; i < stages.size(); i++) {
            saved[i] = x; // pool: its input; conv: replaced below by its (post-ReLU) output
            x = stages.get(i).forward(x);
            if (stages.get(i) instanceof Nd4jModel.ConvStage) saved[i] = x;
        }
        INDArray activation = Transforms.relu(Nd4jModel.conv(x, filterKernel, filterBias), false);
        float loss = activation.meanNumber().floatValue();

        // d mean / d activation = 1/(h·w) where the ReLU passed, 0 elsewhere; redirected, when it passed nowhere,
        // 1/(h·w) everywhere (the mean asks every unit for more).
        INDArray g = Transforms.sign(activation, false).divi(activation.length());
        if (redirect && loss == 0f && activation.amaxNumber().doubleValue() == 0) g.assign(1.0 / activation.length());
        g = Nd4jModel.conv(g, filterKernelFlipped, null);
        for (int i = stages.size() - 1; i >= 0; i--) g = stages.get(i).backward(saved[i], g, redirect);
        if (g.length() != gradient.length) throw new IllegalStateException("gradient size mismatch");
        g.data().asNioFloat().get(0, gradient, 0, gradient.length);
        return loss;
    }

    private void selectFilter(int filter) {
        if (filter == cachedFilter) return;
        if (filter < 0 || filter >= filters) {
            throw new IllegalArgumentException("filter " + filter + " not in [0, " + filters + ")");
        }
        filterKernel = targetKernel.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(filter, filter + 1)).dup('c');
        filterBias = targetBias.get(NDArrayIndex.interval(filter, filter + 1)).dup('c');
        filterKernelFlipped = Nd4jModel.flip(filterKernel);
        cachedFilter = filter;
    }
}
