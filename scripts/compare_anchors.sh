#!/usr/bin/env bash
# Measures socklab beside the C reference pair (../shared/anchors) in one run, as BENCHMARKS.md
# reports, on both transports (--io deno|node), ROUNDS interleaved rounds, medians:
#   ldgen -> echosrv                           the machine's yardstick
#   ldgen -e reverse -> task-serve async, thr  socklab's servers (thr: a pool of 2)
#   socklab bench scale -> echosrv             socklab's load generator, against ldgen's figure
#   ldgen -n 10000 -c 64 -r 1                  connection churn: connections per second
#   ldgen -e reverse -> scripts/node_net_probe.ts  node:net with no socklab code: the ceiling
# With CONNS=9000 PACE=256 it is the descriptor-bound scale run (ulimit -n 20000).
# Usage: scripts/compare_anchors.sh   (ROUNDS=3 CONNS=1000 PACE=64 CHURN=1 CHURN_ROUNDS=1 LOADGEN=1
#        PROBE=1 ANCHORS=../shared/anchors DENO=deno IOS="node deno" MODES="async thr")
set -euo pipefail
cd "$(dirname "$0")/.."
ANCHORS=${ANCHORS:-../shared/anchors}
DENO=${DENO:-deno}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-1000} REQS=${REQS:-100} SIZE=64 PACE=${PACE:-64}
IOS=${IOS:-"node deno"}
MODES=${MODES:-"async thr"}
CHURN=${CHURN:-1}
CHURN_ROUNDS=${CHURN_ROUNDS:-1}
LOADGEN=${LOADGEN:-1}
PROBE=${PROBE:-1}
work=$(mktemp -d)
# The anchors' folder may be read-only: build a copy.
cp "$ANCHORS"/*.c "$ANCHORS"/Makefile "$work/" && make -s -C "$work" >/dev/null
BIN=$work
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
pids=()
# Every server started here is ended here, by the PID recorded when it was started. With
# SIGTERM: a non-interactive shell starts background jobs with SIGINT ignored, so SIGINT never
# ended echosrv and the script waited out echosrv's one-hour lifetime (-T) on exit.
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { "$DENO" eval 'const l = Deno.listen({ hostname: "127.0.0.1", port: 0 }); console.log(l.addr.port); l.close();'; }
# start_server NAME COMMAND... : starts a server in the background of this shell, sets PORT
# from the "listening on HOST:PORT" line it prints on either stream.
start_server() {
  local log="$work/server-$1.log"
  shift
  "$@" >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 150); do grep -q 'listening on' "$log" 2>/dev/null && break; sleep 0.1; done
  PORT=$(grep -o 'listening on [^ ]*' "$log" | head -1 | sed 's/.*://')
}
start_socklab() { # NAME ARGS... : task-serve
  local name=$1
  shift
  start_server "$name" "$DENO" run -A main.ts task-serve --host 127.0.0.1 --port 0 --drain 1s "$@"
}
field() { grep -o " $1=[0-9.]*" | head -1 | cut -d= -f2; }
ldgen() { # port expect -> "rps p50_ms p99_ms max_ms failures"
  local out
  out=$("$BIN/ldgen" -H 127.0.0.1 -p "$1" -c "$CONNS" -r "$REQS" -s $SIZE -t 120 -P "$PACE" -e "$2" -q | grep '^RESULT')
  awk -v rps="$(field rps <<<"$out")" -v p50="$(field lat_p50_us <<<"$out")" \
    -v p99="$(field lat_p99_us <<<"$out")" -v max="$(field lat_max_us <<<"$out")" \
    -v f="$(field failures <<<"$out")" 'BEGIN{print rps, p50/1000, p99/1000, max/1000, f}'
}
churn() { # port expect -> "cps failures"
  local out
  out=$("$BIN/ldgen" -H 127.0.0.1 -p "$1" -c 64 -n 10000 -r 1 -s $SIZE -t 120 -e "$2" -q | grep '^RESULT')
  echo "$(field overall_cps <<<"$out") $(field failures <<<"$out")"
}
loadgen() { # port io -> "rps p50_ms p99_ms max_ms failures"
  rm -rf "$work/out"
  "$DENO" run -A main.ts bench scale --server "127.0.0.1:$1" --client-io "$2" --expect echo \
    --connections "$CONNS" --requests "$REQS" --size $SIZE --pace "$PACE" --json 2>/dev/null |
    "$DENO" eval "
      const r = JSON.parse(await new Response(Deno.stdin.readable).text()).summaries[0];
      const f = Object.values(r.failures).reduce((a, b) => a + b, 0);
      console.log(r.requestsPerSec, r.latency.p50Ms, r.latency.p99Ms, r.latency.maxMs, f);"
}

echo_port=$(free_port)
"$BIN/echosrv" -p "$echo_port" -w 2 -T 3600 >/dev/null 2>&1 &
pids+=($!)
# echosrv's two threads race under churn: drop() closes a descriptor before it clears the
# slot that descriptor indexes, so the other thread may accept a connection on that number
# in between and lose it (ldgen then counts timeouts). A one-thread echosrv has no race.
echo1_port=$(free_port)
"$BIN/echosrv" -p "$echo1_port" -w 1 -T 3600 >/dev/null 2>&1 &
pids+=($!)
sleep 0.5
declare -A port rows names
order=(echosrv)
for mode in $MODES; do
  for io in $IOS; do
    name="$mode/$io"
    extra=()
    [ "$mode" = thr ] && extra=(--workers 2)
    start_socklab "${mode}-${io}" --mode "$mode" --io "$io" "${extra[@]}"
    port[$name]=$PORT
    order+=("$name")
  done
done
if [ "$PROBE" = 1 ]; then
  start_server probe "$DENO" run -A scripts/node_net_probe.ts
  port[probe]=$PORT
  order+=(probe)
fi

for round in $(seq "$ROUNDS"); do
  rows[echosrv]+="$(ldgen "$echo_port" echo)"$'\n'
  for name in "${order[@]:1}"; do rows[$name]+="$(ldgen "${port[$name]}" reverse)"$'\n'; done
  if [ "$LOADGEN" = 1 ]; then
    for io in $IOS; do rows[loadgen/$io]+="$(loadgen "$echo_port" "$io")"$'\n'; done
  fi
  echo "round $round of $ROUNDS done" >&2
done
# Churn after the latency rounds, each run once the TIME_WAIT sockets of the one before are
# gone (at most 90 s): every run leaves 10,000 of them for 60 s, and with tens of thousands in
# the table every connect and close on the machine slows down, whoever is measured.
timewait() { ss -tan state time-wait | tail -n +2 | wc -l; }
settle() { for _ in $(seq 90); do [ "$(timewait)" -lt 1000 ] && return; sleep 1; done; }
if [ "$CHURN" = 1 ]; then
  for round in $(seq "$CHURN_ROUNDS"); do
    settle && rows[churn-echosrv1]+="$(churn "$echo1_port" echo)"$'\n'
    for name in "${order[@]:1}"; do
      settle && rows[churn-$name]+="$(churn "${port[$name]}" reverse)"$'\n'
    done
    echo "churn round $round of $CHURN_ROUNDS done" >&2
  done
fi

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -v c="$2" 'NF {print $c}' <<<"${rows[$1]}" | median; }
printf '%s conns x %s req x %s B, paced %s; medians of %s rounds\n' "$CONNS" "$REQS" "$SIZE" "$PACE" "$ROUNDS"
printf '%-42s %10s %8s %8s %8s %8s %8s %8s\n' "" "req/s" "p50 ms" "p99 ms" "max ms" "p99/p50" "failures" "% C"
echo_rps=$(col echosrv 1)
show() { # key label reference_rps
  local p50 p99
  p50=$(col "$1" 2) p99=$(col "$1" 3)
  printf '%-42s %10.0f %8.2f %8.2f %8.1f %8.1f %8s %7.0f%%\n' "$2" "$(col "$1" 1)" "$p50" "$p99" \
    "$(col "$1" 4)" "$(awk "BEGIN{print $p99/$p50}")" \
    "$(awk 'NF {s+=$5} END {print s}' <<<"${rows[$1]}")" "$(awk "BEGIN{print 100*$(col "$1" 1)/$3}")"
}
show echosrv "ldgen -> echosrv (C)" "$echo_rps"
label() { [ "$1" = probe ] && echo "node:net probe (no socklab code)" || echo "task-serve $1"; }
for name in "${order[@]:1}"; do show "$name" "ldgen -> $(label "$name")" "$echo_rps"; done
if [ "$LOADGEN" = 1 ]; then
  for io in $IOS; do show "loadgen/$io" "bench scale --client-io $io -> echosrv" "$echo_rps"; done
fi
if [ "$CHURN" = 1 ]; then
  printf '\nconnection churn (ldgen -c 64 -n 10000 -r 1), connections/s, medians of %s rounds;\n' "$CHURN_ROUNDS"
  printf 'failures summed; %% of echosrv -w 1 (the two-thread echosrv races under churn, see\n'
  printf 'BENCHMARKS.md section 3, and is not measured here):\n'
  echo1_cps=$(col churn-echosrv1 1)
  churn_row() { # key label
    printf '  %-38s %8.0f %8s  %4.0f%%\n' "$2" "$(col "$1" 1)" \
      "$(awk 'NF {s+=$2} END {print s}' <<<"${rows[$1]}")" \
      "$(awk "BEGIN{print 100*$(col "$1" 1)/$echo1_cps}")"
  }
  churn_row churn-echosrv1 "echosrv -w 1 (C)"
  for name in "${order[@]:1}"; do churn_row "churn-$name" "$(label "$name")"; done
fi
