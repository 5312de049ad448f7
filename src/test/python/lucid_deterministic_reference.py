"""Reference values for LucidRendererTest: the Lucid recipe's deterministic form (--transforms none --init-sd 0)
written with PyTorch (irfft2, autograd, torch.optim.Adam), in float64, on a smooth stand-in for a network:
    loss = 10 + mean(a * x - (x - 100)^2 / 1000),  a_i = sin(0.7 i) + 0.3 cos(1.9 i),
x the channels-first image in pixel units (0..255), i its flat index. Prints the loss the objective sees at each
step and at the end (the final image), for 3 and 1 channels at 16 x 16, 10 steps (LucidRendererTest).
Then the same loop on a small ReLU network that is dead at the flat grey start, with Lucid's redirected ReLU over the
first 17 steps (the default) and over none, 30 steps (LucidRedirectedReluPyTorchTest); see "The redirected ReLU" below.

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


# --- The redirected ReLU (Lucid's optvis/overrides/redirected_relu_grad.py, docs/lucid.md) on a small ReLU network ---
# The network, 3 channels in (pixel units 0..255), weights rounded to float32 (as the Java test builds them):
#   conv1: 1x1, 3 -> 2, w1[o][i] = W1[o][i], b1 = (-7, -6); relu1
#   conv2: 3x3, 2 -> 2, pad 1, w2 flat OIHW index k: 0.3 sin(1.3 k + 0.4) + 0.1, b2 = (-0.5, 0.2); relu2 (the target)
# loss = mean of relu2's channel 0. At the flat grey start (127.5) both of conv1's channels are negative everywhere
# (-0.625 and -0.9) and conv2's channel 0 is -0.5: every ReLU on the way is dead, the loss and the plain gradient are 0.
# The redirected rule, per image (climbing: this script minimises -loss, so the incoming g here is -d loss / d y):
# the plain gradient (0 where x <= 0, PyTorch's choice at 0) if it is nonzero anywhere in the tensor, else the
# redirected one: g, except where x <= 0 and g > 0 (a push that would lower the objective further), which is 0.
W1 = [[0.1, -0.1, 0.05], [0.02, 0.03, -0.01]]
B1 = [-7.0, -6.0]
B2 = [-0.5, 0.2]


def f32(values):
    return torch.tensor(values, dtype=torch.float32).double()


class RedirectedReLU(torch.autograd.Function):
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


def relu_network():
    w1 = f32(W1).view(2, 3, 1, 1)
    b1 = f32(B1)
    w2 = f32([0.3 * math.sin(1.3 * k + 0.4) + 0.1 for k in range(2 * 2 * 3 * 3)]).view(2, 2, 3, 3)
    b2 = f32(B2)

    def loss(x, redirect):
        relu = RedirectedReLU.apply if redirect else torch.relu
        x = x.unsqueeze(0)
        y = relu(torch.nn.functional.conv2d(x, w1, b1))
        z = relu(torch.nn.functional.conv2d(y, w2, b2, padding=1))
        return z[0, 0].mean()
    return loss


def run_relu(size, steps, redirected_steps):
    fy = torch.fft.fftfreq(size)[:, None]
    fx = torch.fft.rfftfreq(size)[None, :]
    scale = math.sqrt(size * size) / torch.clamp(torch.sqrt(fx * fx + fy * fy), min=1.0 / size)
    c = torch.tensor([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
    c = c / c.norm(dim=0).max()
    spectrum = torch.zeros(2, 3, size, size // 2 + 1, requires_grad=True)  # --init-sd 0
    opt = torch.optim.Adam([spectrum], lr=0.05, betas=(0.9, 0.999), eps=1e-8)
    network = relu_network()

    def image():
        t = torch.fft.irfft2(torch.complex(spectrum[0], spectrum[1]) * scale, s=(size, size)) / 4
        return torch.sigmoid(torch.einsum('chw,dc->dhw', t, c)) * 255

    losses = []
    for step in range(steps):
        opt.zero_grad()
        loss = network(image(), step < redirected_steps)
        losses.append(loss.item())
        (-loss).backward()
        opt.step()
    with torch.no_grad():
        losses.append(network(image(), False).item())
    return losses


for redirected_steps in (17, 0):
    print(f'ReLU network, 3 channels, 16 x 16, 30 steps, {redirected_steps} redirected, loss at each step then at the end:')
    print(', '.join(repr(v) for v in run_relu(16, 30, redirected_steps)))
