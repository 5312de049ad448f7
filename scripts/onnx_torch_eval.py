"""Evaluates an ONNX graph with torch.nn.functional, in float64, straight from the file.

No onnxruntime on this machine, so this is the independent check that the fixtures' reference values (computed
with the nn.Module) hold for the exported file itself: its tensor names, its folded BatchNorm, its attributes.
It covers only the operators our fixtures use (the set issue 15 asks the Java side to support).
"""
import math

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _pads_2d(pads):
    """ONNX pads [top, left, bottom, right] -> (symmetric torch padding or None, F.pad tuple)."""
    t, l, b, r = pads
    if t == b and l == r:
        return (t, l), None
    return (0, 0), (l, r, t, b)


def _conv(x, w, b, a):
    if a.get('auto_pad', b'NOTSET') not in (b'NOTSET', 'NOTSET'):
        raise NotImplementedError('auto_pad')
    padding, explicit = _pads_2d(a.get('pads', [0, 0, 0, 0]))
    if explicit:
        x = F.pad(x, explicit)
    return F.conv2d(x, w, b, stride=tuple(a.get('strides', [1, 1])), padding=padding,
                    dilation=tuple(a.get('dilations', [1, 1])), groups=a.get('group', 1))


def _max_pool(x, a):
    padding, explicit = _pads_2d(a.get('pads', [0, 0, 0, 0]))
    if explicit:
        x = F.pad(x, explicit, value=-math.inf)
    return F.max_pool2d(x, tuple(a['kernel_shape']), tuple(a.get('strides', [1, 1])), padding,
                        tuple(a.get('dilations', [1, 1])), ceil_mode=bool(a.get('ceil_mode', 0)))


def _avg_pool(x, a):
    padding, explicit = _pads_2d(a.get('pads', [0, 0, 0, 0]))
    if explicit:
        raise NotImplementedError('asymmetric AveragePool pads')
    return F.avg_pool2d(x, tuple(a['kernel_shape']), tuple(a.get('strides', [1, 1])), padding,
                        ceil_mode=bool(a.get('ceil_mode', 0)),
                        count_include_pad=bool(a.get('count_include_pad', 0)))


def _pad(x, pads, value, a):
    pads = [int(p) for p in pads.tolist()]
    n = len(pads) // 2
    begin, end = pads[:n], pads[n:]
    if any(begin[:2]) or any(end[:2]):
        raise NotImplementedError('Pad on batch or channel axis')
    mode = a.get('mode', b'constant')
    mode = mode.decode() if isinstance(mode, bytes) else mode
    torch_pads = (begin[3], end[3], begin[2], end[2])
    if mode == 'constant':
        return F.pad(x, torch_pads, value=float(value) if value is not None else 0.0)
    return F.pad(x, torch_pads, mode={'reflect': 'reflect', 'edge': 'replicate'}[mode])


def _gemm(a_, b_, c_, a):
    if a.get('transA', 0):
        a_ = a_.t()
    if a.get('transB', 0):
        b_ = b_.t()
    y = a.get('alpha', 1.0) * (a_ @ b_)
    return y if c_ is None else y + a.get('beta', 1.0) * c_


def run_node(node, ins):
    """ins: list of tensors (None for an omitted optional input). Returns the list of outputs."""
    a = _attrs(node)
    op = node.op_type
    x = ins[0] if ins else None
    if op == 'Conv':
        return [_conv(x, ins[1], ins[2] if len(ins) > 2 else None, a)]
    if op == 'Relu':
        return [F.relu(x)]
    if op == 'LeakyRelu':
        return [F.leaky_relu(x, a.get('alpha', 0.01))]
    if op == 'Sigmoid':
        return [torch.sigmoid(x)]
    if op == 'HardSigmoid':
        return [torch.clamp(a.get('alpha', 0.2) * x + a.get('beta', 0.5), 0.0, 1.0)]
    if op == 'HardSwish':
        return [x * torch.clamp(x / 6.0 + 0.5, 0.0, 1.0)]
    if op == 'Clip':
        lo = ins[1] if len(ins) > 1 and ins[1] is not None else None
        hi = ins[2] if len(ins) > 2 and ins[2] is not None else None
        return [torch.clamp(x, None if lo is None else float(lo), None if hi is None else float(hi))]
    if op == 'Add':
        return [ins[0] + ins[1]]
    if op == 'Mul':
        return [ins[0] * ins[1]]
    if op == 'Concat':
        return [torch.cat(ins, dim=a['axis'])]
    if op == 'MaxPool':
        return [_max_pool(x, a)]
    if op == 'AveragePool':
        return [_avg_pool(x, a)]
    if op == 'GlobalAveragePool':
        return [x.mean(dim=(2, 3), keepdim=True)]
    if op == 'BatchNormalization':
        scale, bias, mean, var = ins[1:5]
        eps = a.get('epsilon', 1e-5)
        shape = (1, -1, 1, 1)
        return [(x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps) * scale.view(shape) + bias.view(shape)]
    if op == 'Pad':
        return [_pad(x, ins[1], ins[2] if len(ins) > 2 else None, a)]
    if op == 'Flatten':
        axis = a.get('axis', 1)
        return [x.reshape(int(np.prod(x.shape[:axis])), -1)]
    if op == 'Reshape':
        return [x.reshape([int(s) if s != 0 else x.shape[i] for i, s in enumerate(ins[1].tolist())])]
    if op == 'Gemm':
        return [_gemm(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)]
    if op == 'MatMul':
        return [ins[0] @ ins[1]]
    if op in ('Identity', 'Dropout'):
        return [x]
    if op == 'Constant':
        return [torch.from_numpy(numpy_helper.to_array(a['value']).copy())]
    raise NotImplementedError(f'{node.name}: {op}')


def _as_double(t):
    return t.double() if torch.is_floating_point(t) else t


def evaluate(model, feed):
    """Runs the whole graph; returns {tensor name: torch tensor}. feed: {input name: float64 tensor}."""
    values = {init.name: _as_double(torch.from_numpy(numpy_helper.to_array(init).copy()))
              for init in model.graph.initializer}
    values.update(feed)
    for node in model.graph.node:
        ins = [values[n] if n else None for n in node.input]
        outs = run_node(node, [_as_double(t) if t is not None else None for t in ins])
        for name, t in zip(node.output, outs):
            values[name] = t
    return values


def op_counts(model):
    counts = {}
    for node in model.graph.node:
        counts[node.op_type] = counts.get(node.op_type, 0) + 1
    return dict(sorted(counts.items()))
