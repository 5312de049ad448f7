#!/usr/bin/env bash
# The example scan's throughput against PyTorch's forward pass, alternating ours and theirs for ROUNDS rounds (issue 16).
# Each round times every batch size on both sides; the summary gives, per batch size, the median images/s of each side
# and the ratio of the medians. Run from the repository root:
#   scripts/scan_speed_rounds.sh fashion_mnist_cnn            # the trained model at 28x28
#   scripts/scan_speed_rounds.sh resnet50 /tmp/resnet50.onnx   # after: scripts/scan_torch_speed.py --model resnet50 --export-onnx /tmp/resnet50.onnx
# Environment: ROUNDS (3), BATCHES (1,4,8,16), THREADS (2), SECONDS_EACH (8 per measurement), LAYER (all),
# TORCH_MKLDNN (set: PyTorch runs its module through torch.utils.mkldnn.to_mkldnn, see scan_torch_speed.py).
set -euo pipefail
model="${1:?fashion_mnist_cnn or resnet50}"
rounds="${ROUNDS:-3}" batches="${BATCHES:-1,4,8,16}" threads="${THREADS:-2}" seconds="${SECONDS_EACH:-8}" layer="${LAYER:-all}"
case "$model" in
  fashion_mnist_cnn) onnx=src/test/resources/models/fashion_mnist_cnn.onnx; preprocess=unit; size=28 ;;
  resnet50) onnx="${2:?the ResNet-50 ONNX file}"; preprocess=torch; size=224 ;;
  *) echo "unknown model $model" >&2; exit 2 ;;
esac
log="$(mktemp)"
for round in $(seq 1 "$rounds"); do
  echo "round $round: filterviz $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)" >&2
  ./submit.sh bench scan --model "$onnx" --preprocess "$preprocess" --layer "$layer" --size "$size" --batch "$batches" \
    --threads "$threads" --seconds "$seconds" 2>/dev/null | grep '^scan-bench:' | sed "s/^/round=$round /" | tee -a "$log"
  echo "round $round: pytorch $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)" >&2
  /usr/bin/python3 scripts/scan_torch_speed.py --model "$model" --size "$size" --batch "$batches" --threads "$threads" \
    --seconds "$seconds" ${TORCH_MKLDNN:+--mkldnn} | sed "s/^/round=$round /" | tee -a "$log"
done
echo "summary (medians of $rounds rounds, images/s):"
awk '
  function val(key,   i, kv) { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == key) return kv[2] } }
  { side = ($2 == "scan-bench:") ? "ours" : "torch"; b = val("batch"); v[side, b] = v[side, b] " " val("images_per_s");
    c[side, b] = c[side, b] " " val("images_per_cpu_s");
    if (side == "ours") f[b] = f[b] " " val("forward_images_per_s"); rss[side] = val("peak_rss_mb") > rss[side] ? val("peak_rss_mb") : rss[side];
    batches[b] = 1 }
  function median(list,   n, a, i, j, t) { n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  END { for (b in batches) { o = median(v["ours", b]); t = median(v["torch", b]);
          oc = median(c["ours", b]); tc = median(c["torch", b]);
          printf "batch=%s ours=%.1f ours_forward_only=%.1f torch=%.1f ratio=%.2f | per CPU-second: ours=%.1f torch=%.1f ratio=%.2f\n",
            b, o, median(f[b]), t, o / t, oc, tc, oc / tc }
        printf "peak RSS: ours %s MB, torch %s MB\n", rss["ours"], rss["torch"] }' "$log" | sort -t= -k2 -n
