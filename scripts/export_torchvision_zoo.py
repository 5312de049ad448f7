#!/usr/bin/python3
"""Exports torchvision's 20 classification families (and Swin V2 beside Swin) at full size, random init, to ONNX, for trying the Java reader
on real-size networks (issue 27). Nothing here is committed: the files are hundreds of MB.

Usage: nice -n 10 /usr/bin/python3 scripts/export_torchvision_zoo.py OUT_DIR [name ...]

Writes OUT_DIR/<name>.onnx as torch.onnx.export writes it (input 'input' 1x3xHxW, output 'logits', 1000 classes,
torch.manual_seed(0) then the builder's own init, eval mode), and OUT_DIR/zoo.json: per family the file, opset,
whether the size is fixed, the input size to use, the file size, the op counts, and one 'middle layer' a user would
render (a middle stage's output for a CNN, a middle block's MLP hidden units after GELU for a transformer) with its
ONNX tensor name, shape at the input size and unit axis (as in the fixtures: 1 for NCHW, the last axis for tokens
and channels-last planes). CNNs get a free height and width (dynamic_axes) at opset 13; AlexNet and VGG (their
AdaptiveAvgPool2d to 6x7 / 7x7) and the transformers are exported at their fixed size; transformers and ConvNeXt
at opset 17 (LayerNormalization). A family that fails to export is recorded with the error, and the rest go on.
"""
import argparse
import gc
import json
import os
import sys
import time
import traceback

import onnx
import torch
import torchvision
import torchvision.models as M

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_torch_eval  # noqa: E402

# name -> (opset, fixed size, input height = width, middle module path, unit axis of its output)
FAMILIES = {
    'alexnet': (13, True, 224, 'features.7', 1),  # conv4's ReLU (13x13)
    'vgg11_bn': (13, True, 224, 'features.13', 1),  # block 3's last ReLU (56x56)
    'resnet18': (13, False, 224, 'layer3', 1),
    'resnext50_32x4d': (13, False, 224, 'layer3', 1),
    'wide_resnet50_2': (13, False, 224, 'layer3', 1),
    'densenet121': (13, False, 224, 'features.denseblock3', 1),
    'googlenet': (13, False, 224, 'inception4c', 1),
    'inception_v3': (13, False, 299, 'Mixed_6c', 1),
    'squeezenet1_1': (13, False, 224, 'features.7', 1),  # fire5
    'mobilenet_v2': (13, False, 224, 'features.10', 1),  # end of the 64-channel stage
    'mobilenet_v3_small': (13, False, 224, 'features.8', 1),  # end of the 48-channel stage
    'mnasnet0_5': (13, False, 224, 'layers.10', 1),  # the 80-channel stack
    'efficientnet_b0': (13, False, 224, 'features.4', 1),
    'efficientnet_v2_s': (13, False, 384, 'features.4', 1),
    'regnet_y_400mf': (13, False, 224, 'trunk_output.block3', 1),
    'shufflenet_v2_x0_5': (13, False, 224, 'stage3', 1),
    'convnext_tiny': (17, False, 224, 'features.5', 1),  # the 9-block 384-channel stage (NCHW)
    'swin_t': (17, True, 224, 'features.5.3.mlp.1', 3),  # stage 3, block 4 of 6: N x 14 x 14 x 1536
    'maxvit_t': (17, True, 224, 'blocks.2.layers.2.layers.grid_attention.mlp_layer.2', 3),  # N x P x T x C
    'vit_b_16': (17, True, 224, 'encoder.layers.encoder_layer_5.mlp.1', 2),  # N x 197 x 3072
    # Swin V2 (the Swin family's second version, at its own 256 px): torch 1.13's exporter has no aten::zero
    'swin_v2_t': (17, True, 256, 'features.5.3.mlp.1', 3),
}


def build(name):
    torch.manual_seed(0)
    kwargs = {'init_weights': True} if name in ('googlenet', 'inception_v3') else {}
    return getattr(M, name)(weights=None, **kwargs).eval()


def scope_prefix(module_path, called):
    """The node-name prefix torch 1.13 gives a module's nodes. Only modules whose forward ran are scopes (not an
    nn.ModuleList's); each shows its path relative to the nearest such ancestor, a numeric one (a Sequential's
    child) written after its parent's: '/features/features.1/features.1.1/', '/encoder/layers/encoder_layer_5/mlp/
    mlp.1/', '/blocks.2/layers.2/layers/grid_attention/mlp_layer/mlp_layer.2/' (MaxViT's ModuleLists)."""
    parts = module_path.split('.')
    chain = [p for p in ('.'.join(parts[:i]) for i in range(1, len(parts) + 1)) if p in called]
    shown, previous = [], ''
    for path in chain:
        relative = path[len(previous) + 1:] if previous else path
        shown.append(f'{shown[-1]}.{relative}' if relative[0].isdigit() and shown else relative)
        previous = path
    return '/' + '/'.join(shown) + '/'


def middle_tensor(graph, model, module_path, size):
    """The ONNX tensor of module_path's output: the output of the last node in its scope, checked against the
    module's output shape (a forward hook at the input size) as far as ONNX shape inference knows the file's."""
    module = dict(model.named_modules())[module_path]
    shapes, called = [], set()
    hooks = [m.register_forward_pre_hook(lambda m_, i, n=n: called.add(n)) for n, m in model.named_modules() if n]
    hooks.append(module.register_forward_hook(lambda m, i, o: shapes.append(list(o.shape))))
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    for h in hooks:
        h.remove()
    if len(shapes) != 1:
        raise RuntimeError(f'{module_path} ran {len(shapes)} times')
    prefix = scope_prefix(module_path, called)
    nodes = [n for n in graph.graph.node if n.name.startswith(prefix)]
    if not nodes:
        raise RuntimeError(f'no node named {prefix}*')
    node = nodes[-1]
    tensor = node.output[0]
    inferred = onnx.shape_inference.infer_shapes(graph)
    known = {v.name: [d.dim_value if d.HasField('dim_value') else (d.dim_param or None)
                      for d in v.type.tensor_type.shape.dim]
             for v in inferred.graph.value_info if v.type.tensor_type.HasField('shape')}  # else: rank unknown
    file_shape = known.get(tensor)
    if file_shape is not None:
        if len(file_shape) != len(shapes[0]) or any(isinstance(f, int) and f and f != s
                                                   for f, s in zip(file_shape, shapes[0])):
            raise RuntimeError(f'{tensor}: file shape {file_shape}, module output {shapes[0]}')
    return {'module': module_path, 'tensor': tensor, 'node': node.name, 'op': node.op_type,
            'shape': shapes[0], 'file_shape': file_shape}


def export_one(name, out_dir):
    opset, fixed, size, module_path, unit_axis = FAMILIES[name]
    path = os.path.join(out_dir, f'{name}.onnx')
    entry = {'file': f'{name}.onnx', 'opset': opset, 'fixed_size': fixed, 'input_size': [1, 3, size, size],
             'preprocess': 'torch'}
    model = build(name)
    entry['parameters'] = sum(p.numel() for p in model.parameters())
    start = time.time()
    kwargs = {} if fixed else {'dynamic_axes': {'input': {2: 'height', 3: 'width'}}}
    torch.onnx.export(model, torch.zeros(1, 3, size, size), path, opset_version=opset, input_names=['input'],
                      output_names=['logits'], **kwargs)
    entry['export_seconds'] = round(time.time() - start, 1)
    entry['file_bytes'] = os.path.getsize(path)
    graph = onnx.load(path)
    entry['input_shape_in_file'] = [d.dim_value if d.HasField('dim_value') else d.dim_param
                                    for d in graph.graph.input[0].type.tensor_type.shape.dim]
    entry['nodes'] = len(graph.graph.node)
    entry['ops'] = onnx_torch_eval.op_counts(graph)
    try:
        entry['middle'] = {**middle_tensor(graph, model, module_path, size), 'unit_axis': unit_axis}
    except Exception as e:  # the export stands; say why the middle layer is missing
        entry['middle'] = {'module': module_path, 'error': f'{type(e).__name__}: {e}'}
    return entry


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('out_dir')
    parser.add_argument('names', nargs='*', default=list(FAMILIES))
    args = parser.parse_args()
    torch.set_num_threads(2)
    os.makedirs(args.out_dir, exist_ok=True)
    json_path = os.path.join(args.out_dir, 'zoo.json')
    doc = {'torch': torch.__version__, 'torchvision': torchvision.__version__, 'onnx': onnx.__version__,
           'weights': 'random: torch.manual_seed(0), then the builder\'s init; BatchNorm at its initial statistics',
           'export': "torch.onnx.export(model, torch.zeros(input_size), opset_version=opset, input_names=['input'], "
                     "output_names=['logits'], dynamic_axes={'input': {2: 'height', 3: 'width'}} unless fixed_size)",
           'unit_axis': '1 for NCHW; the last axis for N x T x C and channels-last tensors (objective as in the '
                        'fixtures: the mean of that unit over every other axis but the batch axis)',
           'families': {}}
    if os.path.exists(json_path):  # a run on some names keeps the others' entries
        with open(json_path) as f:
            doc['families'] = json.load(f).get('families', {})
    for name in args.names:
        print(f'{name} ...', flush=True)
        try:
            entry = export_one(name, args.out_dir)
        except Exception as e:
            entry = {'file': None, 'opset': FAMILIES[name][0], 'fixed_size': FAMILIES[name][1],
                     'error': f'{type(e).__name__}: {e}', 'traceback': traceback.format_exc(limit=3)[-2000:]}
        doc['families'][name] = entry
        print(f"  {entry.get('file_bytes', 0) / 1e6:.1f} MB, {entry.get('nodes')} nodes, "
              f"{entry.get('export_seconds')} s, middle {entry.get('middle', {}).get('tensor')}"
              f"{'  ERROR ' + entry['error'] if 'error' in entry else ''}"
              f"{'  MIDDLE ' + entry['middle']['error'] if 'error' in entry.get('middle', {}) else ''}", flush=True)
        with open(json_path, 'w') as f:
            json.dump(doc, f, indent=2)
            f.write('\n')
        gc.collect()


if __name__ == '__main__':
    main()
