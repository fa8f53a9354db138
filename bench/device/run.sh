#!/usr/bin/env bash
# On-device benchmark, no Java/Maven/network needed: `scripts/bench feed` (the file job on the
# embedded Flink with a zero-cost model, and tokenising alone) on this machine's cores with the
# bundled JRE and slim class path, then raw GPU scoring of cross-encoder-shaped BERTs on the same
# pairs (gpu_raw.py). Run from the repository root:  OUT=/some/empty/dir bash .gpu/run.sh
# Writes to $OUT: env.log, feed.log, gpu.log, smi.csv, summary.txt.
#
# Environment (defaults for the device): PAIRS=400000 pairs per workload (pipeline, encoder);
# DJL_PAIRS=20000 for the single-threaded DJL baseline (a per-core rate, run apart to save time);
# GPU_PAIRS=120000 (the first pairs of the reuse file); ENCODER_HEAP=8g (see below);
# DEADLINE_S=395 whole-script budget: every stage is capped so that the GPU stage keeps
# GPU_MIN_S=100 s. FEED_STAGES="reuse:pipeline distinct:pipeline reuse:encoder distinct:encoder djl"
# (in priority order; any subset). Stage limits T_REUSE=90 T_DISTINCT=150 T_REUSE_ENC=50
# T_DISTINCT_ENC=70 T_DJL=45 T_GPU=200 seconds. RERANKFLOW_BENCH_JAVA_OPTS as in scripts/bench.
# GPU_RAW_ARGS: extra gpu_raw.py options (e.g. --precisions fp32,fp16,bf16,tf32).
set -uo pipefail
SECONDS=0
repo="$(pwd)"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${OUT:?set OUT to the directory whose files come back}"
mkdir -p "$OUT"
PAIRS="${PAIRS:-400000}"
DJL_PAIRS="${DJL_PAIRS:-20000}"
GPU_PAIRS="${GPU_PAIRS:-120000}"
DEADLINE_S="${DEADLINE_S:-395}"
GPU_MIN_S="${GPU_MIN_S:-100}"
FEED_STAGES="${FEED_STAGES:-reuse:pipeline distinct:pipeline reuse:encoder distinct:encoder djl}"
B="${BUNDLE_DIR:-/tmp/rerankflow-gpu}"
WORK="$B/work"
summary="$OUT/summary.txt"
: > "$summary"

stage() { echo; echo "=== [+${SECONDS}s] $*"; echo "[+${SECONDS}s] $*" >> "$summary"; }
# cap WANT RESERVE: seconds a stage may take, leaving RESERVE for the stages after it.
cap() { local left=$((DEADLINE_S - SECONDS - $2)); (( left < $1 )) && echo "$left" || echo "$1"; }

stage "env (bundle: $(head -1 "$here/BUILD.txt" 2>/dev/null))"
{
  date -u; uname -a; echo "nproc: $(nproc)"; free -g | head -2
  lscpu 2>/dev/null | grep -E '^(Model name|CPU\(s\)|Thread|Core|Socket|NUMA node\(s\))' || true
  if command -v nvidia-smi >/dev/null; then timeout 30 nvidia-smi || echo "nvidia-smi failed: $?"
  else echo "nvidia-smi: not found"; fi
  echo "python3: $(command -v python3) $(python3 --version 2>&1)"
  if command -v java >/dev/null; then echo "java on PATH: $(command -v java): $(java -version 2>&1 | head -1) (the bundled JRE is used regardless)"
  else echo "java on PATH: none (the bundled JRE is used)"; fi
  echo "xz: $(command -v xz || echo none)"
} 2>&1 | tee "$OUT/env.log"
echo "nproc $(nproc)" >> "$summary"

stage "unpack .gpu/bundle.tar.xz into $B"
rm -rf "$B"; mkdir -p "$B"
if command -v xz >/dev/null; then
  timeout 90 tar -C "$B" -xJf "$here/bundle.tar.xz"; rc=$?
else
  timeout 120 python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1], "r:xz").extractall(sys.argv[2])' \
    "$here/bundle.tar.xz" "$B"; rc=$?
fi
JAVA="$B/jre/bin/java"
if (( rc != 0 )) || ! "$JAVA" -version >/dev/null 2>&1; then
  echo "unpack failed (rc $rc) or the bundled java does not start" | tee -a "$summary"
  "$JAVA" -version 2>&1 | tail -3
  feed_ok=0
else
  "$JAVA" -version 2>&1 | head -1 | tee -a "$summary"
  feed_ok=1
fi

# As scripts/bench: own classes first, then the (slimmed) jars of bench.classpath, through the
# environment (ONNX Runtime crashes with the class path on a long command line), the JVM options
# of scripts/job-java-options, the --add-opens list of scripts/bench.
cp=""
while read -r d; do cp+="$B/classes/$d:"; done < "$B/own.txt"
while read -r j; do cp+="$B/lib/$j:"; done < "$B/classpath.txt"
export CLASSPATH="${cp%:}"
opens=""
eval "$(grep -E '^opens\+?=' "$repo/scripts/bench")"
source "$repo/scripts/job-java-options"
jvm_opts="${RERANKFLOW_BENCH_JAVA_OPTS:--Xmx2g $job_java_opts} $opens -DOPT_OUT_TRACKING=true -Dai.djl.offline=true"
# EXTRA_JVM_OPTS: for local checks only (make-bundle.sh's VERIFY points rerankflow.cache away from
# the shared /tmp/rerankflow-cache, where the bundle's stub bge-small .onnx would land).
[[ -n "${EXTRA_JVM_OPTS:-}" ]] && jvm_opts+=" $EXTRA_JVM_OPTS"
export HOME="$(mktemp -d /tmp/rerankflow-home.XXXXXX)"
export DJL_CACHE_DIR="$HOME/.djl.ai"
mkdir -p "$WORK"
echo "JVM options: $jvm_opts" | tee -a "$summary"

feed() {  # feed LABEL TIMEOUT JVM_OPTIONS ARGS...
  local label=$1 t=$2 opts=$3; shift 3
  if (( feed_ok == 0 )); then echo "feed $label: skipped (no java)" | tee -a "$summary"; return 1; fi
  if (( t < 20 )); then echo "feed $label: skipped (time budget spent)" | tee -a "$summary"; return 1; fi
  stage "feed $label (timeout ${t}s): bench feed $*"
  echo "### feed $label: java $opts io.rerankflow.bench.Bench feed $* (timeout ${t}s)" >> "$OUT/feed.log"
  local s0=$SECONDS
  # shellcheck disable=SC2086
  timeout -k 10 "$t" "$JAVA" $opts io.rerankflow.bench.Bench feed "$@" --work-dir "$WORK" \
    2>&1 | grep --line-buffered -v '^SLF4J:' | tee -a "$OUT/feed.log"
  local rc=$?
  echo "feed $label: exit $rc after $((SECONDS - s0)) s$( (( rc == 124 || rc == 137 )) && echo ' (TIMED OUT)')" | tee -a "$OUT/feed.log" "$summary"
  return $rc
}

# The pipeline runs exactly as scripts/bench runs it (-Xmx2g). The encoder-only mode reads the
# whole request file into memory first (BenchChild.read): at 400,000 pairs that overflows -Xmx2g
# (OutOfMemoryError, seen on 2 cores), so it runs with a bigger heap (ENCODER_HEAP, default 8g);
# it is a tokenising rate, not timed with the load. The DJL baseline is one thread: a per-core
# rate, run on DJL_PAIRS pairs (the first DJL_PAIRS pairs of the same workloads, same seed).
enc_opts="${jvm_opts/-Xmx2g/-Xmx${ENCODER_HEAP:-8g}}"
[[ "$enc_opts" == "$jvm_opts" ]] && enc_opts="$jvm_opts -Xmx${ENCODER_HEAP:-8g}"
: > "$OUT/feed.log"
for s in $FEED_STAGES; do
  case "$s" in
    reuse:pipeline)
      feed "$s" "$(cap "${T_REUSE:-90}" "$GPU_MIN_S")" "$jvm_opts" --pairs "$PAIRS" --workloads reuse --modes pipeline
      rc=$?
      # A timed-out reuse run means distinct (slower) at the same size will not fit either.
      if (( rc == 124 || rc == 137 )) && [[ -z "${PAIRS_DISTINCT:-}" ]]; then
        PAIRS_DISTINCT=$((PAIRS / 4)); echo "distinct: cut to $PAIRS_DISTINCT pairs" | tee -a "$summary"
      fi ;;
    distinct:pipeline)
      feed "$s" "$(cap "${T_DISTINCT:-150}" "$GPU_MIN_S")" "$jvm_opts" --pairs "${PAIRS_DISTINCT:-$PAIRS}" --workloads distinct --modes pipeline ;;
    reuse:encoder)
      feed "$s" "$(cap "${T_REUSE_ENC:-50}" "$GPU_MIN_S")" "$enc_opts" --pairs "$PAIRS" --workloads reuse --modes encoder ;;
    distinct:encoder)
      feed "$s" "$(cap "${T_DISTINCT_ENC:-70}" "$GPU_MIN_S")" "$enc_opts" --pairs "${PAIRS_DISTINCT:-$PAIRS}" --workloads distinct --modes encoder ;;
    djl)
      feed "$s" "$(cap "${T_DJL:-45}" "$GPU_MIN_S")" "$jvm_opts" --pairs "$DJL_PAIRS" --workloads reuse,distinct --modes djl ;;
    *) echo "unknown stage $s" ;;
  esac
done
grep -E '^(\| |[a-z]+: .*= |  (reuse|distinct) |feed: |feed [a-z]+: exit)' "$OUT/feed.log" >> "$summary"
# The DJL baseline ran apart (fewer pairs): its ratios here, per workload.
python3 - "$OUT/feed.log" <<'PY' | tee -a "$summary"
import re, sys
rates = {}
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"  (reuse|distinct) (\S+)\s+([0-9.]+) pairs/s", line)
    if m:
        rates.setdefault(m.group(1), {})[m.group(2)] = float(m.group(3))
for w, r in rates.items():
    base = r.get("djl-encode")
    for mode, v in r.items():
        if base and mode != "djl-encode":
            print(f"{w}: {mode} / djl-encode = {v / base:.2f} ({v:.0f} / {base:.0f} pairs/s)")
PY

gpu_t=$(cap "${T_GPU:-200}" 0); (( gpu_t < GPU_MIN_S )) && gpu_t=$GPU_MIN_S
stage "gpu_raw.py (timeout ${gpu_t}s)"
smi_pid=""
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv -lms 200 > "$OUT/smi.csv" 2>&1 &
  smi_pid=$!
fi
requests="$WORK/feed-reuse-${PAIRS}-42.jsonl"
[[ -f "$requests" ]] || requests="$WORK"   # gpu_raw.py picks the largest feed-reuse-*.jsonl there
timeout -k 10 "$gpu_t" python3 -u "$here/gpu_raw.py" --requests "$requests" --tokenizer "$here/tokenizer.json" \
  --pairs "$GPU_PAIRS" --budget-s "$((gpu_t - 15))" ${GPU_RAW_ARGS:-} 2>&1 | tee "$OUT/gpu.log"
rc=$?
[[ -n "$smi_pid" ]] && kill "$smi_pid" 2>/dev/null && wait "$smi_pid" 2>/dev/null
echo "gpu_raw.py: exit $rc$( (( rc == 124 )) && echo ' (TIMED OUT)')" | tee -a "$summary"
grep -E '^(tokenized|packed|device|torch|onnxruntime|\| |  [a-z0-9-]+ (fp|bf|tf|ort))' "$OUT/gpu.log" >> "$summary" || true

stage "done in ${SECONDS}s"
echo; echo "===== summary ====="; cat "$summary"
rm -rf "$HOME"
