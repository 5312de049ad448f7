#!/usr/bin/python3
"""Classifies PNG pictures with the committed Fashion-MNIST network, read from its ONNX file.

Each picture (grey or RGB, any size) is converted to 8-bit grey, resized to 28x28 with PIL's bilinear filter and
divided by 255, as the network was trained. Prints the predicted class and the softmax for each file.
--expect gives each file's own class (a comma-separated list, or 'name': the last number in the file name); then
the script prints how many were classified as their own class and exits 1 if fewer than --min-correct.

Usage: /usr/bin/python3 scripts/classify_pictures.py [--expect name|3,1,...] [--min-correct N] a.png b.png ...
"""
import argparse
import os
import re
import sys

import numpy as np
import onnx
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_torch_eval  # noqa: E402

DEFAULT_MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'test', 'resources', 'models',
                             'fashion_mnist_cnn.onnx')
CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']


def load_picture(path):
    image = Image.open(path)
    if image.mode in ('I;16', 'I;16B', 'I'):  # 16-bit grey: scale to 8 bits before 'L' clips it
        image = Image.fromarray((np.asarray(image, dtype=np.float64) / 257).round().astype(np.uint8))
    image = image.convert('L').resize((28, 28), Image.BILINEAR)
    return torch.from_numpy(np.asarray(image, dtype=np.float64) / 255).view(1, 1, 28, 28)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('pictures', nargs='+')
    parser.add_argument('--model', default=DEFAULT_MODEL)
    parser.add_argument('--expect', help="each file's own class: 'name' (last number in the file name) or a list")
    parser.add_argument('--min-correct', type=int, default=0)
    args = parser.parse_args()
    model = onnx.load(args.model)
    input_name = model.graph.input[0].name
    if args.expect is None:
        expected = [None] * len(args.pictures)
    elif args.expect == 'name':
        expected = [int(re.findall(r'\d+', os.path.basename(p))[-1]) for p in args.pictures]
    else:
        expected = [int(c) for c in args.expect.split(',')]
        if len(expected) != len(args.pictures):
            parser.error('--expect needs one class per picture')
    correct = 0
    for path, want in zip(args.pictures, expected):
        logits = onnx_torch_eval.evaluate(model, {input_name: load_picture(path)})['logits'][0]
        softmax = torch.softmax(logits, 0)
        got = int(logits.argmax())
        verdict = '' if want is None else ('  ok' if got == want else f'  WRONG (expected {want} {CLASSES[want]})')
        correct += got == want
        print(f'{path}: {got} {CLASSES[got]} p={softmax[got]:.3f}{verdict}  softmax='
              + ' '.join(f'{p:.3f}' for p in softmax.tolist()))
    if args.expect is not None:
        print(f'{correct}/{len(args.pictures)} classified as their own class')
        if correct < args.min_correct:
            sys.exit(1)


if __name__ == '__main__':
    main()
