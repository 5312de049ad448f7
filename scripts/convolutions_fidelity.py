"""What --convolutions changes (issue 26): the final losses of the Lucid recipe's deterministic form
(--preset lucid --transforms none --init-sd 0: no randomness at all) computed by the job with each choice, against an
fp64 PyTorch implementation of the same recipe on the same weights.

The weights are torchvision's vgg16().features with random init (torch.manual_seed(--seed), default 0), exported once to ONNX with
a free height and width; both sides read that file. PyTorch evaluates the file's own nodes in float64 with
torch.nn.functional (scripts/onnx_torch_eval.py), the recipe written as in src/test/python/lucid_deterministic_reference.py
(docs/lucid.md): image = sigmoid(decorrelate(irfft2(scale * spectrum) / 4)) * 255 with the 1/f scale, --preprocess torch,
objective = the mean of the filter's channel of --layer, Adam (lr 0.05, betas 0.9/0.999, eps 1e-8) climbing, Lucid's
redirected ReLU gradient at every ReLU (the target's own included) over the first 17 steps, and the reported loss the
plain objective on the final image. The filters share one batch: each image has its own spectrum, Adam is elementwise
and the redirected rule is per image, so this is each filter's run on its own.

The job runs one submit at a time on local[1]: --convolutions winograd-where-faster, direct, and direct with oneDNN held
to AVX2 (DNNL_MAX_CPU_ISA=AVX2, no AVX-512: no Winograd at all), then the default under AVX2 (which runs direct: the rows' kernels say AVX2).
Also PyTorch in float32 (the same code), as a yardstick of what float32 rounding alone does to this ascent, and with
--with-reference the job's float64 engine (--engine reference), which checks that the two recipes are the same.
Prints the per-filter table (loss, relative difference to PyTorch fp64) and the medians of the absolute differences.

    /usr/bin/python3 scripts/convolutions_fidelity.py [--layer /22/Relu_output_0] [--filters 0:6] [--steps 64] [--size 64]
        [--with-reference]

Run from the repository root after `mvn -B -ntp -q -o package -DskipTests`; files go to --work
(/tmp/filterviz-convolutions), never into the repository.
"""
import argparse
import csv
import datetime
import json
import math
import os
import statistics
import subprocess
import sys

import onnx
import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_torch_eval import run_node  # noqa: E402  (float64 ONNX nodes with torch.nn.functional)
from onnx import numpy_helper  # noqa: E402

torch.set_default_dtype(torch.float64)

MEAN = [0.485, 0.456, 0.406]  # --preprocess torch: (x/255 - mean) / std, ImageNet's
STD = [0.229, 0.224, 0.225]
REDIRECTED_STEPS = 17  # --redirected-relu-steps' default (Lucid's global steps 0-16)


class RedirectedReLU(torch.autograd.Function):
    """Lucid's redirected ReLU gradient, per image, as src/test/python/lucid_deterministic_reference.py writes it
    (this script minimises -loss, so g is -d loss / d y): the plain gradient where it is nonzero anywhere in the
    image's tensor, else g except where x <= 0 and g > 0."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        zero = torch.zeros_like(g)
        plain = torch.where(x > 0, g, zero)
        redirected = torch.where((x <= 0) & (g > 0), zero, g)
        passes = plain.reshape(plain.shape[0], -1).abs().sum(dim=1) > 0
        return torch.where(passes.view(-1, *([1] * (g.dim() - 1))), plain, redirected)


def export(path, seed):
    torch.set_default_dtype(torch.float32)  # the init draws in float32, as torchvision's own
    torch.manual_seed(seed)
    model = torchvision.models.vgg16().features.eval()
    torch.onnx.export(model, torch.zeros(1, 3, 64, 64, dtype=torch.float32), path, opset_version=13,
                      input_names=['input'], dynamic_axes={'input': {2: 'height', 3: 'width'}})
    torch.set_default_dtype(torch.float64)


def network(model, target, dtype):
    """The file's graph up to target, in dtype: x (N, 3, H, W, network units) -> target tensor."""
    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()).to(dtype) for i in model.graph.initializer}
    nodes = []
    for node in model.graph.node:
        nodes.append(node)
        if target in node.output:
            break
    else:
        raise SystemExit(f'--layer {target} is not a tensor of the model')

    def run(x, redirect):
        values = dict(weights)
        values[model.graph.input[0].name] = x
        for node in nodes:
            ins = [values[n] if n else None for n in node.input]
            if node.op_type == 'Relu' and redirect:
                outs = [RedirectedReLU.apply(ins[0])]
            else:
                outs = run_node(node, ins)
            for name, t in zip(node.output, outs):
                values[name] = t
        return values[target]
    return run


def pytorch_losses(onnx_path, target, filters, steps, size, dtype=torch.float64):
    """Final loss per filter of the deterministic form, in dtype (float64; float32 as a yardstick of rounding)."""
    torch.set_default_dtype(dtype)
    net = network(onnx.load(onnx_path), target, dtype)
    n = len(filters)
    fy = torch.fft.fftfreq(size)[:, None]
    fx = torch.fft.rfftfreq(size)[None, :]
    scale = math.sqrt(size * size) / torch.clamp(torch.sqrt(fx * fx + fy * fy), min=1.0 / size)  # --fft-decay 1
    c = torch.tensor([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
    c = c / c.norm(dim=0).max()
    spectrum = torch.zeros(2, n, 3, size, size // 2 + 1, requires_grad=True)  # --init-sd 0: flat grey
    opt = torch.optim.Adam([spectrum], lr=0.05, betas=(0.9, 0.999), eps=1e-8)
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    index = torch.tensor(filters)

    def image():
        t = torch.fft.irfft2(torch.complex(spectrum[0], spectrum[1]) * scale, s=(size, size)) / 4
        t = torch.einsum('nchw,dc->ndhw', t, c)
        return torch.sigmoid(t) * 255

    def objective(redirect):
        y = net((image() / 255 - mean) / std, redirect)
        return y[torch.arange(n), index].mean(dim=(1, 2))  # each filter's channel mean, in its own image

    for step in range(steps):
        opt.zero_grad()
        (-objective(step < REDIRECTED_STEPS).sum()).backward()
        opt.step()
    with torch.no_grad():
        losses = dict(zip(filters, objective(False).tolist()))
    torch.set_default_dtype(torch.float64)
    return losses


def ours(args, name, convolutions, env, engine='onednn'):
    out = os.path.join(args.work, name)
    command = ['./submit.sh', '--model', args.onnx, '--preprocess', 'torch', '--preset', 'lucid', '--transforms', 'none',
               '--init-sd', '0', '--steps', str(args.steps), '--output-dim', str(args.size), '--layer', args.layer,
               '--filter-range', args.filters, '--engine', engine, '--convolutions', convolutions, '--master', 'local[1]',
               '--overwrite',
               '--out', out]
    shown = ' '.join(f'{k}={v}' for k, v in env.items()) + (' ' if env else '') + ' '.join(command)
    print(f'# {datetime.datetime.utcnow():%H:%M:%S} UTC: {shown}', file=sys.stderr, flush=True)
    done = subprocess.run(command, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        raise SystemExit(f'{shown} exited {done.returncode}:\n{done.stdout}')
    with open(os.path.join(out, 'results.csv')) as f:
        losses = {int(r['filter']): float(r['loss']) for r in csv.DictReader(f)}
    with open(os.path.join(out, 'run.json')) as f:
        recorded = json.load(f)['recipe']['convolutions']
    return losses, recorded


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--layer', default='/22/Relu_output_0', help="a tensor of vgg16().features' export (block4_conv3's ReLU)")
    p.add_argument('--filters', default='0:6', help='LO:HI, as --filter-range')
    p.add_argument('--steps', type=int, default=64)
    p.add_argument('--size', type=int, default=64)
    p.add_argument('--seed', type=int, default=0, help="torch.manual_seed of the network's random init")
    p.add_argument('--work', default='/tmp/filterviz-convolutions')
    p.add_argument('--with-reference', action='store_true',
                   help='also run --engine reference (float64 in Java: the recipe check; about 8 s a step at 64 px)')
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)
    args.onnx = os.path.join(args.work, 'vgg16_features.onnx')
    export(args.onnx, args.seed)
    lo, hi = (int(v) for v in args.filters.split(':'))
    filters = list(range(lo, hi))
    started = datetime.datetime.utcnow()
    print(f'# {started:%Y-%m-%d %H:%M:%S} UTC: PyTorch {torch.__version__} float64, {args.layer}, filters '
          f'{args.filters}, {args.steps} steps at {args.size} px', file=sys.stderr, flush=True)
    reference = pytorch_losses(args.onnx, args.layer, filters, args.steps, args.size)
    print(f'# {datetime.datetime.utcnow():%H:%M:%S} UTC: PyTorch float32', file=sys.stderr, flush=True)
    torch32 = pytorch_losses(args.onnx, args.layer, filters, args.steps, args.size, torch.float32)
    runs = [('winograd-where-faster', 'winograd-where-faster', {}),
            ('direct', 'direct', {}),
            ('direct, AVX2', 'direct', {'DNNL_MAX_CPU_ISA': 'AVX2'}),
            ('winograd-where-faster, AVX2', 'winograd-where-faster', {'DNNL_MAX_CPU_ISA': 'AVX2'})]
    results = {'PyTorch fp32': (torch32, 'its own')}
    for label, convolutions, env in runs:
        results[label] = ours(args, label.replace(', ', '-').replace(' ', '-'), convolutions, env)
    if args.with_reference:
        runs.append(('reference engine (fp64)', 'direct', {}))
        results['reference engine (fp64)'] = ours(args, 'reference', 'direct', {}, 'reference')
    print(f'# {datetime.datetime.utcnow():%H:%M:%S} UTC: done', file=sys.stderr)

    labels = ['PyTorch fp32'] + [label for label, _, _ in runs]
    print(f'{args.layer} of vgg16().features, init seed {args.seed}, filters {args.filters}, --steps {args.steps} '
          f'--output-dim {args.size}, '
          f'from {started:%Y-%m-%d %H:%M} UTC; relative difference = ours / PyTorch fp64 - 1')
    print()
    print('| filter | PyTorch fp64 | ' + ' | '.join(label if label.startswith('PyTorch') else
                                                 f'`{label}` (run.json: `{results[label][1]}`)' for label in labels) + ' |')
    print('|---' * (2 + len(labels)) + '|')
    diffs = {label: [] for label in labels}
    for f in filters:
        cells = []
        for label in labels:
            loss = results[label][0][f]
            d = loss / reference[f] - 1 if reference[f] != 0 else float('nan')
            diffs[label].append(abs(d))
            cells.append(f'{loss:.5g} ({100 * d:+.2f} %)')
        print(f'| {f} | {reference[f]:.5g} | ' + ' | '.join(cells) + ' |')
    print('| median \\|difference\\| | | ' + ' | '.join(f'**{100 * statistics.median(diffs[label]):.2f} %**'
                                                      for label in labels) + ' |')
    print('| largest \\|difference\\| | | ' + ' | '.join(f'{100 * max(diffs[label]):.2f} %' for label in labels) + ' |')


if __name__ == '__main__':
    main()
