#!/bin/sh
# Regenerates README's side-by-side pictures of the two recipes (docs/pictures/lucid/*.png): the same 8 filters of
# VGG16's block5_conv1 on random weights, and the trained Fashion-MNIST network's 10 class pictures, under
# --preset keras and --preset lucid; prints each set's share of spectral energy above half Nyquist
# (./submit.sh bench spectral) and the network's verdict on its class pictures. About 15 minutes on 2 cores.
set -e
cd "$(dirname "$0")/.."
MODEL=src/test/resources/models/fashion_mnist_cnn.onnx
DOCS=docs/pictures/lucid
TMP=$(mktemp -d)
run() { out=$1; shift; ./submit.sh "$@" --master 'local[2]' --out "$TMP/$out"; }
run vgg-keras --weights random --filter-range 0:8 --output-dim 128
run vgg-lucid --weights random --filter-range 0:8 --preset lucid
run fmnist-keras --model $MODEL --preprocess unit --layer logits
run fmnist-lucid --model $MODEL --preprocess unit --layer logits --preset lucid
run fmnist-lucid-112 --model $MODEL --preprocess unit --layer logits --preset lucid --output-dim 112
for r in vgg-keras vgg-lucid fmnist-keras fmnist-lucid fmnist-lucid-112; do
  echo "$r: $(./submit.sh bench spectral "$TMP/$r/filters" | tail -1)"
done
for r in fmnist-keras fmnist-lucid fmnist-lucid-112; do
  /usr/bin/python3 scripts/classify_pictures.py --expect name "$TMP"/$r/filters/logits_000?.png | tail -1
done
# one strip per run: the filters in order at 112 or 128 px, a blank cell marked "dead" where a filter died
mkdir -p $DOCS
/usr/bin/python3 - "$TMP" $DOCS <<'PY'
import os, sys
from PIL import Image, ImageDraw
tmp, docs = sys.argv[1], sys.argv[2]
for run, count, side in [('vgg-keras', 8, 128), ('vgg-lucid', 8, 128), ('fmnist-keras', 10, 112),
                         ('fmnist-lucid', 10, 112), ('fmnist-lucid-112', 10, 112)]:
    layer = 'block5_conv1' if run.startswith('vgg') else 'logits'
    strip = Image.new('RGB', (count * (side + 4) - 4, side), 'white')
    for i in range(count):
        path = os.path.join(tmp, run, 'filters', '%s_%04d.png' % (layer, i))
        if os.path.exists(path):  # nearest neighbour: a 28 px picture's own pixels, enlarged
            strip.paste(Image.open(path).convert('RGB').resize((side, side), Image.NEAREST), (i * (side + 4), 0))
        else:
            ImageDraw.Draw(strip).text((i * (side + 4) + side // 2 - 12, side // 2 - 5), 'dead', fill='black')
    strip.save(os.path.join(docs, run + '.png'))
PY
