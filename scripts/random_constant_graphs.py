#!/usr/bin/python3
"""Writes a random ONNX file of small constant-only sub-graphs and torch's values for them, for ConstantSubgraphsTest.

The real exports (constant_subgraphs.py) use the evaluator's operators in the few forms PyTorch writes. This file
puts each operator on random ranks, dims, values and attributes: Slice with negative, out-of-range and INT64_MIN/MAX
bounds and negative steps, Gather on any axis with 0-D to 2-D (negative) indices, Transpose, Expand both ways,
Concat, Split, Squeeze, Unsqueeze, Reshape with 0 and -1, Flatten, broadcast Add/Sub/Mul/Div/Mod/Pow/Equal on integers
and floats, Where, Range, Cast and ScatterND, each on initializers only, beside one Relu on the image input. Its
constants are then evaluated and written by constant_subgraphs.record (torch, floats in float64).

Writes src/test/resources/constants/random.onnx and random.constants.json (not in models/, whose every file the
fixture tests run). Deterministic for a seed:
    /usr/bin/python3 scripts/random_constant_graphs.py [--seed 1] [--cases 300] [--out-dir DIR]
"""
import argparse
import os
import random
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import constant_subgraphs  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'test', 'resources', 'constants')
OPS = ['Slice', 'Gather', 'Transpose', 'Expand', 'Concat', 'Split', 'Squeeze', 'Unsqueeze', 'Reshape', 'Flatten',
       'Add', 'Sub', 'Mul', 'Div', 'Mod', 'Pow', 'Equal', 'Where', 'Range', 'Cast', 'ScatterND']
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1


class Builder:
    def __init__(self, rng):
        self.rng, self.nodes, self.inits, self.count = rng, [], [], 0

    def name(self, prefix):
        self.count += 1
        return f'{prefix}{self.count}'

    def const(self, array):
        name = self.name('c')
        self.inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op, inputs, outputs=1, **attributes):
        outs = [self.name(op + '_out') for _ in range(outputs)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=self.name('/' + op), **attributes))
        return outs

    def dims(self, low=1, high=4, min_rank=1, max_rank=4):
        return [self.rng.randint(low, high) for _ in range(self.rng.randint(min_rank, max_rank))]

    def data(self, dims, floating):
        n = int(np.prod(dims))
        if floating:
            return np.array([self.rng.uniform(-10, 10) for _ in range(n)], dtype=np.float32).reshape(dims)
        return np.array([self.rng.randint(-20, 20) for _ in range(n)], dtype=np.int64).reshape(dims)

    def broadcastable(self, dims):
        """A shape that broadcasts with dims: some of its axes 1, maybe fewer of them."""
        out = [d if self.rng.random() < 0.5 else 1 for d in dims]
        if self.rng.random() < 0.3:
            out = out[self.rng.randint(0, len(out)):]
        return out or [1]

    def axis(self, a, rank):
        """a, or the same axis counted from the end."""
        return a if self.rng.random() < 0.5 else a - rank


def add_case(b, op):
    rng = b.rng
    dims = b.dims()
    r = len(dims)
    floating = rng.random() < 0.3
    x = b.const(b.data(dims, floating))
    ints = (lambda values: b.const(np.array(values, np.int64)))
    if op == 'Slice':
        axes = rng.sample(range(r), rng.randint(1, r))
        starts, ends, steps = [], [], []
        for a in axes:
            d = dims[a]
            starts.append(rng.choice([rng.randint(-d - 2, d + 2), INT64_MIN, INT64_MAX]))
            ends.append(rng.choice([rng.randint(-d - 2, d + 2), INT64_MIN, INT64_MIN + 1, INT64_MAX]))
            steps.append(rng.choice([1, 2, 3, -1, -2, -3]))
        b.node('Slice', [x, ints(starts), ints(ends), ints([b.axis(a, r) for a in axes]), ints(steps)])
    elif op == 'Gather':
        a = rng.randrange(r)
        index_dims = b.dims(1, 3, 0, 2)
        indices = np.array([rng.randint(-dims[a], dims[a] - 1) for _ in range(int(np.prod(index_dims)))], np.int64)
        b.node('Gather', [x, b.const(indices.reshape(index_dims))], axis=b.axis(a, r))
    elif op == 'Transpose':
        perm = list(range(r))
        rng.shuffle(perm)
        b.node('Transpose', [x], perm=perm)
    elif op == 'Expand':
        shape = [rng.randint(1, 3)] * rng.randint(0, 2) + [d if rng.random() < 0.7 else 1 for d in dims]
        b.node('Expand', [x, ints(shape)])  # the shape's 1s keep the input's dims
        b.node('Expand', [b.const(b.data(b.broadcastable(dims), floating)), ints(dims)])
    elif op == 'Concat':
        a = rng.randrange(r)
        parts = [x]
        for _ in range(rng.randint(1, 2)):
            other = list(dims)
            other[a] = rng.randint(1, 3)
            parts.append(b.const(b.data(other, floating)))
        b.node('Concat', parts, axis=b.axis(a, r))
    elif op == 'Split':
        a = rng.choice([i for i, d in enumerate(dims) if d > 1] or [None])
        if a is None:
            return
        cut = rng.randint(1, dims[a] - 1)
        b.node('Split', [x, ints([cut, dims[a] - cut])], outputs=2, axis=b.axis(a, r))
    elif op == 'Squeeze':
        ones = [i for i, d in enumerate(dims) if d == 1]
        if ones and rng.random() < 0.5:
            b.node('Squeeze', [x, ints([b.axis(rng.choice(ones), r)])])
        else:
            b.node('Squeeze', [x])
    elif op == 'Unsqueeze':
        n = rng.randint(1, 2)
        b.node('Unsqueeze', [x, ints([b.axis(a, r + n) for a in rng.sample(range(r + n), n)])])
    elif op == 'Reshape':
        copied = min(rng.randint(0, 2), r)
        rest = int(np.prod(dims[copied:]))
        b.node('Reshape', [x, ints([0] * copied + ([-1] if rng.random() < 0.5 else [rest]))])
    elif op == 'Flatten':
        b.node('Flatten', [x], axis=rng.randint(-r, r))
    elif op in ('Add', 'Sub', 'Mul', 'Div', 'Mod', 'Pow', 'Equal'):
        y = b.data(b.broadcastable(dims), floating)
        if op in ('Div', 'Mod'):
            y[y == 0] = 3
        if op == 'Pow':  # whole exponents 0..2: a negative base stays real
            y = (np.abs(y) % 3).astype(y.dtype) if not floating else np.floor(np.abs(y) % 3).astype(np.float32)
        attributes = {'fmod': 1 if floating else rng.randint(0, 1)} if op == 'Mod' else {}
        y = b.const(y)
        # the divisor is always y (never zero); the others take either order
        inputs = [x, y] if op in ('Div', 'Mod', 'Pow') or rng.random() < 0.5 else [y, x]
        b.node(op, inputs, **attributes)
    elif op == 'Where':
        condition = b.const(b.data(b.broadcastable(dims), False) > 0)
        b.node('Where', [condition, x, b.const(b.data(b.broadcastable(dims), floating))])
    elif op == 'Range':
        start, delta = rng.randint(-10, 10), rng.choice([1, 2, 3, -1, -2, -3])
        # a limit torch.arange accepts (on delta's side of start), not always a whole number of steps away
        limit = start + delta * rng.randint(1, 5) - int(np.sign(delta)) * rng.randint(0, abs(delta) - 1)
        b.node('Range', [b.const(np.array(start, np.int64)), b.const(np.array(limit, np.int64)),
                         b.const(np.array(delta, np.int64))])
    elif op == 'Cast':
        b.node('Cast', [b.const(b.data(dims, True))], to=TensorProto.INT64)
        b.node('Cast', [x], to=TensorProto.FLOAT)
    elif op == 'ScatterND':
        k = rng.randint(1, r)
        tuples = {}
        for _ in range(rng.randint(1, 3)):  # distinct after negative indices are resolved
            t = tuple(rng.randint(-dims[a], dims[a] - 1) for a in range(k))
            tuples[tuple(v % dims[a] for a, v in enumerate(t))] = t
        updates = b.data([len(tuples)] + dims[k:], floating)
        b.node('ScatterND', [x, b.const(np.array(list(tuples.values()), np.int64)), b.const(updates)])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--cases', type=int, default=300)
    parser.add_argument('--out-dir', default=OUT_DIR)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    b = Builder(rng)
    for _ in range(args.cases):
        add_case(b, rng.choice(OPS))
    b.nodes.append(helper.make_node('Relu', ['input'], ['r'], name='relu'))
    graph = helper.make_graph(b.nodes, 'random', [helper.make_tensor_value_info('input', TensorProto.FLOAT, [1, 3, 4, 4])],
                              [helper.make_tensor_value_info('r', TensorProto.FLOAT, [1, 3, 4, 4])], initializer=b.inits)
    model = helper.make_model(graph, producer_name='random_constant_graphs.py', opset_imports=[helper.make_opsetid('', 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    os.makedirs(args.out_dir, exist_ok=True)
    onnx.save(model, os.path.join(args.out_dir, 'random.onnx'))
    constant_subgraphs.record('random', args.out_dir)


if __name__ == '__main__':
    main()
