package io.filterviz.engine.lucid;

/**
 * Adam as in Kingma and Ba's Algorithm 1 (bias-corrected moments, ε added to the corrected second moment's root),
 * here climbing: {@code θ += α · m̂ / (sqrt(v̂) + ε)} with g = d objective / d θ. This is also PyTorch's {@code Adam}.
 */
public final class Adam {
    public static final double DEFAULT_LEARNING_RATE = 0.05;
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPSILON = 1e-8;

    private final double learningRate;
    private final double[] firstMoment;
    private final double[] secondMoment;
    private int steps;

    public Adam(int parameters, double learningRate) {
        this.learningRate = learningRate;
        this.firstMoment = new double[parameters];
        this.secondMoment = new double[parameters];
    }

    /** One step up the gradient, in place. */
    public void ascend(double[] parameters, double[] gradient) {
        steps++;
        double firstCorrection = 1 - Math.pow(BETA1, steps);
        double secondCorrection = 1 - Math.pow(BETA2, steps);
        for (int i = 0; i < parameters.length; i++) {
            double g = gradient[i];
            double m = BETA1 * firstMoment[i] + (1 - BETA1) * g;
            double v = BETA2 * secondMoment[i] + (1 - BETA2) * g * g;
            firstMoment[i] = m;
            secondMoment[i] = v;
            parameters[i] += learningRate * (m / firstCorrection) / (Math.sqrt(v / secondCorrection) + EPSILON);
        }
    }
}
