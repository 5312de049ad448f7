#!/bin/sh
# Makes README's two screenshots of the dataset examples (src/docs/examples-fashion-mnist.png and
# src/docs/gallery-with-examples.png): the trained Fashion-MNIST model's third convolution, its ascent pictures and
# its top 9 of the 10,000 test images, in one --out. Needs Debian's dataset-fashion-mnist and chromium. A few minutes.
set -e
cd "$(dirname "$0")/.."
MODEL=src/test/resources/models/fashion_mnist_cnn.onnx
LAYER=/relu3/Relu_output_0
TMP=$(mktemp -d)
mkdir -p "$TMP/src" && cp src/test/java/io/filterviz/examples/FashionMnist.java "$TMP/src/"
cat > "$TMP/src/Write.java" <<'JAVA'
public class Write { public static void main(String[] a) throws Exception {
  io.filterviz.examples.FashionMnist.writePngs("t10k", 10000, java.nio.file.Path.of(a[0])); } }
JAVA
javac -d "$TMP/classes" "$TMP/src/FashionMnist.java" "$TMP/src/Write.java"
java -cp "$TMP/classes" Write "$TMP/images"
./submit.sh --model $MODEL --preprocess unit --layer $LAYER --master 'local[2]' --out "$TMP/out"
./submit.sh examples --model $MODEL --preprocess unit --layer $LAYER --images "$TMP/images" --top 9 --master 'local[2]' --out "$TMP/out"
# the ascent again into the same folder: nothing to compute, its gallery rewritten with the examples' crops
./submit.sh --model $MODEL --preprocess unit --layer $LAYER --master 'local[2]' --out "$TMP/out"
shot() { chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,$3 --screenshot="$2" "file://$1" 2>/dev/null; }
shot "$TMP/out/examples/relu3_Relu_output_0/index.html" src/docs/examples-fashion-mnist.png 900
shot "$TMP/out/index.html" src/docs/gallery-with-examples.png 1250
echo "screenshots from $TMP/out"
