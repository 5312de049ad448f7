#!/usr/bin/python3
"""Writes the Keras (.h5) test fixtures of issue 15 without TensorFlow: h5py (Debian's python3-h5py) writes the file
as Keras 2's `model.save('x.h5')` does (root attributes keras_version, backend, model_config; the weights under
model_weights/<layer>/<layer>/<name>:0 with each layer's weight_names), and PyTorch computes the reference values.

- keras_fashion_mnist.h5: the trained Fashion-MNIST CNN (fashion_mnist_cnn.onnx) as a Keras Sequential model,
  channels last, its weights copied from the ONNX file (kernels HWIO, the dense kernel's rows in Keras' H, W, C
  flatten order). The test holds it to fashion_mnist_cnn.json (PyTorch's values for the ONNX model).
- keras_zoo.h5 (+ keras_zoo.json, .image.f32, .<i>.grad.f32): a functional model with free height and width and the
  other supported layers (ZeroPadding2D, strided Conv2D 'same', BatchNormalization, ReLU(max_value), DepthwiseConv2D,
  Activation, Add, MaxPooling2D, dilated Conv2D, AveragePooling2D 'same', Concatenate, GlobalAveragePooling2D,
  Dropout, Dense with a softmax), random weights; reference values from the equivalent float64 PyTorch module.
- keras_unsupported.h5: Conv2D then UpSampling2D, a layer filterviz does not run.

Usage: /usr/bin/python3 scripts/make_keras_fixtures.py   (deterministic: byte-identical files on a rerun)
"""
import json
import os
import sys

import h5py
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_common  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'test', 'resources', 'models')
KERAS_VERSION = '2.11.0'
GLOROT = {'class_name': 'GlorotUniform', 'config': {'seed': None}}
ZEROS = {'class_name': 'Zeros', 'config': {}}
ONES = {'class_name': 'Ones', 'config': {}}


# ---- Keras layer configurations, as Keras 2.11's get_config() writes them ----

def input_layer(name, shape):
    return {'class_name': 'InputLayer', 'config': {'batch_input_shape': [None] + shape, 'dtype': 'float32',
                                                    'sparse': False, 'ragged': False, 'name': name}}


def conv2d(name, filters, kernel, strides=(1, 1), padding='valid', dilation=(1, 1), activation='linear', bias=True):
    return {'class_name': 'Conv2D', 'config': {
        'name': name, 'trainable': True, 'dtype': 'float32', 'filters': filters, 'kernel_size': list(kernel),
        'strides': list(strides), 'padding': padding, 'data_format': 'channels_last', 'dilation_rate': list(dilation),
        'groups': 1, 'activation': activation, 'use_bias': bias, 'kernel_initializer': GLOROT,
        'bias_initializer': ZEROS, 'kernel_regularizer': None, 'bias_regularizer': None,
        'activity_regularizer': None, 'kernel_constraint': None, 'bias_constraint': None}}


def depthwise2d(name, kernel, multiplier, padding='valid', activation='linear', bias=True):
    return {'class_name': 'DepthwiseConv2D', 'config': {
        'name': name, 'trainable': True, 'dtype': 'float32', 'kernel_size': list(kernel), 'strides': [1, 1],
        'padding': padding, 'data_format': 'channels_last', 'dilation_rate': [1, 1], 'groups': 1,
        'activation': activation, 'use_bias': bias, 'bias_initializer': ZEROS, 'bias_regularizer': None,
        'activity_regularizer': None, 'bias_constraint': None, 'depth_multiplier': multiplier,
        'depthwise_initializer': GLOROT, 'depthwise_regularizer': None, 'depthwise_constraint': None}}


def dense(name, units, activation='linear'):
    return {'class_name': 'Dense', 'config': {
        'name': name, 'trainable': True, 'dtype': 'float32', 'units': units, 'activation': activation,
        'use_bias': True, 'kernel_initializer': GLOROT, 'bias_initializer': ZEROS, 'kernel_regularizer': None,
        'bias_regularizer': None, 'activity_regularizer': None, 'kernel_constraint': None, 'bias_constraint': None}}


def batchnorm(name, epsilon=0.001):
    return {'class_name': 'BatchNormalization', 'config': {
        'name': name, 'trainable': True, 'dtype': 'float32', 'axis': [3], 'momentum': 0.99, 'epsilon': epsilon,
        'center': True, 'scale': True, 'beta_initializer': ZEROS, 'gamma_initializer': ONES,
        'moving_mean_initializer': ZEROS, 'moving_variance_initializer': ONES, 'beta_regularizer': None,
        'gamma_regularizer': None, 'beta_constraint': None, 'gamma_constraint': None}}


def pooling(kind, name, pool, strides=None, padding='valid'):
    return {'class_name': kind, 'config': {
        'name': name, 'trainable': True, 'dtype': 'float32', 'pool_size': list(pool),
        'padding': padding, 'strides': list(strides or pool), 'data_format': 'channels_last'}}


def simple(kind, name, **extra):
    return {'class_name': kind, 'config': {'name': name, 'trainable': True, 'dtype': 'float32', **extra}}


def functional(name, layers, inbound, inputs, outputs):
    """A functional model's config: each layer gets its inbound_nodes (Keras' [[[name, 0, 0, {}], ...]])."""
    for layer in layers:
        layer['name'] = layer['config']['name']
        sources = inbound.get(layer['name'], [])
        layer['inbound_nodes'] = [[[s, 0, 0, {}] for s in sources]] if sources else []
    return {'class_name': 'Functional', 'config': {
        'name': name, 'layers': layers, 'input_layers': [[i, 0, 0] for i in inputs],
        'output_layers': [[o, 0, 0] for o in outputs]}}


def write_h5(path, model_config, weights):
    """weights: layer name -> list of (weight name, array) in Keras' order; every layer gets a group."""
    layer_names = [layer['config']['name'] for layer in model_config['config']['layers']]
    with h5py.File(path, 'w') as f:
        f.attrs['backend'] = 'tensorflow'
        f.attrs['keras_version'] = KERAS_VERSION
        f.attrs['model_config'] = json.dumps(model_config)
        group = f.create_group('model_weights')
        group.attrs['backend'] = 'tensorflow'
        group.attrs['keras_version'] = KERAS_VERSION
        group.attrs['layer_names'] = np.array([n.encode('utf8') for n in layer_names])
        for name in layer_names:
            layer = group.create_group(name)
            entries = weights.get(name, [])
            layer.attrs['weight_names'] = np.array([f'{name}/{w}:0'.encode('utf8') for w, _ in entries])
            for w, array in entries:
                layer.create_dataset(f'{name}/{w}:0', data=np.ascontiguousarray(array, dtype=np.float32),
                                     track_times=False)
    print(f'{path}: {os.path.getsize(path)} bytes')


def keras_kernel(w):
    """PyTorch's OIHW conv weight -> Keras' HWIO kernel."""
    return w.transpose(2, 3, 1, 0)


# ---- the trained Fashion-MNIST CNN as a Keras Sequential model ----

def fashion_mnist():
    import train_fashion_mnist
    model = train_fashion_mnist.load_from_onnx(os.path.join(OUT_DIR, 'fashion_mnist_cnn.onnx'))
    p = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    layers = [
        input_layer('input_1', [28, 28, 1]),
        conv2d('conv1', 16, (3, 3), padding='same', activation='relu'),  # the activation inside the layer
        conv2d('conv2', 32, (3, 3), padding='same'),
        simple('Activation', 'relu2', activation='relu'),                 # an Activation layer
        pooling('MaxPooling2D', 'pool1', (2, 2)),
        conv2d('conv3', 64, (3, 3), padding='same'),
        simple('ReLU', 'relu3', max_value=None, negative_slope=0.0, threshold=0.0),  # a ReLU layer
        pooling('MaxPooling2D', 'pool2', (2, 2)),
        simple('Flatten', 'flatten', data_format='channels_last'),
        simple('Dropout', 'dropout', rate=0.25, noise_shape=None, seed=None),
        dense('logits', 10),
    ]
    # torch flattens C, H, W; Keras flattens H, W, C: the dense kernel's rows follow Keras' order
    fc = p['fc.weight'].reshape(10, 64, 7, 7).transpose(2, 3, 1, 0).reshape(7 * 7 * 64, 10)
    weights = {
        'conv1': [('kernel', keras_kernel(p['conv1.weight'])), ('bias', p['conv1.bias'])],
        'conv2': [('kernel', keras_kernel(p['conv2.weight'])), ('bias', p['conv2.bias'])],
        'conv3': [('kernel', keras_kernel(p['conv3.weight'])), ('bias', p['conv3.bias'])],
        'logits': [('kernel', fc), ('bias', p['fc.bias'])],
    }
    config = {'class_name': 'Sequential', 'config': {'name': 'fashion_mnist', 'layers': layers}}
    write_h5(os.path.join(OUT_DIR, 'keras_fashion_mnist.h5'), config, weights)


# ---- a functional model with the other layers, and PyTorch's values for it ----

def tf_same(x, kernel, stride, dilation=1):
    """TensorFlow's 'same' padding (the odd pixel at the bottom and right), as explicit zeros."""
    pads = []
    for size, k, s in zip(x.shape[2:], kernel, stride):
        out = -(-size // s)
        total = max(0, (out - 1) * s + (k - 1) * dilation + 1 - size)
        pads.append((total // 2, total - total // 2))
    return F.pad(x, (pads[1][0], pads[1][1], pads[0][0], pads[0][1]))


def zoo():
    g = torch.Generator().manual_seed(15)

    def randn(*shape, scale=1.0):
        return (torch.randn(*shape, generator=g, dtype=torch.float64) * scale).float().double()

    def conv_w(out, cin, kh, kw):
        return randn(out, cin, kh, kw, scale=(2.0 / (cin * kh * kw)) ** 0.5)

    def bn_params(c):
        return {'gamma': (torch.rand(c, generator=g, dtype=torch.float64) + 0.5).float().double(),
                'beta': randn(c, scale=0.2),
                'mean': randn(c, scale=0.3),
                'var': (torch.rand(c, generator=g, dtype=torch.float64) + 0.5).float().double()}

    t = {
        'conv_s2': conv_w(8, 3, 3, 3),
        'bn1': bn_params(8),
        'dw': randn(16, 1, 3, 3, scale=0.5), 'dw_b': randn(16, scale=0.1),
        'bn2': bn_params(16),
        'conv_a': conv_w(16, 16, 1, 1), 'conv_a_b': randn(16, scale=0.1),
        'branch1': conv_w(8, 16, 3, 3), 'branch1_b': randn(8, scale=0.1),
        'bn3': bn_params(24),
        'conv_last': conv_w(12, 24, 3, 1), 'conv_last_b': randn(12, scale=0.1),
        'logits': randn(10, 12, scale=0.3), 'logits_b': randn(10, scale=0.1),
    }
    eps = 0.001

    def bn(x, p):
        return F.batch_norm(x, p['mean'], p['var'], p['gamma'], p['beta'], False, 0.0, eps)

    def forward(x):
        """Every layer's output by its Keras name (NCHW, float64)."""
        v = {}
        v['zero_padding'] = F.pad(x, (0, 1, 1, 2))  # ((top 1, bottom 2), (left 0, right 1))
        v['conv_s2'] = F.conv2d(tf_same(v['zero_padding'], (3, 3), (2, 2)), t['conv_s2'], None, stride=2)
        v['bn1'] = bn(v['conv_s2'], t['bn1'])
        v['relu6'] = torch.clamp(v['bn1'], 0, 6)
        v['dw'] = F.conv2d(tf_same(v['relu6'], (3, 3), (1, 1)), t['dw'], t['dw_b'], groups=8)
        v['bn2'] = bn(v['dw'], t['bn2'])
        v['act_relu'] = torch.relu(v['bn2'])
        v['conv_a'] = torch.relu(F.conv2d(v['act_relu'], t['conv_a'], t['conv_a_b']))
        v['add'] = v['act_relu'] + v['conv_a']
        v['maxpool'] = F.max_pool2d(v['add'], 2, 2)
        v['branch1'] = torch.relu(F.conv2d(tf_same(v['maxpool'], (3, 3), (1, 1), 2), t['branch1'], t['branch1_b'],
                                           dilation=2))
        v['branch2'] = F.avg_pool2d(v['maxpool'], 3, 1, padding=1, count_include_pad=False)
        v['concat'] = torch.cat([v['branch1'], v['branch2']], 1)
        v['bn3'] = bn(v['concat'], t['bn3'])
        v['avgpool'] = F.avg_pool2d(v['bn3'], 2, 2)
        v['conv_last'] = F.conv2d(v['avgpool'], t['conv_last'], t['conv_last_b'], stride=(1, 2))
        v['sigmoid'] = torch.sigmoid(v['conv_last'])
        v['gap'] = v['sigmoid'].mean((2, 3))
        v['dropout'] = v['gap']
        v['logits'] = F.linear(v['dropout'], t['logits'], t['logits_b'])  # the softmax is left out
        return v

    layers = [
        input_layer('image', [None, None, 3]),
        simple('ZeroPadding2D', 'zero_padding', padding=[[1, 2], [0, 1]], data_format='channels_last'),
        conv2d('conv_s2', 8, (3, 3), strides=(2, 2), padding='same', bias=False),
        batchnorm('bn1', eps),
        simple('ReLU', 'relu6', max_value=6.0, negative_slope=0.0, threshold=0.0),
        depthwise2d('dw', (3, 3), 2, padding='same'),
        batchnorm('bn2', eps),
        simple('Activation', 'act_relu', activation='relu'),
        conv2d('conv_a', 16, (1, 1), activation='relu'),
        simple('Add', 'add'),
        pooling('MaxPooling2D', 'maxpool', (2, 2)),
        conv2d('branch1', 8, (3, 3), padding='same', dilation=(2, 2), activation='relu'),
        pooling('AveragePooling2D', 'branch2', (3, 3), strides=(1, 1), padding='same'),
        simple('Concatenate', 'concat', axis=-1),
        batchnorm('bn3', eps),
        pooling('AveragePooling2D', 'avgpool', (2, 2)),
        conv2d('conv_last', 12, (3, 1), strides=(1, 2)),
        simple('Activation', 'sigmoid', activation='sigmoid'),
        simple('GlobalAveragePooling2D', 'gap', data_format='channels_last', keepdims=False),
        simple('Dropout', 'dropout', rate=0.5, noise_shape=None, seed=None),
        dense('logits', 10, activation='softmax'),
    ]
    inbound = {'zero_padding': ['image'], 'conv_s2': ['zero_padding'], 'bn1': ['conv_s2'], 'relu6': ['bn1'],
               'dw': ['relu6'], 'bn2': ['dw'], 'act_relu': ['bn2'], 'conv_a': ['act_relu'],
               'add': ['act_relu', 'conv_a'], 'maxpool': ['add'], 'branch1': ['maxpool'], 'branch2': ['maxpool'],
               'concat': ['branch1', 'branch2'], 'bn3': ['concat'], 'avgpool': ['bn3'], 'conv_last': ['avgpool'],
               'sigmoid': ['conv_last'], 'gap': ['sigmoid'], 'dropout': ['gap'], 'logits': ['dropout']}
    config = functional('keras_zoo', layers, inbound, ['image'], ['logits'])

    def f32(x):
        return x.numpy().astype(np.float32)

    def bn_weights(p):
        return [('gamma', f32(p['gamma'])), ('beta', f32(p['beta'])), ('moving_mean', f32(p['mean'])),
                ('moving_variance', f32(p['var']))]

    # DepthwiseConv2D's kernel is H, W, in, multiplier; output channel c·multiplier + m is torch's group c, filter m
    dw = f32(t['dw']).reshape(8, 2, 3, 3).transpose(2, 3, 0, 1)
    weights = {
        'conv_s2': [('kernel', keras_kernel(f32(t['conv_s2'])))],
        'bn1': bn_weights(t['bn1']),
        'dw': [('depthwise_kernel', dw), ('bias', f32(t['dw_b']))],
        'bn2': bn_weights(t['bn2']),
        'conv_a': [('kernel', keras_kernel(f32(t['conv_a']))), ('bias', f32(t['conv_a_b']))],
        'branch1': [('kernel', keras_kernel(f32(t['branch1']))), ('bias', f32(t['branch1_b']))],
        'bn3': bn_weights(t['bn3']),
        'conv_last': [('kernel', keras_kernel(f32(t['conv_last']))), ('bias', f32(t['conv_last_b']))],
        'logits': [('kernel', f32(t['logits']).T), ('bias', f32(t['logits_b']))],
    }
    path = os.path.join(OUT_DIR, 'keras_zoo.h5')
    write_h5(path, config, weights)

    height, width = 37, 42  # odd and even: TF's 'same' puts the odd pixel at the bottom and right
    image = fixture_common.formula_image(3, height, width)
    image.numpy().astype('<f4').tofile(os.path.join(OUT_DIR, 'keras_zoo.image.f32'))
    cases = []
    for i, (layer, channel) in enumerate([('conv_s2', 3), ('bn1', 5), ('dw', 7), ('add', 2), ('branch2', 1),
                                          ('bn3', 20), ('conv_last', 4), ('logits', 6)]):
        pixels = image.clone().requires_grad_(True)
        target = forward(fixture_common.preprocess('tf', pixels))[layer]
        loss = fixture_common.objective(target, channel)
        grad, = torch.autograd.grad(loss, pixels)
        if grad.norm().item() == 0:
            raise RuntimeError(f'{layer}[{channel}]: zero gradient, pick another channel')
        grad_file = f'keras_zoo.{i}.grad.f32'
        grad.numpy().astype('<f4').tofile(os.path.join(OUT_DIR, grad_file))
        cases.append({'tensor': layer, 'channel': channel, 'tensor_shape': list(target.shape), 'loss': loss.item(),
                      'gradient': grad_file, 'gradient_l2': grad.norm().item()})
        print(f'  {layer}[{channel}] shape {list(target.shape)} loss {loss.item():.9g} |grad| {grad.norm().item():.6g}')
    doc = {
        'keras': 'keras_zoo.h5',
        'image': {'height': height, 'width': width, 'channels': 3, 'units': 'pixels 0..255',
                  'formula': fixture_common.IMAGE_FORMULA, 'file': 'keras_zoo.image.f32'},
        'preprocess': 'tf', 'preprocess_formula': 'x/127.5 - 1',
        'objective': 'mean over positions of one channel of a 4-D tensor; the unit value of a 2-D tensor',
        'gradient': 'd objective / d pixel image, float32 little-endian, NCHW with N=1',
        'reference': 'the same network written with torch.nn.functional in float64 (weights rounded to float32 as '
                     'stored), torch ' + torch.__version__ + '; logits without the softmax',
        'cases': cases,
    }
    with open(os.path.join(OUT_DIR, 'keras_zoo.json'), 'w') as f:
        json.dump(doc, f, indent=2)
        f.write('\n')


def unsupported():
    layers = [input_layer('input_1', [None, None, 3]), conv2d('conv', 4, (3, 3)),
              simple('UpSampling2D', 'upsample', size=[2, 2], data_format='channels_last', interpolation='nearest')]
    w = np.arange(3 * 3 * 3 * 4, dtype=np.float32).reshape(3, 3, 3, 4) / 100
    config = {'class_name': 'Sequential', 'config': {'name': 'unsupported', 'layers': layers}}
    write_h5(os.path.join(OUT_DIR, 'keras_unsupported.h5'), config,
             {'conv': [('kernel', w), ('bias', np.zeros(4, np.float32))]})


if __name__ == '__main__':
    fashion_mnist()
    zoo()
    unsupported()
