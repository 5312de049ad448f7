#!/bin/sh
# Regenerates README's Fashion-MNIST pictures (docs/pictures/fashion-mnist/) with the job itself, at the defaults,
# from the committed trained network (scripts/train_fashion_mnist.py made it). About a minute on 2 cores.
set -e
cd "$(dirname "$0")/.."
MODEL=src/test/resources/models/fashion_mnist_cnn.onnx
DOCS=docs/pictures/fashion-mnist
TMP=$(mktemp -d)
./submit.sh --model $MODEL --preprocess unit --layer logits --master 'local[2]' --out "$TMP/classes"
./submit.sh --model $MODEL --preprocess unit --layer all --master 'local[2]' --out "$TMP/filters"
mkdir -p $DOCS
cp "$TMP"/classes/filters/logits_000?.png $DOCS/
cp "$TMP"/filters/fashion_mnist_cnn_relu2_Relu_output_0_*.png "$TMP"/filters/fashion_mnist_cnn_relu3_Relu_output_0_*.png $DOCS/
# the network's own verdict on its class pictures (needs Debian's python3-torch and python3-onnx)
/usr/bin/python3 scripts/classify_pictures.py --expect name --min-correct 9 $DOCS/logits_000?.png
