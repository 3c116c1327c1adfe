#!/usr/bin/env bash
# Times ebm4j against the repository's PyTorch reference (bench/torch_reference.py) on the
# workloads of docs/BENCHMARKS.md and prints a Markdown table.
#
#   scripts/bench-compare.sh [options] [WORKLOAD ...]      (default: every workload)
#
# For each workload it alternates the two implementations for --rounds rounds (the order flips
# every round), each run a fresh process with the same --warmup/--iters, and records the run's
# median ms per iteration and its peak resident memory (the largest process of the run, from
# getrusage of the waited-for children). The table gives, per implementation, the median over
# rounds of those per-run medians with their min–max, the ratio ebm4j/reference of the two
# medians (below 1: ebm4j is faster) and the peak RSS. Raw JSON lines and stderr of every run are
# kept in --out (default: a new temporary folder, printed at the end).
#
# It installs nothing. It checks first that the Python has torch, that torch uses OpenBLAS and
# that OpenBLAS runs one thread (threadpoolctl); on Debian/Ubuntu:
#   apt-get install python3-torch libopenblas0-pthread python3-threadpoolctl
# and that the machine is quiet (1-minute load average below --max-load), since other jobs on
# the cores make single runs 2x slower for their whole lifetime.
#
# Options:
#   --rounds N        alternating rounds per workload (default 3)
#   --warmup W        untimed iterations per run (default 1)
#   --iters N         timed iterations per run (default 3)
#   --threads N       intra-op threads for both (ebm4j --threads, torch.set_num_threads);
#                     default: libtorch's own on both sides (OMP_NUM_THREADS if set, else all cores)
#   --max-load L      refuse to start when the 1-minute load average is >= L (default 0.5)
#   --ignore-load     run anyway on a busy machine (the table says so)
#   --python PATH     the Python with torch (default /usr/bin/python3)
#   --allow-reference-blas   let the reference run under the reference BLAS (its times then
#                     flatter ebm4j; the table says so)
#   --out DIR         where raw outputs go
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REF="$ROOT/bench/torch_reference.py"
ROUNDS=3 WARMUP=1 ITERS=3 THREADS="" MAX_LOAD=0.5 IGNORE_LOAD=0 PY=/usr/bin/python3 ALLOW_REF_BLAS=0 OUT=""
WORKLOADS=()

die() { echo "bench-compare: $*" >&2; exit 2; }
need_int() { [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] || die "$1 needs an integer >= $3, got '$2'"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) need_int "$1" "${2:-}" 1; ROUNDS=$2; shift 2 ;;
    --warmup) need_int "$1" "${2:-}" 0; WARMUP=$2; shift 2 ;;
    --iters) need_int "$1" "${2:-}" 1; ITERS=$2; shift 2 ;;
    --threads) need_int "$1" "${2:-}" 1; THREADS=$2; shift 2 ;;
    --max-load) [[ "${2:-}" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--max-load needs a number, got '${2:-}'"; MAX_LOAD=$2; shift 2 ;;
    --ignore-load) IGNORE_LOAD=1; shift ;;
    --python) [ -n "${2:-}" ] || die "--python needs a path"; PY=$2; shift 2 ;;
    --allow-reference-blas) ALLOW_REF_BLAS=1; shift ;;
    --out) [ -n "${2:-}" ] || die "--out needs a folder"; OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *) WORKLOADS+=("$1"); shift ;;
  esac
done

# --- the Python side: torch, OpenBLAS, one BLAS thread ----------------------------------------
[ -x "$PY" ] || die "no Python at $PY (--python PATH)"
"$PY" -c 'import torch' 2>/dev/null || die "$PY has no torch: apt-get install python3-torch libopenblas0-pthread python3-threadpoolctl"
BLAS_LINE=$(OPENBLAS_NUM_THREADS=1 "$PY" - <<'EOF' 2>&1
import torch
torch.mm(torch.ones(2, 2), torch.ones(2, 2))
v = torch.__version__
try:
    import threadpoolctl
except ImportError:
    print('no-threadpoolctl -', v)
    raise SystemExit
blas = [p for p in threadpoolctl.threadpool_info() if p.get('user_api') == 'blas']
if not blas:
    maps = open('/proc/self/maps').read()
    print('reference' if 'libblas.so' in maps else 'unknown', '-', v)
else:
    p = blas[0]
    print(p.get('internal_api'), p.get('num_threads'), v, p.get('filepath'))
EOF
) || die "could not inspect the BLAS of $PY: $BLAS_LINE"
read -r _ _ TORCH_VERSION _ <<<"$BLAS_LINE"
BLAS_NOTE=""
case "$BLAS_LINE" in
  no-threadpoolctl*) die "$PY has no threadpoolctl, so the OpenBLAS threads cannot be checked or limited: apt-get install python3-threadpoolctl" ;;
  "openblas 1 "*) ;;
  openblas*) die "OpenBLAS does not run one thread under OPENBLAS_NUM_THREADS=1 ($BLAS_LINE)" ;;
  mkl*) BLAS_NOTE="(MKL)" ;;
  *) if [ "$ALLOW_REF_BLAS" = 1 ]; then BLAS_NOTE="**reference BLAS: the reference runs slower than it should**"
     else die "torch uses the reference BLAS ($BLAS_LINE), under which the reference runs about 2x slower: apt-get install libopenblas0-pthread python3-threadpoolctl (or --allow-reference-blas)"; fi ;;
esac

# --- a quiet machine --------------------------------------------------------------------------
load_now() { cut -d' ' -f1 /proc/loadavg; }
LOAD0=$(load_now)
LOAD_NOTE=""
if awk -v l="$LOAD0" -v m="$MAX_LOAD" 'BEGIN { exit !(l < m) }'; then
  echo "bench-compare: machine quiet: 1-minute load $LOAD0 < $MAX_LOAD" >&2
elif [ "$IGNORE_LOAD" = 1 ]; then
  echo "bench-compare: machine BUSY: 1-minute load $LOAD0 >= $MAX_LOAD; running anyway (--ignore-load)" >&2
  LOAD_NOTE="**busy machine (load $LOAD0 at start): times are not comparable with a quiet run**"
else
  die "machine busy: 1-minute load average $LOAD0 >= $MAX_LOAD (other jobs distort both sides; wait, or --max-load / --ignore-load)"
fi

# --- ebm4j: built, and the workloads it knows ---------------------------------------------------
cd "$ROOT"
# the list is in the error message for an unknown name (an exit status of 2, hence the || true)
EBM4J_KNOWN=$( (./ebm4j bench --workload '?' 2>&1 || true) | sed -n 's/.*one of \[\(.*\)\].*/\1/p' | tr -d ' ' | tr ',' ' ')
[ -n "$EBM4J_KNOWN" ] || die "could not read the workloads of ./ebm4j bench (does ./ebm4j start? build: mvn -q -DskipTests package)"
REF_KNOWN=$("$PY" "$REF" --list | tr '\n' ' ')
[ ${#WORKLOADS[@]} -gt 0 ] || read -r -a WORKLOADS <<<"$REF_KNOWN"

[ -n "$OUT" ] || OUT=$(mktemp -d "${TMPDIR:-/tmp}/bench-compare.XXXXXX")
mkdir -p "$OUT"
RESULTS="$OUT/results.tsv"
: >"$RESULTS"
THREAD_ARGS=()
[ -n "$THREADS" ] && THREAD_ARGS=(--threads "$THREADS")

# run IMPL WORKLOAD ROUND: one process; appends "workload impl round ms gflop rss_kb load" to RESULTS
run() {
  local impl=$1 w=$2 r=$3 base="$OUT/$2.$1.$3" load cmd
  if [ "$impl" = ebm4j ]; then
    cmd=(./ebm4j bench --workload "$w" --warmup "$WARMUP" --iters "$ITERS" "${THREAD_ARGS[@]}")
  else
    cmd=("$PY" "$REF" --workload "$w" --warmup "$WARMUP" --iters "$ITERS" "${THREAD_ARGS[@]}")
    [ "$ALLOW_REF_BLAS" = 1 ] && cmd+=(--allow-reference-blas)
  fi
  load=$(load_now)
  echo "bench-compare: $w round $r: $impl (load $load)" >&2
  # the child's peak RSS: getrusage(RUSAGE_CHILDREN) of a fresh wrapper covers exactly this run
  "$PY" -c '
import json, resource, subprocess, sys
base, cmd = sys.argv[1], sys.argv[2:]
with open(base + ".json", "w") as out, open(base + ".err", "w") as err:
    rc = subprocess.call(cmd, stdout=out, stderr=err)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
lines = [l for l in open(base + ".json") if l.strip().startswith("{")]
if rc != 0 or not lines:
    sys.exit("run failed (exit %d), see %s.err" % (rc, base))
j = json.loads(lines[-1])
print(j["ms_per_iter_median"], j["gflop_per_iter"], rss)
' "$base" "${cmd[@]}" >"$base.m" || { echo "bench-compare: $(tail -n 3 "$base.err")" >&2; return 1; }
  read -r ms gflop rss <"$base.m"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$impl" "$r" "$ms" "$gflop" "$rss" "$load" >>"$RESULTS"
  echo "bench-compare:   $ms ms/iter, $gflop GFLOP/iter, peak RSS $((rss / 1024)) MiB" >&2
}

SKIPPED=()
for w in "${WORKLOADS[@]}"; do
  if [[ " $REF_KNOWN " != *" $w "* ]]; then
    die "unknown workload '$w'; the reference knows: $REF_KNOWN"
  fi
  if [[ " $EBM4J_KNOWN " != *" $w "* ]]; then
    echo "bench-compare: skipping $w: ./ebm4j bench does not know it (it knows: $EBM4J_KNOWN)" >&2
    SKIPPED+=("$w")
    continue
  fi
  for ((r = 1; r <= ROUNDS; r++)); do
    if ((r % 2 == 1)); then run ebm4j "$w" "$r"; run reference "$w" "$r"
    else run reference "$w" "$r"; run ebm4j "$w" "$r"; fi
  done
done

# --- the table --------------------------------------------------------------------------------
echo
echo "ebm4j $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?') vs bench/torch_reference.py (torch $TORCH_VERSION, BLAS: ${BLAS_LINE%% *}${BLAS_NOTE:+ $BLAS_NOTE})"
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(getconf _NPROCESSORS_ONLN) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), load at start $LOAD0;" \
  "$ROUNDS alternating rounds, --warmup $WARMUP --iters $ITERS, threads ${THREADS:-libtorch default}${OMP_NUM_THREADS:+, OMP_NUM_THREADS=$OMP_NUM_THREADS}"
[ -n "$LOAD_NOTE" ] && echo "$LOAD_NOTE"
echo
"$PY" - "$RESULTS" <<'EOF'
import statistics, sys
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1]) if l.strip()]
order, data = [], {}
for w, impl, r, ms, gflop, rss, load in rows:
    if w not in data:
        order.append(w)
        data[w] = {'ebm4j': [], 'reference': []}
    data[w][impl].append((float(ms), float(gflop), int(rss), float(load)))
print('| workload | ebm4j median ms (min–max) | reference median ms (min–max) | ratio ebm4j/reference | '
      'peak RSS ebm4j / reference (MiB) | GFLOP/iter | load |')
print('|---|---:|---:|---:|---:|---:|---:|')
def cell(v):
    ms = [x[0] for x in v]
    return statistics.median(ms), f'{statistics.median(ms):.0f} ({min(ms):.0f}–{max(ms):.0f})'
for w in order:
    e, r = data[w]['ebm4j'], data[w]['reference']
    if not e or not r:
        continue
    me, ce = cell(e)
    mr, cr = cell(r)
    ge, gr = {x[1] for x in e}, {x[1] for x in r}
    gf = f'{next(iter(ge)):g}' if ge == gr and len(ge) == 1 else f'**differ: {sorted(ge)} vs {sorted(gr)}**'
    loads = [x[3] for x in e + r]
    print(f'| {w} | {ce} | {cr} | **{me / mr:.2f}** | {max(x[2] for x in e) / 1024:.0f} / '
          f'{max(x[2] for x in r) / 1024:.0f} | {gf} | {min(loads):.1f}–{max(loads):.1f} |')
EOF
for w in "${SKIPPED[@]}"; do echo "| $w | not in this ebm4j | | | | | |"; done
echo
echo "Raw outputs: $OUT" >&2
