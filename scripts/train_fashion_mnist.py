#!/usr/bin/python3
"""Trains a small CNN on Fashion-MNIST (Debian's dataset-fashion-mnist), exports it to ONNX with a fixed 1x1x28x28
input, and writes PyTorch's reference values for it. About a minute on 2 idle cores (7 to 27 minutes
measured while other jobs loaded the machine); --reference-only skips the training.

The network takes pixel/255 ('unit' preprocessing), one grey channel; its output tensor is named 'logits'.
Usage: /usr/bin/python3 scripts/train_fashion_mnist.py [--reference-only]
"""
import argparse
import gzip
import os
import sys
import time

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_common  # noqa: E402

DATA_DIR = '/usr/share/datasets/fashion-mnist'
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'test', 'resources', 'models')
CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']


class FashionCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.relu3 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.fc = nn.Linear(64 * 7 * 7, len(CLASSES))

    def forward(self, x):
        x = self.pool1(self.relu2(self.conv2(self.relu1(self.conv1(x)))))
        x = self.pool2(self.relu3(self.conv3(x)))
        return self.fc(torch.flatten(x, 1))


def read_idx(kind, split):
    """IDX files: a 16-byte header for images, 8 for labels, then unsigned bytes."""
    name = f'{split}-{kind}-ubyte.gz'
    with gzip.open(os.path.join(DATA_DIR, name), 'rb') as f:
        data = f.read()
    if kind == 'images-idx3':
        return torch.from_numpy(np.frombuffer(data, np.uint8, offset=16).reshape(-1, 1, 28, 28).copy())
    return torch.from_numpy(np.frombuffer(data, np.uint8, offset=8).astype(np.int64))


def accuracy(model, images, labels):
    model.eval()
    with torch.no_grad():
        predicted = torch.cat([model(images[i:i + 1000].float() / 255).argmax(1) for i in range(0, len(images), 1000)])
    return (predicted == labels).float().mean().item()


def load_from_onnx(path):
    """The module again, with the weights exactly as the ONNX file holds them (torch names its initializers after
    the state_dict), so the reference values are computed from the file."""
    weights = {i.name: torch.from_numpy(onnx.numpy_helper.to_array(i).copy()) for i in onnx.load(path).graph.initializer}
    model = FashionCnn()
    model.load_state_dict(weights)
    return model.eval()


def train(train_x, train_y):
    model = FashionCnn()
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    start = time.time()
    for epoch in range(2):
        model.train()
        order = torch.randperm(len(train_x))
        for i in range(0, len(order), 64):
            batch = order[i:i + 64]
            optimiser.zero_grad()
            loss = loss_fn(model(train_x[batch].float() / 255), train_y[batch])
            loss.backward()
            optimiser.step()
        print(f'epoch {epoch + 1}: last batch loss {loss.item():.4f}, {time.time() - start:.0f} s')
    return model.eval()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--reference-only', action='store_true',
                        help='keep the ONNX file, recompute the test accuracy and the reference values from it')
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    path = os.path.join(OUT_DIR, 'fashion_mnist_cnn.onnx')
    if not args.reference_only:
        model = train(read_idx('images-idx3', 'train'), read_idx('labels-idx1', 'train'))
        os.makedirs(OUT_DIR, exist_ok=True)
        torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, opset_version=13, input_names=['input'],
                          output_names=['logits'])
        print(f'{path}: {os.path.getsize(path)} bytes')
    model = load_from_onnx(path)
    test_x, test_y = read_idx('images-idx3', 't10k'), read_idx('labels-idx1', 't10k')
    test_accuracy = accuracy(model, test_x, test_y)
    print(f'test accuracy {test_accuracy:.4f} on {len(test_x)} images')
    fixture_common.write_reference(OUT_DIR, 'fashion_mnist_cnn', model, path, 'unit', 28, 28, [
        ('/relu2/Relu_output_0', 'relu2', 5),
        ('/relu3/Relu_output_0', 'relu3', 19),
        ('logits', '', 3),
    ], extra={'test_accuracy': test_accuracy, 'test_images': len(test_x), 'classes': CLASSES,
              'training': '2 epochs, Adam lr 1e-3, batch 64, cross-entropy, torch.manual_seed(0), 2 threads'})


if __name__ == '__main__':
    main()
