#!/usr/bin/env bash
# The peer comparison in one command: nsp against PyTorch (through DJL, offline) and Brian2, with the machine's
# memory-bandwidth and FMA-peak probes, all in one run; writes the "Peers" section of docs/benchmarks.md, the
# paired figures (docs/peers/peers.csv) and charts (docs/peers/*.png). Raw results: bench/target/peers/.
#
#   bench/run-peers.sh [--quick] [--threads N] [--no-torch] [--no-brian]
#
#   --quick      short JMH iterations and short simulations (a smoke test of the pipeline, minutes)
#   --threads N  threads for nsp (-Dnsp.threads) and PyTorch (intra-op); default: all processors
#   --no-torch   skip the PyTorch part; --no-brian: skip the Brian2 part
#
# PyTorch: Maven resolves ai.djl.pytorch:pytorch-native-cpu (110 MB, Maven Central, once) through the parent's
# "peers" profile (module bench/peers); DJL then runs offline with its native cache in bench/peers/target/djl-cache.
# Brian2: Debian's python3-brian (apt-get install python3-brian), run with /usr/bin/python3, cython cache in
# bench/target/brian2-cache. A peer that is missing is skipped with a message; ./nsp test never runs either.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
QUICK=false
THREADS="$(nproc)"
TORCH=true
BRIAN=true
ARGS=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=true ;;
    --threads) THREADS="${2:?--threads needs a number}"; shift ;;
    --no-torch) TORCH=false ;;
    --no-brian) BRIAN=false ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run-peers.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if ! [[ "$THREADS" =~ ^[1-9][0-9]*$ ]]; then echo "run-peers.sh: --threads: '$THREADS', must be a positive integer" >&2; exit 2; fi

java_major() { "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1; }
find_jdk() {
  local c v
  for c in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/*; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    v="$(java_major "$c/bin/java" || true)"
    if [ -n "$v" ] && [ "$v" -ge 25 ] 2>/dev/null; then echo "$c"; return 0; fi
  done
  return 1
}
JDK="$(find_jdk)" || { echo "run-peers.sh: no JDK 25 or newer found (JAVA_HOME, /usr/lib/jvm/*)" >&2; exit 1; }
export JAVA_HOME="$JDK"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
JAVA="$JDK/bin/java"
OUT="$ROOT/bench/target/peers"
rm -rf "$OUT"; mkdir -p "$OUT"
START=$(date +%s)
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
log() { echo "[run-peers $(date +%H:%M:%S)] $*" >&2; }

if $QUICK; then
  JMH=(-f 1 -wi 1 -i 1 -w 300ms -r 300ms -tu us)
  POP=(--trials 10 --duration-ms 1000 --repeats 1); POP01=("${POP[@]}"); LAYER=(--images 2 --duration-ms 200 --repeats 1); BREP=1
else
  JMH=(-f 1 -wi 5 -i 5 -w 2s -r 1s -tu us)   # Vector API code needs seconds of warm-up for C2 on a loaded VM
  POP=(--trials 100 --duration-ms 10000 --repeats 3); POP01=(--trials 100 --duration-ms 10000 --repeats 2)
  LAYER=(--images 10 --duration-ms 1000 --repeats 3); BREP=2
fi
FLAGS="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx6g"

log "building nsp (bench module)"
mvn -B -q -Dstyle.color=never -f "$ROOT/pom.xml" -pl bench -am package -DskipTests >&2
BENCH_JAR="$ROOT/bench/target/benchmarks.jar"

TORCH_SKIP=""
TORCH_CP=""
if $TORCH; then
  log "building the PyTorch benchmarks (profile peers; the first build downloads DJL and PyTorch from Maven Central)"
  if mvn -B -q -Dstyle.color=never -f "$ROOT/pom.xml" -Ppeers -pl bench/peers -am package -DskipTests >"$OUT/torch-build.log" 2>&1; then
    TORCH_CP="$ROOT/bench/peers/target/classes:$(cat "$ROOT/bench/peers/target/classpath.txt")"
  else
    TORCH_SKIP="the DJL/PyTorch artifacts could not be built or resolved (see bench/target/peers/torch-build.log)"
  fi
else
  TORCH_SKIP="--no-torch"
fi
TORCH_FLAGS="$FLAGS -Dai.djl.offline=true -DENGINE_CACHE_DIR=$ROOT/bench/peers/target/djl-cache -Dai.djl.pytorch.num_threads=$THREADS -Dai.djl.pytorch.num_interop_threads=1 -Dnsp.peers.checks=$OUT/torch-checks.csv -Dnsp.threads=1"
TORCH_INFO=""
if [ -z "$TORCH_SKIP" ]; then
  if TORCH_INFO="$(OMP_NUM_THREADS=$THREADS "$JAVA" $TORCH_FLAGS -cp "$TORCH_CP" dev.nsp.bench.torch.TorchInfo 2>"$OUT/torch-info.log")"; then
    echo "$TORCH_INFO" > "$OUT/torch.properties"
  else
    TORCH_SKIP="PyTorch did not load: $(tail -1 "$OUT/torch-info.log")"
  fi
fi
[ -n "$TORCH_SKIP" ] && log "SKIPPING the PyTorch part: $TORCH_SKIP"

BRIAN_SKIP=""
if ! $BRIAN; then BRIAN_SKIP="--no-brian"
elif [ ! -x /usr/bin/python3 ]; then BRIAN_SKIP="/usr/bin/python3 is missing"
elif ! BRIAN_VER="$(/usr/bin/python3 -c 'import brian2, numpy, sys; print(f"{brian2.__version__} (numpy {numpy.__version__}, Python {sys.version.split()[0]}, cython target)")' 2>/dev/null | tail -1)"; then
  BRIAN_SKIP="Brian2 is not installed for /usr/bin/python3 (apt-get install python3-brian)"
fi
[ -n "$BRIAN_SKIP" ] && log "SKIPPING the Brian2 part: $BRIAN_SKIP"

jmh() { # name, then JMH arguments
  local name="$1"; shift
  log "JMH $name"
  "$JAVA" -jar "$BENCH_JAR" "$@" "${JMH[@]}" -rf csv -rff "$OUT/jmh-$name.csv" \
    -jvmArgsAppend "$FLAGS -Dnsp.threads=$THREADS" > "$OUT/jmh-$name.log" 2>&1 || log "JMH $name exited with $? (see $OUT/jmh-$name.log)"
}
jmh_torch() { # name, env assignment (or ""), then JMH arguments
  local name="$1" envset="$2"; shift 2
  log "JMH $name (PyTorch)"
  env OMP_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS" $envset "$JAVA" -cp "$TORCH_CP" org.openjdk.jmh.Main "$@" "${JMH[@]}" \
    -rf csv -rff "$OUT/jmh-$name.csv" -jvmArgsAppend "$TORCH_FLAGS" > "$OUT/jmh-$name.log" 2>&1 \
    || log "JMH $name exited with $? (see $OUT/jmh-$name.log)"
}

ALL=reference,vector,native,opencl
jmh roofline 'RooflineBench\.(triad|fmaPeak|freshPages)'
jmh nsp-ns 'NoisySoftplusBench' -p backend=$ALL
jmh nsp-conv 'ConvBench\.(forward|trainStep)$' -p backend=$ALL -p layer=paper1,paper2
jmh nsp-train 'TrainStepBench' -p backend=$ALL
if [ -z "$TORCH_SKIP" ]; then
  jmh_torch torch-ns "THP_MEM_ALLOC_ENABLE=1" 'TorchNoisySoftplusBench'
  jmh_torch torch-conv "THP_MEM_ALLOC_ENABLE=1" 'TorchConvBench' -p layer=paper1,paper2
  jmh_torch torch-train "THP_MEM_ALLOC_ENABLE=1" 'TorchTrainStepBench'
  jmh_torch torchdefault "" 'TorchNoisySoftplusBench' -p size=16777216
fi

lif() { # tag, threads, LifPeerRun arguments
  local tag="$1" thr="$2"; shift 2
  log "nsp LIF $tag ($thr thread(s))"
  "$JAVA" $FLAGS -Dnsp.threads="$thr" -cp "$BENCH_JAR" dev.nsp.bench.peers.LifPeerRun "$@" --out "$OUT" --tag "$tag" \
    > "$OUT/lif-$tag.log" 2>&1 || { log "nsp LIF $tag failed (see $OUT/lif-$tag.log)"; return 1; }
}
brian() { # mode, tag
  [ -n "$BRIAN_SKIP" ] && return 0
  log "Brian2 $1 $2"
  /usr/bin/python3 "$ROOT/bench/peers/brian2_lif.py" "$1" "$OUT" "$2" --repeats "$BREP" --cache-dir "$ROOT/bench/target/brian2-cache" \
    > "$OUT/brian2-$2.log" 2>&1 || log "Brian2 $2 failed (see $OUT/brian2-$2.log)"
}
lif const1 1 constant --dt-ms 1 --duration-ms 1000 && brian constant const1
lif const01 1 constant --dt-ms 0.1 --duration-ms 1000 && brian constant const01
lif pop1 1 population --dt-ms 1 "${POP[@]}" && lif pop1-mt "$THREADS" population --dt-ms 1 "${POP[@]}" && brian population pop1
lif pop01 1 population --dt-ms 0.1 "${POP01[@]}" && brian population pop01
lif layer 1 layer --dt-ms 1 "${LAYER[@]}" && lif layer-mt "$THREADS" layer --dt-ms 1 "${LAYER[@]}" && brian layer layer

WALL=$(( $(date +%s) - START ))
CMD="bench/run-peers.sh${ARGS[*]:+ ${ARGS[*]}}"
{
  echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
  echo "wall=$((WALL / 60)) min $((WALL % 60)) s"
  echo "command=$CMD"
  echo "quick=$QUICK"
  echo "threads=$THREADS"
  echo "cpu=$(lscpu | awk -F: '/^Model name/ {gsub(/^ +/, "", $2); m=$2} /^CPU family/ {gsub(/^ +/, "", $2); f=$2} /^Model:/ {gsub(/^ +/, "", $2); n=$2} END {print m " (family " f " model " n ")"}'), $(grep -o -w 'avx512f' /proc/cpuinfo | head -1 | sed 's/avx512f/AVX-512/')"
  echo "cores=$(nproc)"
  echo "memory=$(free -g | awk '/^Mem:/ {print $2 " GB"}')"
  echo "kernel=Linux $(uname -r)"
  echo "jdk=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.vm.name/ {n=$2} /java.runtime.version/ {v=$2} END {print n " " v}')"
  echo "jmh=$(unzip -p "$BENCH_JAR" META-INF/maven/org.openjdk.jmh/jmh-core/pom.properties 2>/dev/null | awk -F= '/^version/ {print $2}'), ${JMH[*]}"
  echo "load_before=$LOAD_BEFORE"
  echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)"
  if [ -z "$TORCH_SKIP" ]; then
    echo "torch=PyTorch $(awk -F= '/^pytorch=/ {print $2}' "$OUT/torch.properties") through DJL $(awk -F= '/^djl=/ {print $2}' "$OUT/torch.properties") (pytorch-native-cpu linux-x86_64, features: $(awk -F= '/^features=/ {print $2}' "$OUT/torch.properties")), intra-op threads $(awk -F= '/^intra_op_threads=/ {print $2}' "$OUT/torch.properties")"
  else
    echo "torch_skipped=$TORCH_SKIP"
  fi
  if [ -z "$BRIAN_SKIP" ]; then echo "brian=Brian2 $BRIAN_VER"; else echo "brian_skipped=$BRIAN_SKIP"; fi
} > "$OUT/machine.properties"
log "writing the report"
"$JAVA" $FLAGS -cp "$BENCH_JAR" dev.nsp.bench.peers.PeerReport --results "$OUT" --docs "$ROOT/docs/benchmarks.md" --assets "$ROOT/docs/peers"
log "done in $((WALL / 60)) min $((WALL % 60)) s"
