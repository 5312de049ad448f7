#!/usr/bin/env bash
# The Lucid recipe's seconds per filter against PyTorch's implementation of the same recipe, alternating ours and
# theirs for ROUNDS rounds (issue 19): VGG16 (random weights: speed does not depend on them) up to block5_conv1, 128 px,
# 512 steps, standard transforms, Adam; ours also with 17 redirected-ReLU steps (Lucid's default; PyTorch's script has
# none). Each round: `./submit.sh bench --lucid FILTERS` then `torch_speed.py --sizes 128 --lucid FILTERS`, both fp32,
# on THREADS threads. The summary gives each side's median seconds per filter and the ratio of the medians, then the
# ratio of each round. Run from the repository root:
#   scripts/lucid_speed_rounds.sh
# Environment: ROUNDS (3), FILTERS (1 per round and side), THREADS (2), PRECISION (fp32; bf16 times ours in bf16
# against PyTorch's fp32, which is the only precision its --lucid runs), CLASSIC (set: ours also times two filters of
# the classic Keras recipe, --schedule), TORCH_SPEED (../shared/bench/torch_speed.py, else /work/shared/bench/...).
set -euo pipefail
rounds="${ROUNDS:-3}" filters="${FILTERS:-1}" threads="${THREADS:-2}" precision="${PRECISION:-fp32}"
torch_speed="${TORCH_SPEED:-}"
if [ -z "$torch_speed" ]; then
  for candidate in ../shared/bench/torch_speed.py /work/shared/bench/torch_speed.py; do
    if [ -f "$candidate" ]; then torch_speed="$candidate"; break; fi
  done
fi
[ -f "$torch_speed" ] || { echo "torch_speed.py not found: set TORCH_SPEED" >&2; exit 2; }
log="$(mktemp)"
for round in $(seq 1 "$rounds"); do
  echo "round $round: filterviz $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  ./submit.sh bench --sizes 128 --steps 5 --lucid "$filters" --precision "$precision" --threads "$threads" \
    ${CLASSIC:+--schedule --filters 2} 2>/dev/null | grep '^bench:' | sed "s/^/round=$round /" | tee -a "$log"
  echo "round $round: pytorch $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  /usr/bin/python3 "$torch_speed" --sizes 128 --steps 5 --lucid "$filters" --threads "$threads" \
    | sed "s/^/round=$round /" | tee -a "$log"
done
echo "summary ($rounds rounds, seconds per filter, load now $(cut -d' ' -f1-3 /proc/loadavg)):"
awk '
  function val(key,   i, kv) { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == key) return kv[2] } }
  function median(list,   n, a, i, j, t) { n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  { r = val("round") }
  $2 == "bench:" && $3 == "lucid" && $0 ~ /median_seconds_per_filter=/ { ours[r] = val("median_seconds_per_filter"); o = o " " ours[r] }
  $2 == "bench:" && $3 == "schedule" && $0 ~ /median_seconds_per_live_filter=/ { classic = classic " " val("median_seconds_per_live_filter") }
  $2 == "torch:" && $3 == "lucid" { ts[r] = ts[r] " " val("seconds_per_filter") }
  END { for (i = 1; i in ours; i++) { tr = median(ts[i]); t = t " " tr
          printf "round %d: ours=%.2f torch=%.2f ratio=%.2f\n", i, ours[i], tr, ours[i] / tr }
        om = median(o); tm = median(t)
        printf "lucid: ours_median=%.2f torch_median=%.2f ratio=%.2f\n", om, tm, om / tm
        if (classic != "") printf "classic (Keras schedule, ours): median_seconds_per_live_filter=%.2f\n", median(classic) }' "$log"
