"""Reference values for LucidRendererTest: the Lucid recipe's deterministic form (--transforms none --init-sd 0)
written with PyTorch (irfft2, autograd, torch.optim.Adam), in float64, on a smooth stand-in for a network:
    loss = 10 + mean(a * x - (x - 100)^2 / 1000),  a_i = sin(0.7 i) + 0.3 cos(1.9 i),
x the channels-first image in pixel units (0..255), i its flat index. Prints the loss the objective sees at each
step and at the end (the final image), for 3 and 1 channels at 16 x 16, 10 steps.

    /usr/bin/python3 src/test/python/lucid_deterministic_reference.py
"""
import math

import torch

torch.set_default_dtype(torch.float64)


def run(channels, size, steps):
    fy = torch.fft.fftfreq(size)[:, None]
    fx = torch.fft.rfftfreq(size)[None, :]
    scale = math.sqrt(size * size) / torch.clamp(torch.sqrt(fx * fx + fy * fy), min=1.0 / size)
    c = torch.tensor([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
    c = c / c.norm(dim=0).max()
    spectrum = torch.zeros(2, channels, size, size // 2 + 1, requires_grad=True)  # --init-sd 0
    n = channels * size * size
    i = torch.arange(n, dtype=torch.float64)
    a = torch.sin(0.7 * i) + 0.3 * torch.cos(1.9 * i)
    opt = torch.optim.Adam([spectrum], lr=0.05, betas=(0.9, 0.999), eps=1e-8)

    def image():
        t = torch.fft.irfft2(torch.complex(spectrum[0], spectrum[1]) * scale, s=(size, size)) / 4
        if channels == 3:
            t = torch.einsum('chw,dc->dhw', t, c)
        return torch.sigmoid(t) * 255

    def objective(x):
        x = x.flatten()
        return 10 + (a * x - (x - 100) ** 2 / 1000).mean()

    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = objective(image())  # transforms none: the network sees the image itself
        losses.append(loss.item())
        (-loss).backward()
        opt.step()
    with torch.no_grad():
        losses.append(objective(image()).item())
    return losses


for channels in (3, 1):
    print(f'{channels} channels, 16 x 16, 10 steps, loss at each step then at the end:')
    print(', '.join(repr(v) for v in run(channels, 16, 10)))
