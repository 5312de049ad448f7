"""Evaluates an ONNX graph with torch.nn.functional, in float64, straight from the file.

No onnxruntime on this machine, so this is the independent check that the fixtures' reference values (computed
with the nn.Module) hold for the exported file itself: its tensor names, its folded BatchNorm, its attributes.
It covers only the operators our fixtures use: the set issue 15 asks the Java side to support, and for issue 27
(ViT, Swin, ConvNeXt, ShuffleNetV2 as torch.onnx.export writes them) the transformer operators (MatMul, Transpose,
LayerNormalization, Softmax, Erf, ...) and the integer shape arithmetic PyTorch leaves in the graph (Shape, Gather,
Slice, Concat, Cast, ConstantOfShape, Range, Expand, Where, Equal, Mod, ScatterND, ...), with ONNX's semantics for
integers (Div truncates, Mod with fmod=0 takes the divisor's sign). Float tensors are float64 throughout: a Cast to
float or float16 keeps float64 (this is a reference evaluation, not a bit-exact float32 one).
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
    if n != x.dim():
        raise NotImplementedError(f'Pad with {n} axes of a {x.dim()}-D tensor')
    begin, end = pads[:n], pads[n:]
    mode = a.get('mode', b'constant')
    mode = mode.decode() if isinstance(mode, bytes) else mode
    if mode == 'constant':  # any axes (Swin pads a channels-last N x H x W x C tensor on H and W)
        torch_pads = [p for axis in reversed(range(n)) for p in (begin[axis], end[axis])]
        return F.pad(x, torch_pads, value=float(value) if value is not None else 0.0)
    if n != 4 or any(begin[:2]) or any(end[:2]):
        raise NotImplementedError(f'{mode} Pad other than on H and W of NCHW')
    torch_pads = (begin[3], end[3], begin[2], end[2])
    return F.pad(x, torch_pads, mode={'reflect': 'reflect', 'edge': 'replicate'}[mode])


def _gemm(a_, b_, c_, a):
    if a.get('transA', 0):
        a_ = a_.t()
    if a.get('transB', 0):
        b_ = b_.t()
    y = a.get('alpha', 1.0) * (a_ @ b_)
    return y if c_ is None else y + a.get('beta', 1.0) * c_


# ONNX TensorProto data types -> torch; floats evaluate as float64 whatever their declared width.
_ONNX_DTYPES = {1: torch.float64, 2: torch.uint8, 3: torch.int8, 5: torch.int16, 6: torch.int32, 7: torch.int64,
                9: torch.bool, 10: torch.float64, 11: torch.float64, 16: torch.float64}


def _ints(t):
    return [int(v) for v in t.reshape(-1).tolist()]


def _axis(axis, rank):
    return axis + rank if axis < 0 else axis


def _gather(data, indices, axis):
    axis = _axis(axis, data.dim())
    indices = torch.where(indices < 0, indices + data.shape[axis], indices).long()
    out = data.index_select(axis, indices.reshape(-1))
    return out.reshape(tuple(data.shape[:axis]) + tuple(indices.shape) + tuple(data.shape[axis + 1:]))


def _slice(x, starts, ends, axes, steps):
    starts, ends = _ints(starts), _ints(ends)
    axes = _ints(axes) if axes is not None else list(range(len(starts)))
    steps = _ints(steps) if steps is not None else [1] * len(starts)
    for start, end, axis, step in zip(starts, ends, axes, steps):
        axis = _axis(axis, x.dim())
        dim = x.shape[axis]
        start = start + dim if start < 0 else start
        end = end + dim if end < 0 else end
        if step > 0:
            start, end = min(max(start, 0), dim), min(max(end, 0), dim)
        elif step < 0:
            start, end = min(max(start, 0), dim - 1), min(max(end, -1), dim - 1)
        else:
            raise ValueError('Slice step 0')
        x = x.index_select(axis, torch.tensor(list(range(start, end, step)), dtype=torch.long))
    return x


def _unsqueeze(x, axes):
    rank = x.dim() + len(axes)
    for axis in sorted(_axis(v, rank) for v in axes):
        x = x.unsqueeze(axis)
    return x


def _squeeze(x, axes):
    if axes is None:
        return x.reshape([d for d in x.shape if d != 1])
    axes = [_axis(v, x.dim()) for v in axes]
    if any(x.shape[i] != 1 for i in axes):
        raise ValueError(f'Squeeze of axes {axes} of {tuple(x.shape)}')
    return x.reshape([d for i, d in enumerate(x.shape) if i not in axes])


def _div(p, q):
    if torch.is_floating_point(p) or torch.is_floating_point(q):
        return p / q
    return torch.div(p, q, rounding_mode='trunc')


def _scatter_nd(data, indices, updates, a):
    if a.get('reduction', b'none') not in (b'none', 'none'):
        raise NotImplementedError('ScatterND reduction')
    k = indices.shape[-1]
    index = indices.reshape(-1, k).long()
    index = torch.where(index < 0, index + torch.tensor(data.shape[:k]), index)
    return data.index_put(tuple(index.t()), updates.reshape((-1,) + tuple(data.shape[k:])).to(data.dtype))


def _constant(a):
    if 'value' in a:
        return _as_double(torch.from_numpy(numpy_helper.to_array(a['value']).copy()))
    if 'value_float' in a or 'value_floats' in a:
        return torch.tensor(a.get('value_float', a.get('value_floats')), dtype=torch.float64)
    if 'value_int' in a or 'value_ints' in a:
        return torch.tensor(a.get('value_int', a.get('value_ints')), dtype=torch.int64)
    raise NotImplementedError(f'Constant {list(a)}')


def run_node(node, ins, opset=None):
    """ins: list of tensors (None for an omitted optional input). Returns the list of outputs. opset: the file's
    default-domain opset (where an operator changed between versions; None = 13 or later)."""
    a = _attrs(node)
    op = node.op_type
    x = ins[0] if ins else None
    opset = 13 if opset is None else opset
    optional = (lambda i: ins[i] if len(ins) > i else None)
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
        if a.get('allowzero', 0):
            raise NotImplementedError('Reshape allowzero=1')
        return [x.reshape([int(s) if s != 0 else x.shape[i] for i, s in enumerate(ins[1].tolist())])]
    if op == 'Gemm':
        return [_gemm(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)]
    if op == 'MatMul':
        return [ins[0] @ ins[1]]
    if op == 'Identity':
        return [x]
    if op == 'Dropout':  # torch writes F.dropout(p=0) (Swin's attention) as Dropout(ratio 0, training_mode true)
        ratio = float(optional(1)) if optional(1) is not None else a.get('ratio', 0.5)
        training = bool(optional(2)) if optional(2) is not None else False
        if training and ratio != 0:
            raise NotImplementedError(f'{node.name}: Dropout in training mode with ratio {ratio}')
        return [x, torch.ones(x.shape, dtype=torch.bool)][:len(node.output)]
    if op == 'Constant':
        return [_constant(a)]
    # Issue 27: transformers, ConvNeXt, ShuffleNetV2.
    if op == 'Sub':
        return [ins[0] - ins[1]]
    if op == 'Div':
        return [_div(ins[0], ins[1])]
    if op == 'Pow':
        y = torch.pow(ins[0], ins[1])
        return [y if torch.is_floating_point(ins[0]) else y.to(ins[0].dtype)]  # ONNX: the base's type
    if op == 'Mod':
        return [torch.fmod(ins[0], ins[1]) if a.get('fmod', 0) else torch.remainder(ins[0], ins[1])]
    if op == 'Sqrt':
        return [torch.sqrt(x)]
    if op == 'Erf':
        return [torch.erf(x)]
    if op == 'Softmax':
        if opset < 13:
            raise NotImplementedError('Softmax before opset 13 (coerced to 2-D)')
        return [F.softmax(x, dim=a.get('axis', -1))]
    if op == 'LayerNormalization':
        axis = _axis(a.get('axis', -1), x.dim())
        return [F.layer_norm(x, tuple(x.shape[axis:]), ins[1], optional(2), a.get('epsilon', 1e-5))]
    if op == 'Transpose':
        return [x.permute(a.get('perm', list(reversed(range(x.dim())))))]
    if op == 'ReduceMean':
        axes = a.get('axes') if opset < 18 else (_ints(optional(1)) if optional(1) is not None else None)
        if not axes:  # all axes (noop_with_empty_axes=1 is not supported)
            if a.get('noop_with_empty_axes', 0):
                raise NotImplementedError('ReduceMean noop_with_empty_axes')
            axes = range(x.dim())
        return [x.mean(dim=tuple(_axis(v, x.dim()) for v in axes), keepdim=bool(a.get('keepdims', 1)))]
    if op == 'Einsum':
        return [torch.einsum(a['equation'].decode() if isinstance(a['equation'], bytes) else a['equation'], *ins)]
    if op == 'Shape':
        shape = torch.tensor(list(x.shape), dtype=torch.int64)
        start, end = a.get('start', 0), a.get('end', None)
        return [shape[start:end]]
    if op == 'Gather':
        return [_gather(x, ins[1], a.get('axis', 0))]
    if op == 'Slice':
        return [_slice(x, ins[1], ins[2], optional(3), optional(4))]
    if op == 'Split':
        axis = a.get('axis', 0)
        if opset >= 13:
            sizes = _ints(optional(1)) if optional(1) is not None else None
        else:
            sizes = a.get('split')
        if sizes is None:
            n = len(node.output)
            sizes = [-(-x.shape[axis] // n)] * n
            sizes[-1] = x.shape[axis] - sum(sizes[:-1])
        return list(torch.split(x, sizes, dim=axis))
    if op == 'Unsqueeze':
        return [_unsqueeze(x, _ints(ins[1]) if opset >= 13 else a['axes'])]
    if op == 'Squeeze':
        axes = (_ints(optional(1)) if optional(1) is not None else None) if opset >= 13 else a.get('axes')
        return [_squeeze(x, axes)]
    if op == 'Cast':
        return [x.to(_ONNX_DTYPES[a['to']])]
    if op == 'ConstantOfShape':
        value = _constant(a) if 'value' in a else torch.zeros(1, dtype=torch.float64)
        return [value.reshape(-1)[0].expand(_ints(x)).clone()]
    if op == 'Range':
        return [torch.arange(ins[0].item(), ins[1].item(), ins[2].item(), dtype=ins[0].dtype)]
    if op == 'Expand':
        return [x.expand(torch.broadcast_shapes(tuple(x.shape), tuple(_ints(ins[1]))))]
    if op == 'Where':
        return [torch.where(ins[0].bool(), ins[1], ins[2])]
    if op == 'Equal':
        return [torch.eq(ins[0], ins[1])]
    if op == 'Not':
        return [torch.logical_not(x)]
    if op == 'ScatterND':
        return [_scatter_nd(x, ins[1], ins[2], a)]
    raise NotImplementedError(f'{node.name}: {op}')


def _as_double(t):
    return t.double() if torch.is_floating_point(t) else t


def evaluate(model, feed):
    """Runs the whole graph; returns {tensor name: torch tensor}. feed: {input name: float64 tensor}."""
    values = {init.name: _as_double(torch.from_numpy(numpy_helper.to_array(init).copy()))
              for init in model.graph.initializer}
    values.update(feed)
    opset = next((o.version for o in model.opset_import if o.domain in ('', 'ai.onnx')), None)
    for node in model.graph.node:
        ins = [values[n] if n else None for n in node.input]
        outs = run_node(node, [_as_double(t) if t is not None else None for t in ins], opset)
        for name, t in zip(node.output, outs):
            values[name] = t
    return values


def op_counts(model):
    counts = {}
    for node in model.graph.node:
        counts[node.op_type] = counts.get(node.op_type, 0) + 1
    return dict(sorted(counts.items()))
