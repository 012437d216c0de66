#!/usr/bin/env bash
# Measures socklab beside the C reference pair (../shared/anchors) in one run, as BENCHMARKS.md
# reports: 1000 connections x 100 requests x 64 B with paced connects, ROUNDS interleaved
# rounds, medians and ratios.
#   ldgen -> echosrv                      the machine's yardstick
#   ldgen -e reverse -> task-serve async   socklab's event-loop server
#   ldgen -e reverse -> task-serve thr     socklab's Web Worker pool (2 workers)
#   socklab bench scale -> echosrv         socklab's load generator, against ldgen's figure
# Usage: scripts/compare_anchors.sh   (ROUNDS=3 ANCHORS=../shared/anchors DENO=deno)
set -euo pipefail
cd "$(dirname "$0")/.."
ANCHORS=${ANCHORS:-../shared/anchors}
DENO=${DENO:-deno}
ROUNDS=${ROUNDS:-3}
CONNS=1000 REQS=100 SIZE=64 PACE=64
make -s -C "$ANCHORS" >/dev/null
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

free_port() { "$DENO" eval 'const l = Deno.listen({ hostname: "127.0.0.1", port: 0 }); console.log(l.addr.port); l.close();'; }
start_socklab() { # mode args... -> prints the port
  local log="$work/server-$1.log"
  "$DENO" run -A main.ts task-serve --host 127.0.0.1 --port 0 --mode "$@" >"$log.out" 2>"$log" &
  pids+=($!)
  for _ in $(seq 100); do grep -q 'listening on' "$log" 2>/dev/null && break; sleep 0.1; done
  grep -o 'listening on [^ ]*' "$log" | sed 's/.*://'
}
field() { grep -o "$1=[0-9.]*" | head -1 | cut -d= -f2; }
ldgen() { # port expect -> "rps p50_ms p99_ms failures"
  local out
  out=$("$ANCHORS/ldgen" -H 127.0.0.1 -p "$1" -c $CONNS -r $REQS -s $SIZE -t 60 -P $PACE -e "$2" -q | grep '^RESULT')
  echo "$(field rps <<<"$out") $(awk "BEGIN{print $(field lat_p50_us <<<"$out")/1000}") $(awk "BEGIN{print $(field lat_p99_us <<<"$out")/1000}") $(field failures <<<"$out")"
}
loadgen() { # port -> "rps p50_ms p99_ms failures"
  rm -rf "$work/out"
  "$DENO" run -A main.ts bench scale --server "127.0.0.1:$1" --expect echo --connections $CONNS \
    --requests $REQS --size $SIZE --pace $PACE --out "$work/out" >/dev/null 2>&1
  # scale_summary.csv columns: see lib/reports/bench_csv.ts
  "$DENO" eval "
    const [h, r] = Deno.readTextFileSync('$work/out/scale_summary.csv').trim().split('\n').map((l) => l.split(','));
    const v = (k) => r[h.indexOf(k)];
    const f = ['failures_connect','failures_reset','failures_timeout','failures_mismatch'].reduce((s, k) => s + Number(v(k)), 0);
    console.log(v('requests_per_sec'), v('p50_ms'), v('p99_ms'), f);"
}

echo_port=$(free_port)
"$ANCHORS/echosrv" -p "$echo_port" -w 2 -T $((ROUNDS * 120)) >/dev/null 2>&1 &
pids+=($!)
sleep 0.5
async_port=$(start_socklab async)
thr_port=$(start_socklab thr --workers 2)

declare -A rows
for round in $(seq "$ROUNDS"); do
  rows[echosrv]+="$(ldgen "$echo_port" echo)"$'\n'
  rows[async]+="$(ldgen "$async_port" reverse)"$'\n'
  rows[thr]+="$(ldgen "$thr_port" reverse)"$'\n'
  rows[loadgen]+="$(loadgen "$echo_port")"$'\n'
  echo "round $round of $ROUNDS done" >&2
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -v c="$2" 'NF {print $c}' <<<"${rows[$1]}" | median; }
printf '%-34s %12s %9s %9s %8s %9s\n' "1000 conns x 100 req x 64 B, paced" "req/s" "p50 ms" "p99 ms" "p99/p50" "failures"
for name in echosrv async thr loadgen; do
  label=$name
  case $name in
    echosrv) label="ldgen -> echosrv (C)" ;;
    async) label="ldgen -> task-serve --mode async" ;;
    thr) label="ldgen -> task-serve --mode thr" ;;
    loadgen) label="socklab bench scale -> echosrv" ;;
  esac
  p50=$(col "$name" 2) p99=$(col "$name" 3)
  printf '%-34s %12.0f %9.2f %9.2f %8.1f %9s\n' "$label" "$(col "$name" 1)" "$p50" "$p99" \
    "$(awk "BEGIN{print $p99/$p50}")" "$(awk 'NF {s+=$4} END {print s}' <<<"${rows[$name]}")"
done
echo_rps=$(col echosrv 1)
printf '\nratios (medians of %s rounds):\n' "$ROUNDS"
printf '  task-serve async / echosrv req/s: %.0f%%\n' "$(awk "BEGIN{print 100*$(col async 1)/$echo_rps}")"
printf '  task-serve thr   / echosrv req/s: %.0f%%\n' "$(awk "BEGIN{print 100*$(col thr 1)/$echo_rps}")"
printf '  socklab load generator / ldgen req/s (both against echosrv): %.0f%%\n' "$(awk "BEGIN{print 100*$(col loadgen 1)/$echo_rps}")"
