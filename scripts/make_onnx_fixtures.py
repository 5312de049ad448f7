#!/usr/bin/python3
"""Writes the ONNX test fixtures of issues 15 and 27 and PyTorch's reference values for them.

Issue 15: real torchvision architectures (resnet18, mobilenet_v2, googlenet, densenet121) at reduced width, random
weights with a fixed seed, BatchNorm in eval mode with non-trivial statistics, plus a small hand-built 'zoo' network
with the operators those four do not have.
Issue 27: torchvision's VisionTransformer ('vit'), SwinTransformer ('swin'), ConvNeXt ('convnext') and ShuffleNetV2
('shufflenet_v2') at reduced depth and width, exported as torch.onnx.export writes them (nothing simplified), with
LayerNorm scale/shift, biases and layer scales randomised so that none of them is an identity.
Usage: /usr/bin/python3 scripts/make_onnx_fixtures.py [--list] [--out-dir DIR] [names...]
"""
import argparse
import math
import os
import sys
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import onnx
import torch
import torch.nn as nn
from torchvision.models import (ConvNeXt, DenseNet, GoogLeNet, ResNet, ShuffleNetV2, SwinTransformer,
                                VisionTransformer, mobilenet_v2)
from torchvision.models.convnext import CNBlockConfig
from torchvision.models.googlenet import BasicConv2d, Inception
from torchvision.models.resnet import BasicBlock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_common  # noqa: E402
import onnx_torch_eval  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'test', 'resources', 'models')
NUM_CLASSES = 10


class NarrowResNet18(ResNet):
    """torchvision's ResNet-18 (BasicBlock, [2, 2, 2, 2]) with its widths 64..512 divided by 4; same module names,
    so the same ONNX tensor names as the full network."""

    def __init__(self, widths=(16, 32, 64, 128)):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes, self.dilation, self.groups, self.base_width = widths[0], 1, 1, 64
        self.conv1 = nn.Conv2d(3, widths[0], kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(BasicBlock, widths[0], 2)
        self.layer2 = self._make_layer(BasicBlock, widths[1], 2, stride=2)
        self.layer3 = self._make_layer(BasicBlock, widths[2], 2, stride=2)
        self.layer4 = self._make_layer(BasicBlock, widths[3], 2, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[3], NUM_CLASSES)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')


class NarrowGoogLeNet(GoogLeNet):
    """torchvision's GoogLeNet (aux_logits=False, init_weights=True, transform_input=False) with every channel
    count divided by 4; same Inception blocks, module names and forward, so the same operators and tensor names."""

    def __init__(self, d=4):
        nn.Module.__init__(self)
        self.aux_logits, self.transform_input = False, False
        self.conv1 = BasicConv2d(3, 64 // d, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(64 // d, 64 // d, kernel_size=1)
        self.conv3 = BasicConv2d(64 // d, 192 // d, kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)

        def inception(*channels):
            return Inception(*[c // d for c in channels])

        self.inception3a = inception(192, 64, 96, 128, 16, 32, 32)
        self.inception3b = inception(256, 128, 128, 192, 32, 96, 64)
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception4a = inception(480, 192, 96, 208, 16, 48, 64)
        self.inception4b = inception(512, 160, 112, 224, 24, 64, 64)
        self.inception4c = inception(512, 128, 128, 256, 24, 64, 64)
        self.inception4d = inception(512, 112, 144, 288, 32, 64, 64)
        self.inception4e = inception(528, 256, 160, 320, 32, 128, 128)
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        self.inception5a = inception(832, 256, 160, 320, 32, 128, 128)
        self.inception5b = inception(832, 384, 192, 384, 48, 128, 128)
        self.aux1 = self.aux2 = None
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=0.2)
        self.fc = nn.Linear(1024 // d, NUM_CLASSES)
        for m in self.modules():  # torchvision's init_weights=True
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.trunc_normal_(m.weight, mean=0.0, std=0.01, a=-2, b=2)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)


class SqueezeExcite(nn.Module):
    """MobileNetV3's: GlobalAveragePool -> 1x1 conv -> ReLU -> 1x1 conv -> HardSigmoid -> Mul."""

    def __init__(self, channels, squeezed):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, squeezed, 1)
        self.relu = nn.ReLU()
        self.fc2 = nn.Conv2d(squeezed, channels, 1)
        self.gate = nn.Hardsigmoid()

    def forward(self, x):
        return x * self.gate(self.fc2(self.relu(self.fc1(self.pool(x)))))


class Zoo(nn.Module):
    """The operators issue 15 lists that the four architectures do not contain: LeakyRelu, Sigmoid, HardSigmoid,
    HardSwish, Mul (squeeze-excitation and a sigmoid gate), AveragePool with ceil_mode and either count_include_pad,
    Pad (asymmetric), a stride-2 dilated conv, BatchNormalization after a Pad, and a MatMul + Add head."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.leaky = nn.LeakyReLU(0.1)
        self.pad = nn.ZeroPad2d((1, 2, 0, 1))  # left, right, top, bottom
        self.bn = nn.BatchNorm2d(8)  # after a Pad: stays a BatchNormalization node
        self.conv2 = nn.Conv2d(8, 16, 3, dilation=2, padding=1)
        self.hswish = nn.Hardswish()
        self.se = SqueezeExcite(16, 4)
        self.pool1 = nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
        self.conv3 = nn.Conv2d(16, 16, 3, padding=1)
        self.gate_conv = nn.Conv2d(16, 16, 1)
        self.sigmoid = nn.Sigmoid()
        # count_include_pad=True: torch exports it as Pad (a Constant's pads) + AveragePool(ceil_mode=1, pads 0)
        self.pool2 = nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.weight = nn.Parameter(torch.randn(16, NUM_CLASSES) * 0.5)
        self.bias = nn.Parameter(torch.randn(NUM_CLASSES) * 0.1)

    def forward(self, x):
        x = self.leaky(self.conv1(x))
        x = self.hswish(self.conv2(self.bn(self.pad(x))))
        x = self.pool1(self.se(x))
        x = self.conv3(x)
        x = self.pool2(x * self.sigmoid(self.gate_conv(x)))
        return torch.flatten(self.gap(x), 1) @ self.weight + self.bias


def randomise_batchnorm(model, height, width, generator):
    """Running statistics from a few random inputs (so every BN is a real affine map that keeps activations of
    order one), then random scale and shift."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    if not bns:
        return
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(4, 3, height, width, generator=generator))
        for bn in bns:
            bn.momentum = 0.1
            bn.weight.copy_(torch.rand(bn.num_features, generator=generator) + 0.5)
            bn.bias.copy_(torch.randn(bn.num_features, generator=generator) * 0.2)
    model.eval()


def randomise_transformer_weights(model, generator):
    """What torchvision's transformer and ConvNeXt inits leave trivial, made random: every LayerNorm's scale
    (0.5..1.5) and shift (N(0, 0.2^2)); every parameter the init leaves at zero or near it (biases at 0 or
    N(0, 1e-6^2), ViT's class token and zero head, ConvNeXt's layer scale 1e-6): layer scales 0.5..1.5, vectors
    N(0, 0.2^2), matrices N(0, 1/fan_in); Linear and Conv weights N(0, 1/fan_in) instead of trunc_normal(0.02),
    so that pre-activations are of order one and GELU and softmax work off their linear parts; Swin's relative
    position bias table N(0, 1) instead of trunc_normal(0.02), so that a wrong Gather of it shows."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.LayerNorm):  # also torchvision's LayerNorm2d
                n = module.normalized_shape[0]
                module.weight.copy_(torch.rand(n, generator=generator) + 0.5)
                module.bias.copy_(torch.randn(n, generator=generator) * 0.2)
            elif isinstance(module, (nn.Linear, nn.Conv2d)):
                fan_in = module.weight[0].numel()
                module.weight.copy_(torch.randn(module.weight.shape, generator=generator) / math.sqrt(fan_in))
        for name, p in model.named_parameters():
            if name.endswith('relative_position_bias_table'):
                p.copy_(torch.randn(p.shape, generator=generator))
            elif p.abs().max().item() < 1e-4:
                if name.endswith('layer_scale'):
                    p.copy_(torch.rand(p.shape, generator=generator) + 0.5)
                elif p.dim() == 1:
                    p.copy_(torch.randn(p.shape, generator=generator) * 0.2)
                else:
                    p.copy_(torch.randn(p.shape, generator=generator) / math.sqrt(p[0].numel()))


@dataclass
class Fixture:
    builder: object
    opset: int
    height: int  # the test image's size; a fixed_size file is exported at it
    width: int
    cases: list  # [(tensor, module path, channel[, unit axis])]; unit axis as fixture_common.objective counts it
    fixed_size: bool = False  # else exported at 64x64 with dynamic height and width
    transformer_init: bool = False  # randomise_transformer_weights after randomise_batchnorm


FIXTURES = {
    'resnet18': Fixture(NarrowResNet18, 13, 64, 80, [
        ('/layer2/layer2.1/relu_1/Relu_output_0', 'layer2.1', 5),
        ('/layer4/layer4.1/relu_1/Relu_output_0', 'layer4.1', 17),
        ('logits', '', 3),
    ]),
    'mobilenet_v2': Fixture(lambda: mobilenet_v2(width_mult=0.25, num_classes=NUM_CLASSES), 13, 71, 64, [
        ('/features/features.4/conv/conv.1/conv.1.2/Clip_output_0', 'features.4.conv.1', 7),
        ('/features/features.18/features.18.2/Clip_output_0', 'features.18', 100),
        ('logits', '', 6),
    ]),
    'googlenet': Fixture(NarrowGoogLeNet, 13, 75, 91, [
        ('/inception3b/Concat_output_0', 'inception3b', 40),
        ('/inception5b/Concat_output_0', 'inception5b', 200),
        ('logits', '', 1),
    ]),
    'densenet121': Fixture(lambda: DenseNet(growth_rate=8, block_config=(6, 12, 24, 16), num_init_features=16,
                                             num_classes=NUM_CLASSES), 13, 64, 72, [
        ('/features/denseblock2/Concat_output_0', 'features.denseblock2', 100),
        ('/features/norm5/BatchNormalization_output_0', 'features.norm5', 200),
        ('logits', '', 8),
    ]),
    'zoo': Fixture(Zoo, 14, 45, 52, [
        ('/se/Mul_output_0', 'se', 3),
        ('/conv3/Conv_output_0', 'conv3', 11),
        ('logits', '', 4),
    ]),
    # Issue 27. ViT: 32x32 in 8x8 patches -> 16 tokens + the class token, 2 encoder layers of width 32.
    'vit': Fixture(lambda: VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=32,
                                             mlp_dim=64, num_classes=NUM_CLASSES), 17, 32, 32, [
        ('/encoder/layers/encoder_layer_1/mlp/mlp.1/Mul_1_output_0', 'encoder.layers.encoder_layer_1.mlp.1', 13, 2),
        ('/encoder/layers/encoder_layer_0/Add_1_output_0', 'encoder.layers.encoder_layer_0', 5, 2),
        ('logits', '', 7),
    ], fixed_size=True, transformer_init=True),
    # Swin: 24x28 -> 6x7 tokens in stage 1, padded to 8x8 for its 4x4 windows; its second block is shifted by
    # (2, 2) (torch.roll, the attention mask over the padded map). Patch merging pads 6x7 to 6x8 -> 3x4, padded to
    # 4x4 in stage 2, one window that covers the map, so no shift there (as in swin_t's last stage at 224x224: a
    # shifted block's mask sub-graph is ~900 nodes, 185 KB; one is enough).
    'swin': Fixture(lambda: SwinTransformer(patch_size=[4, 4], embed_dim=8, depths=[2, 2], num_heads=[2, 4],
                                            window_size=[4, 4], stochastic_depth_prob=0.0,
                                            num_classes=NUM_CLASSES), 17, 24, 28, [
        ('/features/features.1/features.1.1/Add_1_output_0', 'features.1', 5, 3),
        ('/features/features.3/features.3.1/mlp/mlp.1/Mul_1_output_0', 'features.3.1.mlp.1', 50, 3),
        ('logits', '', 2),
    ], fixed_size=True, transformer_init=True),
    # ConvNeXt: stem 4x4/4 to 16 channels, one block, downsample (LayerNorm2d + 2x2/2 conv) to 32, two blocks.
    'convnext': Fixture(lambda: ConvNeXt([CNBlockConfig(16, 32, 1), CNBlockConfig(32, None, 2)],
                                         num_classes=NUM_CLASSES), 17, 44, 60, [
        ('/features/features.1/features.1.0/Add_output_0', 'features.1', 6, 1),
        ('/features/features.3/features.3.1/block/block.4/Mul_1_output_0', 'features.3.1.block.4', 70, 3),
        ('logits', '', 5),
    ], transformer_init=True),
    'shufflenet_v2': Fixture(lambda: ShuffleNetV2([2, 2, 2], [8, 16, 32, 64, 128], num_classes=NUM_CLASSES),
                             13, 67, 75, [
        ('/stage3/stage3.1/Reshape_1_output_0', 'stage3', 20, 1),
        ('/conv5/conv5.2/Relu_output_0', 'conv5', 90, 1),
        ('logits', '', 9),
    ]),
}


def build(name, seed=0):
    fixture = FIXTURES[name]
    torch.manual_seed(seed)
    model = fixture.builder()
    randomise_batchnorm(model, fixture.height, fixture.width, torch.Generator().manual_seed(seed + 1))
    if fixture.transformer_init:
        randomise_transformer_weights(model, torch.Generator().manual_seed(seed + 2))
    return model.eval()


def export(model, path, fixture):
    if fixture.fixed_size:
        torch.onnx.export(model, torch.zeros(1, 3, fixture.height, fixture.width), path,
                          opset_version=fixture.opset, input_names=['input'], output_names=['logits'])
    else:
        torch.onnx.export(model, torch.zeros(1, 3, 64, 64), path, opset_version=fixture.opset, input_names=['input'],
                          output_names=['logits'], dynamic_axes={'input': {2: 'height', 3: 'width'}})


def fold_zoo_pad(path):
    """torch 1.13 exports F.pad's amounts as a sub-graph (ConstantOfShape, Concat, Reshape, Slice with step -1,
    Transpose, Cast) that its constant folding leaves alone. Replace it by the constant it computes, as
    onnx-simplifier or tf2onnx would write it; the reference check on the file proves the value right."""
    model = onnx.load(path)
    pad = next(n for n in model.graph.node if n.name == '/pad/Pad')
    # ZeroPad2d((left 1, right 2, top 0, bottom 1)) -> ONNX [N, C, H, W begins, N, C, H, W ends]
    model.graph.initializer.append(onnx.numpy_helper.from_array(
        np.array([0, 0, 0, 1, 0, 0, 1, 2], dtype=np.int64), '/pad/pads'))
    pad.input[1] = '/pad/pads'
    while True:
        used = {o.name for o in model.graph.output} | {i for n in model.graph.node for i in n.input}
        dead = [n for n in model.graph.node if not any(o in used for o in n.output)]
        if not dead:
            break
        for n in dead:
            model.graph.node.remove(n)
    onnx.save(model, path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('names', nargs='*', default=list(FIXTURES))
    parser.add_argument('--list', action='store_true', help='print node outputs and exit')
    parser.add_argument('--out-dir', default=OUT_DIR, help='where to write (default: the test resources)')
    args = parser.parse_args()
    torch.set_num_threads(2)
    os.makedirs(args.out_dir, exist_ok=True)
    for name in args.names:
        fixture = FIXTURES[name]
        model = build(name)
        path = os.path.join(args.out_dir, f'{name}.onnx')
        export(model, path, fixture)
        if name == 'zoo':
            fold_zoo_pad(path)
        graph = onnx.load(path)
        print(f'{name}: {os.path.getsize(path)} bytes, opset {fixture.opset}, ops {onnx_torch_eval.op_counts(graph)}')
        if args.list:
            for node in graph.graph.node:
                print('   ', node.op_type, list(node.output))
            continue
        fixture_common.write_reference(args.out_dir, name, model, path, 'torch', fixture.height, fixture.width,
                                       fixture.cases)


if __name__ == '__main__':
    main()
