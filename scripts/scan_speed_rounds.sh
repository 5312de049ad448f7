#!/usr/bin/env bash
# The example scan's throughput against PyTorch's forward pass, alternating ours and theirs for ROUNDS rounds (issue 16).
# Each round times every batch size on both sides; the summary gives, per batch size, the median images/s of each side
# and the ratio of the medians. Run from the repository root:
#   scripts/scan_speed_rounds.sh fashion_mnist_cnn            # the trained model at 28x28
#   scripts/scan_speed_rounds.sh resnet50 /tmp/resnet50.onnx   # after: scripts/scan_torch_speed.py --model resnet50 --export-onnx /tmp/resnet50.onnx
# Environment: ROUNDS (3), BATCHES (1,4,8,16), TORCH_BATCHES (PyTorch's, default BATCHES: give it larger ones too, to
# compare each side's best), THREADS (2: the cores each side uses), TASKS (1: our scans at once, each with
# THREADS/TASKS threads, as Spark runs one task per core: TASKS=2 THREADS=2 is local[2]; PyTorch runs THREADS threads
# in one process), SECONDS_EACH (8 per measurement), LAYER (all), TORCH_MKLDNN (set: PyTorch runs its module through
# torch.utils.mkldnn.to_mkldnn, see scan_torch_speed.py), TORCH_PROCS (1: PyTorch's processes, a list times each:
# 1,2 also times two processes of THREADS/2 threads, PyTorch's way of running as our two tasks do). The summary also gives each side's best batch, and the
# ratio of each round's best to the same round's best.
set -euo pipefail
model="${1:?fashion_mnist_cnn or resnet50}"
rounds="${ROUNDS:-3}" batches="${BATCHES:-1,4,8,16}" threads="${THREADS:-2}" seconds="${SECONDS_EACH:-8}" layer="${LAYER:-all}"
torch_batches="${TORCH_BATCHES:-$batches}" tasks="${TASKS:-1}" torch_procs="${TORCH_PROCS:-1}"
if [ $((threads % tasks)) -ne 0 ]; then echo "THREADS ($threads) must be a multiple of TASKS ($tasks)" >&2; exit 2; fi
echo "machine: $(nproc) cores, $(uptime)" >&2
case "$model" in
  fashion_mnist_cnn) onnx=src/test/resources/models/fashion_mnist_cnn.onnx; preprocess=unit; size=28 ;;
  resnet50) onnx="${2:?the ResNet-50 ONNX file}"; preprocess=torch; size=224 ;;
  *) echo "unknown model $model" >&2; exit 2 ;;
esac
log="$(mktemp)"
for round in $(seq 1 "$rounds"); do
  echo "round $round: filterviz $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  ./submit.sh bench scan --model "$onnx" --preprocess "$preprocess" --layer "$layer" --size "$size" --batch "$batches" \
    --threads $((threads / tasks)) --tasks "$tasks" --seconds "$seconds" 2>/dev/null | grep '^scan-bench:' | sed "s/^/round=$round /" | tee -a "$log"
  echo "round $round: pytorch $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  for procs in ${torch_procs//,/ }; do
    /usr/bin/python3 scripts/scan_torch_speed.py --model "$model" --size "$size" --batch "$torch_batches" --threads "$threads" \
      --procs "$procs" --seconds "$seconds" ${TORCH_MKLDNN:+--mkldnn} | sed "s/^/round=$round /" | tee -a "$log"
  done
done
echo "summary (medians of $rounds rounds, images/s):"
awk '
  function val(key,   i, kv) { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == key) return kv[2] } }
  { side = ($2 == "scan-bench:") ? "ours" : "torch"; b = val("batch") (val("procs") > 1 ? "/procs=" val("procs") : ""); v[side, b] = v[side, b] " " val("images_per_s");
    r = val("round"); if (val("images_per_s") + 0 > best[side, r] + 0) best[side, r] = val("images_per_s"); rounds[r] = 1;
    if (val("images_per_cpu_s") + 0 > bestc[side, r] + 0) bestc[side, r] = val("images_per_cpu_s");
    c[side, b] = c[side, b] " " val("images_per_cpu_s");
    w[side, b] = w[side, b] " " val("images_per_wall_s");
    if (side == "ours") f[b] = f[b] " " val("forward_images_per_s"); rss[side] = val("peak_rss_mb") > rss[side] ? val("peak_rss_mb") : rss[side];
    batches[b] = 1 }
  function median(list,   n, a, i, j, t) { n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  END { sorter = "sort -t= -k2 -n"
        for (b in batches) { o = median(v["ours", b]); t = median(v["torch", b]);
          oc = median(c["ours", b]); tc = median(c["torch", b]);
          ow = median(w["ours", b]); tw = median(w["torch", b]);
          printf "batch=%s ours=%.1f ours_forward_only=%.1f torch=%.1f ratio=%.2f | per CPU-second: ours=%.1f torch=%.1f ratio=%.2f | all passes: ours=%.1f torch=%.1f\n",
            b, o, median(f[b]), t, (t > 0 ? o / t : 0), oc, tc, (tc > 0 ? oc / tc : 0), ow, tw | sorter }
        close(sorter)
        for (r = 1; (r "") in rounds; r++) {
          printf "round=%s best batch of each side: ours=%.1f torch=%.1f ratio=%.2f | per CPU-second: ours=%.1f torch=%.1f ratio=%.2f\n",
            r, best["ours", r], best["torch", r], best["ours", r] / best["torch", r], bestc["ours", r], bestc["torch", r],
            bestc["ours", r] / bestc["torch", r]; bo = bo " " best["ours", r]; bt = bt " " best["torch", r] }
        printf "best batch of each side, medians of the best of each round: ours=%.1f torch=%.1f ratio=%.2f\n", median(bo), median(bt), median(bo) / median(bt)
        printf "peak RSS: ours %s MB, torch %s MB\n", rss["ours"], rss["torch"] }' "$log"
