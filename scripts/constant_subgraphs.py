#!/usr/bin/python3
"""Writes the values of the constant sub-graphs of the transformer fixtures, the oracle of ConstantSubgraphsTest.

The Java ONNX reader evaluates, when it reads a file, every node whose inputs are all constants (ConstantEvaluator).
This script finds the same nodes independently and evaluates them with onnx_torch_eval's semantics (torch, floats in
float64, ONNX's integer rules), so the Java test can hold each of the reader's values to them.

A tensor is constant when it is an initializer, a Constant node's output, a Shape's output (the shapes of a
fixed-size file are known when it is read), or the output of a node whose inputs are all constant. The whole graph
is evaluated on an input of the file's size (its values do not matter: nothing constant depends on them).

Free-size files (shufflenet_v2): a Shape's output depends on the image's height and width. The graph is evaluated at
three sizes (the fixture's image size first, then two others); an integer entry that differs between them depends
on the size and is written as null (the reader must hold it as unknown), an entry that agrees is written as its
value. An output whose dims differ between the sizes is left out.

Each file src/test/resources/models/<stem>.constants.json lists, in graph order, each constant node's outputs
(Constant nodes left out: they only copy their attribute) with its node, op, dims, whether it is floating-point, and
its values in row-major order. Outputs of more than MAX_VALUES values are left out, to keep the files small (their
names are listed under left_out, so that the test knows them for constants all the same).

Usage (deterministic: rewrites byte-identical files):
    /usr/bin/python3 scripts/constant_subgraphs.py [--models-dir DIR] [stem ...]
with stems vit, swin and shufflenet_v2 by default. Needs torch and onnx (Debian's python3-torch 1.13, python3-onnx).
"""
import argparse
import json
import os
import sys

import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_torch_eval  # noqa: E402

MODELS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'test', 'resources', 'models')
STEMS = ['vit', 'swin', 'shufflenet_v2']
MAX_VALUES = 4096
# Extra sizes a free-size file is evaluated at, beside its fixture's image size: both odd and non-square, and far
# enough apart that every stride-32 stage's size differs from the fixture's.
EXTRA_SIZES = [(131, 99), (163, 197)]


def input_dims(model):
    dims = [d.dim_value if d.HasField('dim_value') else None for d in model.graph.input[0].type.tensor_type.shape.dim]
    return dims


def constant_outputs(model):
    """The outputs of the nodes the reader evaluates on constants, in graph order: (node index, node, output)."""
    constant = {init.name for init in model.graph.initializer}
    found = []
    for i, node in enumerate(model.graph.node):
        inputs = [name for name in node.input if name]
        if node.op_type == 'Constant':
            constant.update(node.output)
        elif node.op_type == 'Shape' or (inputs and all(name in constant for name in inputs)):
            constant.update(node.output)
            found.extend((i, node, out) for out in node.output if out)
    return found


def evaluate_at(model, height, width):
    torch.manual_seed(0)
    x = torch.rand(1, input_dims(model)[1], height, width, dtype=torch.float64)
    return onnx_torch_eval.evaluate(model, {model.graph.input[0].name: x})


def entry(v, floating):
    return float(v) if floating else int(v)


def record(stem, models_dir):
    path = os.path.join(models_dir, stem + '.onnx')
    model = onnx.load(path)
    dims = input_dims(model)
    fixed = dims[2] is not None and dims[3] is not None
    if fixed:
        sizes = [(dims[2], dims[3])]
    else:
        with open(os.path.join(models_dir, stem + '.json')) as f:
            image = json.load(f)['image']
        sizes = [(image['height'], image['width'])] + EXTRA_SIZES
    runs = [evaluate_at(model, h, w) for h, w in sizes]
    outputs, skipped_large, skipped_size, left_out = [], 0, 0, []
    for index, node, name in constant_outputs(model):
        values = [run[name] for run in runs]
        shape = list(values[0].shape)
        if any(list(v.shape) != shape for v in values[1:]):
            skipped_size += 1
            left_out.append(name)
            continue
        if values[0].numel() > MAX_VALUES:
            skipped_large += 1
            left_out.append(name)
            continue
        floating = torch.is_floating_point(values[0])
        flat = [v.reshape(-1).tolist() for v in values]
        written = []
        for k, v in enumerate(flat[0]):
            same = all(other[k] == v for other in flat[1:])
            written.append(entry(v, floating) if same else None)
        outputs.append({'node': node.name or f'{node.op_type}_{index}', 'op': node.op_type, 'output': name,
                        'dims': shape, 'floating': floating, 'values': written})
    doc = {'onnx': stem + '.onnx', 'script': 'scripts/constant_subgraphs.py',
           'sizes': [list(s) for s in sizes], 'fixed_size': fixed,
           'left_out': {'more_than_%d_values' % MAX_VALUES: skipped_large, 'dims_depend_on_size': skipped_size,
                        'outputs': left_out},
           'outputs': outputs}
    out = os.path.join(models_dir, stem + '.constants.json')
    with open(out, 'w') as f:
        json.dump(doc, f, separators=(',', ':'), allow_nan=False)
        f.write('\n')
    unknown = sum(v is None for o in outputs for v in o['values'])
    print(f'{out}: {len(outputs)} outputs ({unknown} entries depend on the size), '
          f'{skipped_large} larger than {MAX_VALUES} and {skipped_size} of size-dependent dims left out, '
          f'{os.path.getsize(out)} bytes')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--models-dir', default=MODELS_DIR)
    parser.add_argument('stems', nargs='*', default=STEMS)
    args = parser.parse_args()
    for stem in args.stems:
        record(stem, args.models_dir)


if __name__ == '__main__':
    main()
