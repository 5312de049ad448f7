#!/usr/bin/env bash
# The Lucid recipe's seconds per filter against PyTorch's implementation of the same recipe, alternating ours and
# theirs for ROUNDS rounds (issue 19): VGG16 (random weights: speed does not depend on them) up to block5_conv1, 128 px,
# 512 steps, standard transforms, Adam; ours also with 17 redirected-ReLU steps (Lucid's default; PyTorch's script has
# none). Each round: `./submit.sh bench --lucid FILTERS` then `torch_speed.py --sizes 128 --lucid FILTERS`, both fp32,
# on THREADS cores. The summary gives each side's median seconds per filter and the ratio of the medians, then the
# ratio of each round. Run from the repository root:
#   scripts/lucid_speed_rounds.sh                                # one filter at a time on 2 threads, each side
#   TASKS=2 TORCH_PROCS=1,2 scripts/lucid_speed_rounds.sh        # each side's best use of the 2 cores (see below)
# Environment: ROUNDS (3), FILTERS (1 per round, side and task), THREADS (2: the cores each side uses), TASKS (1: our
# renderers at once, each with THREADS/TASKS threads, as Spark runs one task per core: TASKS=2 THREADS=2 is local[2],
# the tool's default on 2 cores; ours is then the wall time of all filters over their number), TORCH_PROCS (1: PyTorch's
# processes at once, each with THREADS/PROCS threads; a list such as 1,2 times each, and the summary takes PyTorch's
# faster one per round, the wall time of all its filters over their number), PRECISION (fp32; bf16 times ours in bf16
# against PyTorch's fp32, which is the only precision its --lucid runs), CLASSIC (set: ours also times two filters of
# the classic Keras recipe, --schedule), TORCH_SPEED (../shared/bench/torch_speed.py, else /work/shared/bench/...).
set -euo pipefail
rounds="${ROUNDS:-3}" filters="${FILTERS:-1}" threads="${THREADS:-2}" precision="${PRECISION:-fp32}"
tasks="${TASKS:-1}" torch_procs="${TORCH_PROCS:-1}"
torch_speed="${TORCH_SPEED:-}"
if [ -z "$torch_speed" ]; then
  for candidate in ../shared/bench/torch_speed.py /work/shared/bench/torch_speed.py; do
    if [ -f "$candidate" ]; then torch_speed="$candidate"; break; fi
  done
fi
[ -f "$torch_speed" ] || { echo "torch_speed.py not found: set TORCH_SPEED" >&2; exit 2; }
if [ $((threads % tasks)) -ne 0 ]; then echo "THREADS ($threads) must be a multiple of TASKS ($tasks)" >&2; exit 2; fi
echo "machine: $(nproc) cores, $(uptime)" >&2
log="$(mktemp)"
for round in $(seq 1 "$rounds"); do
  echo "round $round: filterviz $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  ./submit.sh bench --sizes 128 --steps 5 --lucid "$filters" --precision "$precision" --threads $((threads / tasks)) \
    --tasks "$tasks" ${CLASSIC:+--schedule --filters 2} 2>/dev/null | grep '^bench:' | sed "s/^/round=$round /" | tee -a "$log"
  for procs in ${torch_procs//,/ }; do
    echo "round $round: pytorch, $procs process(es), $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    out="$(mktemp -d)"
    for p in $(seq 1 "$procs"); do
      /usr/bin/python3 "$torch_speed" --sizes 128 --steps 5 --lucid "$filters" --threads $((threads / procs)) > "$out/$p" &
    done
    wait
    # Each process's wall: the sum of its filters' seconds; all of them ran at once, so the slowest one's wall over
    # every filter rendered is the throughput.
    cat "$out"/* | sed "s/^/round=$round procs=$procs /" | tee -a "$log"
    awk -v round="$round" -v procs="$procs" -v filters="$filters" '
      /seconds_per_filter=/ { n = split(FILENAME, f, "/"); for (i = 1; i <= NF; i++) if ($i ~ /^seconds_per_filter=/) { split($i, kv, "="); s[f[n]] += kv[2] } }
      END { for (p in s) if (s[p] > m) m = s[p]; printf "round=%s torch-wall: procs=%s wall_seconds_per_filter=%.2f\n", round, procs, m / (procs * filters) }' "$out"/* | tee -a "$log"
    rm -rf "$out"
  done
done
echo "summary ($rounds rounds, seconds per filter, load now $(cut -d' ' -f1-3 /proc/loadavg)):"
awk -v tasks="$tasks" '
  function val(key,   i, kv) { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == key) return kv[2] } }
  function median(list,   n, a, i, j, t) { n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  { r = val("round") }
  $2 == "bench:" && $3 == "lucid" && $0 ~ /median_seconds_per_filter=/ { ours[r] = tasks > 1 ? val("wall_seconds_per_filter") : val("median_seconds_per_filter"); o = o " " ours[r] }
  $2 == "bench:" && $3 == "schedule" && $0 ~ /median_seconds_per_live_filter=/ { classic = classic " " val("median_seconds_per_live_filter") }
  $2 == "torch-wall:" { p = val("procs"); w = val("wall_seconds_per_filter"); byprocs[p] = byprocs[p] " " w
    if (!(r in ts) || w + 0 < ts[r] + 0) { ts[r] = w; tp[r] = p } }
  END { for (i = 1; i in ours; i++) { t = t " " ts[i]
          printf "round %d: ours=%.2f torch=%.2f (%s process(es)) ratio=%.2f\n", i, ours[i], ts[i], tp[i], ours[i] / ts[i] }
        for (p in byprocs) printf "torch with %s process(es): median=%.2f\n", p, median(byprocs[p])
        om = median(o); tm = median(t)
        printf "lucid: ours_median=%.2f torch_median=%.2f ratio=%.2f (ours: %d task(s); torch: its faster way each round)\n", om, tm, om / tm, tasks
        if (classic != "") printf "classic (Keras schedule, ours): median_seconds_per_live_filter=%.2f\n", median(classic) }' "$log"
