"""What the fixture scripts share: the test image formula, preprocessing, and the reference-value writer."""
import hashlib
import json
import os

import numpy as np
import onnx
import torch
import torchvision

import onnx_torch_eval

IMAGE_FORMULA = '128 + 40*sin(0.1*(x+1)*(c+1))*cos(0.07*(y+2))'
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
PREPROCESS_DOC = {
    'torch': {'preprocess_formula': '(x/255 - mean[c]) / std[c]', 'mean': IMAGENET_MEAN, 'std': IMAGENET_STD},
    'unit': {'preprocess_formula': 'x/255'},
    'tf': {'preprocess_formula': 'x/127.5 - 1'},
}


def formula_image(channels, height, width):
    """The test image in pixel units, shape (1, C, H, W): computed in float64, then rounded to float32 as the
    Java side holds its image; float64 again for the reference computation."""
    c = np.arange(channels, dtype=np.float64)[:, None, None]
    y = np.arange(height, dtype=np.float64)[None, :, None]
    x = np.arange(width, dtype=np.float64)[None, None, :]
    img = 128 + 40 * np.sin(0.1 * (x + 1) * (c + 1)) * np.cos(0.07 * (y + 2))
    return torch.from_numpy(img.astype(np.float32).astype(np.float64)[None])


def preprocess(name, pixels):
    """Pixel image (0..255) -> what the network takes; differentiable."""
    if name == 'torch':
        mean = torch.tensor(IMAGENET_MEAN, dtype=pixels.dtype).view(1, -1, 1, 1)
        std = torch.tensor(IMAGENET_STD, dtype=pixels.dtype).view(1, -1, 1, 1)
        return (pixels / 255.0 - mean) / std
    if name == 'unit':
        return pixels / 255.0
    if name == 'tf':
        return pixels / 127.5 - 1.0
    raise ValueError(name)


OBJECTIVE_DOC = ('the mean, over every axis but the batch axis and unit_axis, of index channel on unit_axis (axes '
                 'counted in the tensor\'s own shape, batch axis 0): one channel of a 4-D NCHW tensor (unit_axis 1, '
                 'mean over positions); one channel of a token tensor N x T x C (unit_axis 2, mean over all tokens, '
                 'class token included) or of a channels-last plane N x H x W x C (unit_axis 3, mean over positions); '
                 'the unit value of a 2-D tensor N x C (unit_axis 1). A case without unit_axis (the files written '
                 'before issue 27) has unit_axis 1')


def default_unit_axis(t):
    """The unit axis when a case names none: 1 for NCHW and N x C. Token tensors and channels-last planes must
    say theirs (a 4-D tensor alone does not tell NCHW from N x H x W x C)."""
    if t.dim() not in (2, 4):
        raise ValueError(f'a {t.dim()}-D tensor needs an explicit unit axis')
    return 1


def objective(t, channel, unit_axis=1):
    """One unit (index channel on unit_axis, counted with the batch axis) of batch item 0, averaged over every
    other axis: one channel of NCHW (unit_axis 1), of N x T x C or N x H x W x C (unit_axis = the last axis);
    the unit itself of a 2-D N x C tensor."""
    if not 1 <= unit_axis < t.dim():
        raise ValueError(f'unit axis {unit_axis} of a {t.dim()}-D tensor')
    if t.dim() == 4 and unit_axis == 1:
        return t[0, channel].mean()  # as before issue 27, bit for bit
    if t.dim() == 2:
        return t[0, channel]
    return t[0].select(unit_axis - 1, channel).mean()


def _module_target(model, module_path, pixels, prep):
    """Runs the float64 module with a hook on module_path and returns its output (a clone: DenseNet applies an
    in-place ReLU to norm5's output), or the model's output when module_path is empty."""
    module = dict(model.named_modules())[module_path] if module_path else None
    captured = []
    handle = module.register_forward_hook(lambda m, i, o: captured.append(o.clone())) if module is not None else None
    out = model(preprocess(prep, pixels))
    if handle:
        handle.remove()
    if module is None:
        return out
    if len(captured) != 1:
        raise RuntimeError(f'{module_path} ran {len(captured)} times')
    return captured[0]


def write_reference(out_dir, stem, model, onnx_path, prep, height, width, cases, extra=None):
    """cases: list of (onnx tensor name, module path whose output it is ('' = the model's output), channel[,
    unit axis]); without a unit axis, default_unit_axis (1 for NCHW and N x C).
    Computes loss and d loss / d pixels with the float64 module, checks both against the ONNX file evaluated
    in float64 by onnx_torch_eval, and writes <stem>.json plus one <stem>.<i>.grad.f32 per case."""
    onnx_model = onnx.load(onnx_path)
    onnx.checker.check_model(onnx_model)
    producers = {o: n for n in onnx_model.graph.node for o in n.output}
    graph_input = onnx_model.graph.input[0]
    channels = graph_input.type.tensor_type.shape.dim[1].dim_value
    dims = [d.dim_value if d.HasField('dim_value') else d.dim_param for d in graph_input.type.tensor_type.shape.dim]
    model = model.double().eval()
    image = formula_image(channels, height, width)
    image_file = f'{stem}.image.f32'
    image.numpy().astype('<f4').tofile(os.path.join(out_dir, image_file))
    result_cases = []
    for i, case in enumerate(cases):
        tensor, module_path, channel = case[:3]
        if tensor not in producers:
            raise RuntimeError(f'{tensor} is not a node output of {onnx_path}')
        pixels = image.clone().requires_grad_(True)
        target = _module_target(model, module_path, pixels, prep)
        unit_axis = case[3] if len(case) > 3 else default_unit_axis(target)
        if not 0 <= channel < target.shape[unit_axis]:
            raise RuntimeError(f'{tensor}: channel {channel} outside axis {unit_axis} of {tuple(target.shape)}')
        loss = objective(target, channel, unit_axis)
        grad, = torch.autograd.grad(loss, pixels)
        # The independent check: the same objective on the ONNX file's own graph.
        pixels_onnx = image.clone().requires_grad_(True)
        values = onnx_torch_eval.evaluate(onnx_model, {graph_input.name: preprocess(prep, pixels_onnx)})
        onnx_target = values[tensor]
        if tuple(onnx_target.shape) != tuple(target.shape):
            raise RuntimeError(f'{tensor}: file shape {tuple(onnx_target.shape)}, module {tuple(target.shape)}')
        onnx_loss = objective(onnx_target, channel, unit_axis)
        onnx_grad, = torch.autograd.grad(onnx_loss, pixels_onnx)
        loss_rel = abs(onnx_loss.item() - loss.item()) / max(abs(loss.item()), 1e-30)
        grad_rel = ((onnx_grad - grad).norm() / grad.norm()).item()
        if loss_rel > 1e-4 or grad_rel > 1e-4:
            raise RuntimeError(f'{tensor}[{channel}]: file and module disagree, loss rel {loss_rel}, grad {grad_rel}')
        if grad.norm().item() == 0:
            raise RuntimeError(f'{tensor}[{channel}]: zero gradient, pick another channel')
        grad_file = f'{stem}.{i}.grad.f32'
        grad.numpy().astype('<f4').tofile(os.path.join(out_dir, grad_file))
        result_cases.append({
            'tensor': tensor, 'node': producers[tensor].name, 'op': producers[tensor].op_type,
            'channel': channel, 'unit_axis': unit_axis, 'tensor_shape': list(target.shape),
            'loss': loss.item(), 'gradient': grad_file, 'gradient_shape': list(grad.shape),
            'gradient_l2': grad.norm().item(), 'gradient_max_abs': grad.abs().max().item(),
            'onnx_graph_check': {'loss_rel_diff': loss_rel, 'gradient_rel_l2_diff': grad_rel},
        })
        print(f'  {tensor}[{channel} on axis {unit_axis}] shape {list(target.shape)} loss {loss.item():.9g} '
              f'|grad| {grad.norm().item():.6g} (file vs module: loss {loss_rel:.1e}, grad {grad_rel:.1e})')
    with open(onnx_path, 'rb') as f:
        sha256 = hashlib.sha256(f.read()).hexdigest()
    doc = {
        'onnx': os.path.basename(onnx_path), 'onnx_sha256': sha256,
        'opset': onnx_model.opset_import[0].version,
        'input': {'name': graph_input.name, 'shape': dims, 'channels': channels},
        'image': {'height': height, 'width': width, 'channels': channels, 'units': 'pixels 0..255',
                  'formula': IMAGE_FORMULA, 'indices': 'c channel, y row, x column, all from 0',
                  'rounding': 'computed in float64, rounded to float32', 'file': image_file},
        'preprocess': prep,
        **PREPROCESS_DOC[prep],
        'tensor_shape': 'as PyTorch computes it for this image size',
        'objective': OBJECTIVE_DOC,
        'gradient': 'd objective / d pixel image, float32 little-endian, NCHW with N=1',
        'reference': 'nn.Module in float64 (weights as exported, float32 -> float64), torch '
                     + torch.__version__ + ', torchvision ' + torchvision.__version__,
        'ops': onnx_torch_eval.op_counts(onnx_model),
        'cases': result_cases,
    }
    if extra:
        doc.update(extra)
    with open(os.path.join(out_dir, f'{stem}.json'), 'w') as f:
        json.dump(doc, f, indent=2)
        f.write('\n')
    return doc
