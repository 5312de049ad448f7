#!/usr/bin/env bash
# One ascent step of a torchvision network at 224 x 224 in filterviz (`./submit.sh bench --model`) against PyTorch
# (scripts/torch_model_step.py) on the same CPU, alternating ours and theirs for ROUNDS rounds (issue 27), fp32 and
# bf16. The summary gives each side's median ms per step and the ratio of the medians. Run from the repository root:
#   scripts/model_speed_rounds.sh vit_b_16 /tmp/zoo/vit_b_16.onnx /encoder/layers/encoder_layer_6/mlp/mlp.1/Mul_1_output_0
# Arguments: the torchvision name (vit_b_16, convnext_tiny, swin_t, resnet50), its ONNX export
# (scripts/export_torchvision_zoo.py), and the ONNX tensor of the same target as torch_model_step.py's TARGETS.
# Environment: ROUNDS (3), THREADS (2), PRECISION (fp32,bf16).
set -euo pipefail
name="$1" onnx="$2" layer="$3"
rounds="${ROUNDS:-3}" threads="${THREADS:-2}" precision="${PRECISION:-fp32,bf16}"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), $(uptime)" >&2
log="$(mktemp)"
for round in $(seq 1 "$rounds"); do
  echo "round $round: ours $(date -u +%H:%M:%S)" >&2
  ./submit.sh bench --model "$onnx" --preprocess torch --layer "$layer" --sizes 224 --precision "$precision" \
    --threads "$threads" 2>/dev/null | grep '^bench: size=' | sed "s/^/round=$round ours /" | tee -a "$log" >&2
  echo "round $round: torch $(date -u +%H:%M:%S)" >&2
  /usr/bin/python3 scripts/torch_model_step.py --model "$name" --size 224 --precision "$precision" \
    --threads "$threads" 2>/dev/null | sed "s/^/round=$round torch /" | tee -a "$log" >&2
done
/usr/bin/python3 - "$log" <<'PY'
import re, statistics, sys
rows = open(sys.argv[1]).read().splitlines()
def medians(side, precision):
    values = [float(m.group(1)) for r in rows if f' {side} ' in r and f'precision={precision}' in r
              for m in [re.search(r'median_ms_per_step=([0-9.]+)', r)] if m]
    return statistics.median(values) if values else None
for precision in ('fp32', 'bf16'):
    ours, torch = medians('ours', precision), medians('torch', precision)
    if ours is None:
        continue
    torch32 = medians('torch', 'fp32')
    ratio = f'{ours / torch:.2f}x' if torch else 'torch unsupported'
    extra = f', vs torch fp32 {ours / torch32:.2f}x' if precision == 'bf16' and torch32 else ''
    print(f'summary: precision={precision} ours_median_ms={ours:.1f} torch_median_ms='
          f'{torch if torch else float("nan"):.1f} ratio={ratio}{extra}')
PY
