package io.filterviz.testing;

import io.filterviz.engine.FilterObjective;
import io.filterviz.model.ConvWeights;
import io.filterviz.model.LayerSpec;
import io.filterviz.model.NetworkWeights;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;


/**
 * The reference compute path: DL4J's own MultiLayerNetwork (ConvolutionLayer + SubsamplingLayer, double
 * precision) and its own backprop for the input gradient. Slow, plain, independent of our libnd4j op calls.
 */
public final class Dl4jReferenceObjective implements FilterObjective {
    private final NetworkWeights weights;
    private MultiLayerNetwork net;
    private int builtWidth = -1, builtHeight = -1;

    public Dl4jReferenceObjective(NetworkWeights weights) {
        this.weights = weights;
    }

    @Override
    public int filters() { return weights.targetLayer().outChannels(); }

    @Override
    public float lossAndGradient(float[] image, int width, int height, int filter, float[] gradient) {
        if (width != builtWidth || height != builtHeight) build(width, height);
        INDArray input = Nd4j.create(image, new long[]{1, 3, height, width}, 'c').castTo(DataType.DOUBLE);
        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        INDArray out = input;
        for (Layer layer : net.getLayers()) { // each layer keeps its input for its own backprop
            layer.setInput(out, noWorkspaces);
            out = layer.activate(true, noWorkspaces); // ConvolutionLayer's output is after its ReLU
        }
        INDArray channel = out.get(NDArrayIndex.point(0), NDArrayIndex.point(filter));
        double loss = channel.meanNumber().doubleValue();
        INDArray epsilon = Nd4j.zeros(DataType.DOUBLE, out.shape());
        epsilon.get(NDArrayIndex.point(0), NDArrayIndex.point(filter)).assign(1.0 / channel.length());
        INDArray inputGradient = epsilon;
        Layer[] layers = net.getLayers();
        for (int i = layers.length - 1; i >= 0; i--) {
            inputGradient = layers[i].backpropGradient(inputGradient, noWorkspaces).getSecond();
        }
        float[] values = inputGradient.castTo(DataType.FLOAT).dup('c').data().asFloat();
        System.arraycopy(values, 0, gradient, 0, gradient.length);
        return (float) loss;
    }

    private void build(int width, int height) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).convolutionMode(ConvolutionMode.Same).list();
        for (LayerSpec layer : weights.layers()) {
            if (layer.isConv()) {
                list.layer(new ConvolutionLayer.Builder(3, 3).stride(1, 1).nIn(layer.inChannels())
                        .nOut(layer.outChannels()).activation(Activation.RELU).build());
            } else {
                list.layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).convolutionMode(ConvolutionMode.Truncate).build());
            }
        }
        net = new MultiLayerNetwork(list.setInputType(InputType.convolutional(height, width, 3)).build());
        net.init();
        net.initGradientsView(); // layers write weight gradients into views of one flat array
        for (int i = 0; i < weights.layers().size(); i++) {
            LayerSpec layer = weights.layers().get(i);
            if (!layer.isConv()) continue;
            ConvWeights w = weights.conv(layer.name());
            // Keras H×W×in×out → DL4J out×in×H×W
            INDArray hwio = Nd4j.create(w.kernel(), new long[]{3, 3, w.inChannels(), w.outChannels()}, 'c');
            net.getLayer(i).setParam("W", hwio.permute(3, 2, 0, 1).castTo(DataType.DOUBLE).dup('c'));
            net.getLayer(i).setParam("b", Nd4j.create(w.bias(), new long[]{1, w.outChannels()}, 'c').castTo(DataType.DOUBLE));
        }
        builtWidth = width;
        builtHeight = height;
    }
}
