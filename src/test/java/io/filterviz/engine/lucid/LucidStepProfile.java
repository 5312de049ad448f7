package io.filterviz.engine.lucid;

import io.filterviz.engine.CompiledModel;
import io.filterviz.engine.FilterObjective;
import io.filterviz.engine.Precision;
import io.filterviz.engine.StartImage;
import io.filterviz.engine.onednn.OnednnBackend;
import io.filterviz.model.KerasVgg;
import io.filterviz.model.Preprocessing;
import io.filterviz.model.RandomWeights;
import io.filterviz.model.graph.Graph;
import io.filterviz.model.onnx.OnnxLoader;

import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A measurement tool, not a test: LucidRenderer's loop with a timer around each part, on VGG16 (random weights) to
 * block5_conv1 or on the Fashion-MNIST fixture. Run with the test class path:
 * {@code java -cp target/test-classes:target/classes:$(cat target/classpath.txt) io.filterviz.engine.lucid.LucidStepProfile vgg16|fmnist [steps] [filters] [fp32|bf16]}
 */
public final class LucidStepProfile {
    public static void main(String[] args) {
        String which = args.length > 0 ? args[0] : "vgg16";
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int filters = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Precision precision = Precision.parse(args.length > 3 ? args[3] : "fp32");
        Graph graph;
        String layer;
        int size, channels;
        if (which.equals("vgg16")) {
            graph = Preprocessing.CAFFE.prepend(KerasVgg.graph("vgg16", RandomWeights.create("block5_conv1", 1)));
            layer = "block5_conv1";
            size = 128;
            channels = 3;
        } else {
            graph = Preprocessing.UNIT.prepend(OnnxLoader.load(Path.of("src/test/resources/models/fashion_mnist_cnn.onnx")));
            layer = "/relu2/Relu_output_0";
            size = 28;
            channels = 1;
        }
        CompiledModel model = new OnednnBackend(precision).compile(graph);
        try (FilterObjective path = model.newObjective(layer, Integer.getInteger("threads", 2))) {
            LucidObjective objective = LucidObjective.of(path);
            if (args.length > 4 && args[4].equals("ab")) {
                redirectedAgainstPlain(objective, channels, size + 12, filters);
                return;
            }
            LucidSettings d = LucidSettings.defaults();
            LucidSettings settings = new LucidSettings(d.learningRate(), steps, d.initSd(), d.fftDecay(), d.transforms(),
                    size, size, channels, d.seed(), d.redirectedReluSteps());
            for (int f = 0; f < filters; f++) profile(objective, settings, layer, f);
        }
    }

    private static void profile(LucidObjective objective, LucidSettings settings, String layer, int filter) {
        int width = settings.outputWidth(), height = settings.outputHeight(), channels = settings.channels();
        long filterSeed = StartImage.mix(settings.seed(), layer, filter);
        FourierImage fourier = FourierImage.create(channels, width, height, settings.initSd(), settings.fftDecay(),
                new SplittableRandom(filterSeed));
        double[] parameters = fourier.parameters();
        double[] parameterGradient = new double[parameters.length];
        Adam adam = new Adam(parameters.length, settings.learningRate());
        double[] image = new double[channels * height * width];
        TransformChain.Workspace workspace = new TransformChain.Workspace();
        long tRender = 0, tDraw = 0, tApply = 0, tCopy = 0, tPlain = 0, tRedirected = 0, tAdjoint = 0, tBackward = 0, tAdam = 0;
        long start = System.nanoTime();
        float[] input = new float[0], gradient = new float[0];
        double[] seenGradient = new double[0];
        for (int step = 0; step < settings.steps(); step++) {
            long t0 = System.nanoTime();
            fourier.render(image);
            long t1 = System.nanoTime();
            TransformChain chain = StandardTransforms.draw(new SplittableRandom(StartImage.mix(filterSeed, "transforms", step)), height, width);
            long t2 = System.nanoTime();
            double[] seen = chain.apply(image, channels, workspace);
            long t3 = System.nanoTime();
            int length = channels * chain.outHeight() * chain.outWidth();
            if (input.length != length) { input = new float[length]; gradient = new float[length]; }
            for (int i = 0; i < length; i++) input[i] = (float) (seen[i] * 255);
            long t4 = System.nanoTime();
            boolean redirected = step < settings.redirectedReluSteps();
            objective.lossAndGradient(input, chain.outWidth(), chain.outHeight(), filter, gradient,
                    redirected ? LucidObjective.ReluGradient.REDIRECTED : LucidObjective.ReluGradient.PLAIN);
            long t5 = System.nanoTime();
            if (seenGradient.length < length) seenGradient = new double[length];
            for (int i = 0; i < length; i++) seenGradient[i] = gradient[i] * 255;
            long t6 = System.nanoTime();
            double[] back = chain.adjoint(seenGradient, channels, workspace);
            long t7 = System.nanoTime();
            fourier.backward(back, parameterGradient);
            long t8 = System.nanoTime();
            adam.ascend(parameters, parameterGradient);
            long t9 = System.nanoTime();
            tRender += t1 - t0; tDraw += t2 - t1; tApply += t3 - t2; tCopy += (t4 - t3) + (t6 - t5);
            if (redirected) tRedirected += t5 - t4; else tPlain += t5 - t4;
            tAdjoint += t7 - t6; tBackward += t8 - t7; tAdam += t9 - t8;
        }
        double total = (System.nanoTime() - start) / 1e9;
        int red = Math.min(settings.steps(), settings.redirectedReluSteps());
        System.out.printf(Locale.ROOT, "profile: filter=%d steps=%d total_s=%.2f | ms/step: render=%.2f draw=%.3f apply=%.2f "
                        + "copies=%.2f plain_net=%.2f redirected_net=%.2f (%d steps, %.2f s) adjoint=%.2f backward=%.2f adam=%.2f%n",
                filter, settings.steps(), total, ms(tRender, settings.steps()), ms(tDraw, settings.steps()),
                ms(tApply, settings.steps()), ms(tCopy, settings.steps()), ms(tPlain, settings.steps() - red),
                ms(tRedirected, red), red, tRedirected / 1e9, ms(tAdjoint, settings.steps()),
                ms(tBackward, settings.steps()), ms(tAdam, settings.steps()));
    }

    /** Alternates plain and redirected calls at one size (chains built first): the median ms of each. */
    private static void redirectedAgainstPlain(LucidObjective objective, int channels, int size, int rounds) {
        float[] image = new float[channels * size * size], gradient = new float[image.length];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < image.length; i++) image[i] = (float) (random.nextDouble() * 255);
        LucidObjective.ReluGradient[] kinds = LucidObjective.ReluGradient.values();
        double[] first = new double[2];
        for (LucidObjective.ReluGradient kind : kinds) {
            long t = System.nanoTime();
            objective.lossAndGradient(image, size, size, 0, gradient, kind);
            first[kind.ordinal()] = (System.nanoTime() - t) / 1e6;
        }
        System.out.printf(Locale.ROOT, "ab: first calls (chain built) ms plain=%.1f redirected=%.1f%n", first[0], first[1]);
        double[][] ms = new double[2][rounds];
        for (int r = 0; r < rounds; r++) {
            for (LucidObjective.ReluGradient kind : kinds) {
                long t = System.nanoTime();
                objective.lossAndGradient(image, size, size, 0, gradient, kind);
                ms[kind.ordinal()][r] = (System.nanoTime() - t) / 1e6;
            }
        }
        for (double[] m : ms) java.util.Arrays.sort(m);
        System.out.printf(Locale.ROOT, "ab: size=%d rounds=%d median_ms plain=%.1f redirected=%.1f ratio=%.2f%n", size, rounds,
                ms[0][rounds / 2], ms[1][rounds / 2], ms[1][rounds / 2] / ms[0][rounds / 2]);
    }

    private static double ms(long nanos, int steps) { return steps == 0 ? 0 : nanos / 1e6 / steps; }
}
