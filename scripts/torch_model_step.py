#!/usr/bin/python3
"""One gradient-ascent step of a torchvision network in PyTorch, timed: the peer of `./submit.sh bench --model`.

The network (torchvision's architecture, random init: speed does not depend on the weights) runs only up to the
target module; the loss is one unit's mean over every other axis of its output (a channel of N x C x H x W, or of
the last axis of tokens N x T x C and channels-last planes N x H x W x C, as filterviz's objective), the gradient is
taken with respect to the input image only and RMS-normalised, as a step of the Keras recipe does.

  /usr/bin/python3 scripts/torch_model_step.py --model vit_b_16 --size 224 --precision fp32,bf16

Prints one line per precision:
  torch-step: model=vit_b_16 size=224 precision=fp32 threads=2 median_ms_per_step=812.3
bf16 runs under torch.autocast (oneDNN's bf16 kernels where the CPU has AVX512_BF16).
"""
import argparse
import statistics
import time

import torch
import torchvision

# the module whose output is the target, and whether its units are on the last axis
TARGETS = {
    'vit_b_16': ('encoder.layers.encoder_layer_6.mlp.1', True),   # block 7's MLP hidden units after GELU: 197 x 3072
    'convnext_tiny': ('features.5', False),                        # stage 3's output: 384 x 14 x 14
    'swin_t': ('features.5', True),                                # stage 3's output, channels last: 14 x 14 x 384
    'resnet50': ('layer4', False),
}


class ReachedTarget(Exception):
    pass


def truncated(name):
    net = getattr(torchvision.models, name)(weights=None).eval()
    for p in net.parameters():  # the input's gradient only, as filterviz computes
        p.requires_grad_(False)
    module_path, last_axis = TARGETS[name]
    captured = {}

    def hook(module, inputs, output):
        captured['out'] = output
        raise ReachedTarget()

    dict(net.named_modules())[module_path].register_forward_hook(hook)

    def run(x):
        try:
            net(x)
        except ReachedTarget:
            pass
        return captured.pop('out')
    return run, last_axis


def step(run, last_axis, image, unit, precision):
    image = image.detach().requires_grad_(True)
    with torch.autocast('cpu', dtype=torch.bfloat16, enabled=precision == 'bf16'):
        out = run(image)
    out = out.float()
    loss = out[0, ..., unit].mean() if last_axis else out[0, unit].mean()
    grad, = torch.autograd.grad(loss, image)
    grad = grad / (grad.pow(2).mean().sqrt() + 1e-5)
    return loss.item(), grad


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', required=True, choices=sorted(TARGETS))
    ap.add_argument('--size', type=int, default=224)
    ap.add_argument('--precision', default='fp32', help='fp32, bf16, or fp32,bf16')
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    run, last_axis = truncated(a.model)
    image = torch.rand(1, 3, a.size, a.size)
    for precision in a.precision.split(','):
        times = []
        try:
            for i in range(a.warmup + a.steps):
                start = time.perf_counter()
                _, grad = step(run, last_axis, image, 0, precision)
                image = (image + 0.01 * grad).detach()
                if i >= a.warmup:
                    times.append((time.perf_counter() - start) * 1000)
        except RuntimeError as e:  # PyTorch 1.13's CPU autocast has no bf16 LayerNorm of ConvNeXt's channels-first form
            print('torch-step: model=%s size=%d precision=%s threads=%d unsupported: %s'
                  % (a.model, a.size, precision, a.threads, str(e).splitlines()[0]), flush=True)
            continue
        print('torch-step: model=%s size=%d precision=%s threads=%d median_ms_per_step=%.1f'
              % (a.model, a.size, precision, a.threads, statistics.median(times)), flush=True)


if __name__ == '__main__':
    main()
