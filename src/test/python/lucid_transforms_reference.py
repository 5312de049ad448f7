"""Reference values for LucidTransformsTest: PyTorch's bilinear resize and rotation as
../shared/bench/torch_speed.py's Lucid recipe calls them (align_corners=False; grid_sample, zero fill).

    /usr/bin/python3 src/test/python/lucid_transforms_reference.py
"""
import math

import torch
import torch.nn.functional as F

torch.set_printoptions(precision=10)
x = torch.arange(20, dtype=torch.float64).reshape(1, 1, 4, 5) ** 1.5  # not linear, so bilinear taps show

# resize: 4x5 -> 3x7 (down in rows, up in columns), as the recipe's F.interpolate
r = F.interpolate(x, size=(3, 7), mode='bilinear', align_corners=False)
print('resize 4x5 -> 3x7, row-major:')
print(', '.join(repr(v) for v in r.flatten().tolist()))

# rotate a 5x5 image by 10 degrees about its centre, as the recipe's affine_grid + grid_sample
y = torch.arange(25, dtype=torch.float64).reshape(1, 1, 5, 5) ** 1.5
a = math.radians(10)
theta = torch.tensor([[math.cos(a), -math.sin(a), 0.0], [math.sin(a), math.cos(a), 0.0]],
                     dtype=torch.float64).unsqueeze(0)
g = F.grid_sample(y, F.affine_grid(theta, list(y.shape), align_corners=False), align_corners=False)
print('rotate 5x5 by 10 degrees, row-major:')
print(', '.join(repr(v) for v in g.flatten().tolist()))
