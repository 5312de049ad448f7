#!/usr/bin/env bash
# Runs every family of a torchvision zoo export (scripts/export_torchvision_zoo.py) through the job a user runs, with
# small settings, and prints a Markdown table (docs/zoo.md has one such run, issue 27). Per family, from zoo.json:
#  (a) ./submit.sh --model DIR/<name>.onnx --preprocess torch --list-layers, and whether the middle tensor is listed;
#  (b) ./submit.sh ... --layer <middle tensor> --filter-range 0:2 (\$FILTERS) --epochs 3 --upscaling-steps 1 --output-dim <its
#      input size from zoo.json> in local mode into OUT/<name>, then the exit code, the PNGs (each must open, and
#      the per-filter ones must not be one flat colour), wall time and peak RSS (/usr/bin/time -v).
# An engine that fails is followed by the next of $ENGINES (default "onednn"; e.g. ENGINES="onednn reference"; the
# reference engine runs with --master 'local[1]' --driver-memory 6g). FILTERS=LO:HI changes the filter range.
#
# Usage: scripts/zoo_check.sh [ZOO_DIR (default /work/zoo)] [OUT (default /tmp/zoo-out)] [name ...]
# Logs: OUT/<name>/list.txt, OUT/<name>/run-<engine>.log and the *.time files beside them.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
zoo="${1:-/work/zoo}"; out="${2:-/tmp/zoo-out}"; shift $(( $# > 2 ? 2 : $# ))
py=/usr/bin/python3   # needs PIL and numpy
engines="${ENGINES:-onednn}"
filters="${FILTERS:-0:2}"   # --filter-range of each render
json="$zoo/zoo.json"
[ -f "$json" ] || { echo "zoo_check: no $json (run scripts/export_torchvision_zoo.py $zoo first)" >&2; exit 2; }
names=("$@")
[ ${#names[@]} -gt 0 ] || mapfile -t names < <($py -c "import json,sys; print('\n'.join(json.load(open(sys.argv[1]))['families']))" "$json")

# field NAME KEY: one value of the family's entry, as the table shows it
field() {
  $py - "$json" "$1" "$2" <<'EOF'
import json, sys
e = json.load(open(sys.argv[1]))['families'][sys.argv[2]]
m = e.get('middle', {})
k = sys.argv[3]
if k == 'file': print(e.get('file') or '')
elif k == 'export':
    size = f" {e['input_size'][2]}²" if e.get('input_size') else ''
    print(f"opset {e['opset']}, " + (f"fixed{size}" if e.get('fixed_size') else 'free H×W')
          + (f"; failed: {e['error'].splitlines()[0].split('. Please')[0][:160]}" if e.get('error') else ''))
elif k == 'size': print(e['input_size'][2] if e.get('input_size') else '')
elif k == 'tensor': print(m.get('tensor', ''))
elif k == 'units': print(m['shape'][m['unit_axis']] if 'shape' in m else '')
elif k == 'shape': print('×'.join(map(str, m.get('shape', []))))
EOF
}
# peak RSS in MB and wall seconds from a /usr/bin/time -v file
timing() { awk -F': ' '/Maximum resident/ { rss = $2 } /Elapsed \(wall/ { n = split($2, p, ":"); s = 0;
  for (i = 1; i <= n; i++) s = s * 60 + p[i] } END { printf "%.0f s | %.0f MB", s, rss / 1024 }' "$1"; }
# the one line that says why a run failed: its last line naming an error, else its last line
why() { { grep -E 'filterviz: |Exception|Error|error' "$1" | grep -v 'local mode in this JVM' | tail -1; tail -1 "$1"; } \
  | head -1 | cut -c1-300 | sed 's/|/\\|/g'; }
# checks the PNGs: every file opens; the per-filter ones are not one flat colour. Prints "N PNGs" or the problem.
check_pngs() {
  $py - "$1" <<'EOF'
import glob, os, sys
import numpy as np
from PIL import Image
files = sorted(glob.glob(os.path.join(sys.argv[1], '**', '*.png'), recursive=True))
bad = []
for f in files:
    try:
        with Image.open(f) as im:
            im.verify()
        with Image.open(f) as im:
            a = np.asarray(im.convert('RGB'), dtype=np.float32)
        if '/filters/' in f and a.std() < 1.0:
            bad.append(f'{os.path.basename(f)} is flat (std {a.std():.2f})')
    except Exception as e:
        bad.append(f'{os.path.basename(f)}: {e}')
filters = [f for f in files if '/filters/' in f]
print('; '.join(bad) if bad else (f'{len(files)} PNGs ({len(filters)} filters), '
      + (f'{Image.open(filters[0]).size[0]} px' if filters else 'no filter PNG')))
sys.exit(1 if bad or not filters else 0)
EOF
}

echo "| family | export | --list-layers | middle layer (tensor, units) | engine | wall | peak RSS | result |"
echo "|---|---|---|---|---|---|---|---|"
for name in "${names[@]}"; do
  file="$(field "$name" file)"; export_cell="$(field "$name" export)"
  dir="$out/$name"; mkdir -p "$dir"
  if [ -z "$file" ]; then
    echo "| $name | $export_cell | – | – | – | – | – | not exported (torch.onnx.export refused it) |"; continue
  fi
  model="$zoo/$file"; tensor="$(field "$name" tensor)"; units="$(field "$name" units)"
  size="$(field "$name" size)"; shape="$(field "$name" shape)"
  (cd "$here" && /usr/bin/time -v -o "$dir/list.time" nice -n 10 ./submit.sh --model "$model" --preprocess torch \
      --list-layers > "$dir/list.txt" 2> "$dir/list.err")
  list_rc=$?
  if [ $list_rc -ne 0 ]; then
    echo "| $name | $export_cell | fails (exit $list_rc) | \`$tensor\` ($units) | – | $(timing "$dir/list.time") | $(why "$dir/list.err") |"
    continue
  fi
  layers="$(head -1 "$dir/list.txt" | grep -oE '[0-9]+ layers' || echo '? layers')"
  if grep -qF -- " $tensor " "$dir/list.txt"; then listed="ok, $layers"; else listed="ok, $layers, middle not listed"; fi
  result=""; for engine in $engines; do
    rm -rf "$dir/render"
    # the reference engine holds the network in doubles: one task, and room for a ViT-B's 86 M parameters
    extra=(); [ "$engine" != reference ] || extra=(--master 'local[1]' --driver-memory 6g)
    (cd "$here" && /usr/bin/time -v -o "$dir/run-$engine.time" nice -n 10 ./submit.sh "${extra[@]}" --model "$model" \
        --preprocess torch --layer "$tensor" --filter-range "$filters" --epochs 3 --upscaling-steps 1 \
        --output-dim "$size" --engine "$engine" --out "$dir/render" > "$dir/run-$engine.log" 2>&1)
    rc=$?
    if [ $rc -eq 0 ]; then
      pngs="$(check_pngs "$dir/render")"; png_rc=$?
      processed="$(grep -oE '[0-9]+ filters processed: [0-9]+ live, [0-9]+ dead' "$dir/run-$engine.log" | tail -1)"
      if [ $png_rc -eq 0 ]; then result="ok: $pngs; $processed"
      elif grep -q 'filters processed: 0 live' "$dir/run-$engine.log"; then
        result="exit 0, no PNG: $processed (the loss stayed at 0: dead at these random weights)"
      else result="exit 0, but $pngs"; fi
    else
      result="exit $rc: $(why "$dir/run-$engine.log")"
    fi
    echo "| $name | $export_cell | $listed | \`$tensor\` ($shape, $units units) | $engine | $(timing "$dir/run-$engine.time") | $result |"
    case "$result" in ok:*|"exit 0, no PNG"*) break ;; esac   # dead filters are the weights', not the engine's
  done
done
