#!/usr/bin/env bash
# Measures what BENCHMARKS.md reports under "Faithful arrivals (framing latency)": whether
# `serve` counts and times every message of the 000 reference client (Python,
# tests/conformance/reference/timestamp_client.py) as it arrived, and how soon `task-serve`
# answers the 004 reference benchmark client's unterminated request under --framing auto
# against chunk (the framing the reference servers use).
#   serve: for each --io and mode, one server with --max-connections WORKERS --json, the
#     reference client at -w WORKERS -n EVENTS -d d -p 0.05; prints the messages counted
#     (of WORKERS x EVENTS) and the median and mean data gap in ms.
#   task-serve: per framing, REPLIES fresh connections one after another, each sending
#     "BenchmarkTestString123" with no newline and reading the reply, as
#     benchmark_client_004.py does; prints the send-to-reply median and p90 in ms.
# DENO must be the deno binary itself, as npx does not pass on the SIGINT that stops task-serve:
#   DENO=$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())') scripts/faithful_arrivals.sh
# Usage: scripts/faithful_arrivals.sh   (DENO=deno WORKERS=3 EVENTS=10 REPLIES=50
#        IOS="deno node" MODES="iter|async|thr|thr --workers 0|proc|proc --workers 0")
set -euo pipefail
cd "$(dirname "$0")/.."
DENO=${DENO:-deno}
WORKERS=${WORKERS:-3}
EVENTS=${EVENTS:-10}
REPLIES=${REPLIES:-50}
IOS=${IOS:-"deno node"}
MODES=${MODES:-"iter|async|thr|thr --workers 0|proc|proc --workers 0"}
work=$(mktemp -d)
pid=
# A failed step leaves no server behind.
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

# Starts `$DENO run -A main.ts "$@"` in the background with stdout to $work/out, and sets
# $pid and $port once the server prints its `listening on` line (at most 60 s).
start() {
  : >"$work/err"
  $DENO run -A main.ts "$@" >"$work/out" 2>"$work/err" &
  pid=$!
  for _ in $(seq 600); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/err" | head -1)
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  echo "no listening line from: $*" >&2
  cat "$work/err" >&2
  kill "$pid"
  return 1
}

echo "serve: reference 000 client, -w $WORKERS -n $EVENTS -d d -p 0.05"
printf '%-22s %-5s %9s %10s %8s\n' mode io messages median mean
for io in $IOS; do
  IFS='|' read -ra modes <<<"$MODES"
  for mode in "${modes[@]}"; do
    # shellcheck disable=SC2086 # the mode's words are flags
    start serve --host 127.0.0.1 --port 0 --mode $mode --io "$io" \
      --max-connections "$WORKERS" --json
    python3 -B tests/conformance/reference/timestamp_client.py -w "$WORKERS" -n "$EVENTS" \
      -d d -p 0.05 -s 127.0.0.1 -P "$port" >/dev/null
    wait "$pid"
    python3 - "$work/out" "$mode" "$io" "$((WORKERS * EVENTS))" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
gaps = d["dataInterArrival"]
print(f"{sys.argv[2]:<22} {sys.argv[3]:<5} {d['messages']:>5}/{sys.argv[4]:<3} "
      f"{gaps['median']:>10.2f} {gaps['mean']:>8.2f}")
EOF
  done
done

echo
echo "task-serve: the 004 benchmark client's request, $REPLIES connections, send to reply (ms)"
printf '%-8s %8s %8s\n' framing median p90
for framing in auto chunk; do
  start task-serve --host 127.0.0.1 --port 0 --framing "$framing"
  python3 - "$port" "$REPLIES" "$framing" <<'EOF'
import socket, statistics, sys, time
port, n, framing = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
times = []
for _ in range(n):
    with socket.create_connection(("127.0.0.1", port)) as s:
        start = time.perf_counter()
        s.sendall(b"BenchmarkTestString123")
        reply = s.recv(1024)
        times.append((time.perf_counter() - start) * 1000)
        assert reply.startswith(b"321gnirtStseTkramhcneB"), reply
times.sort()
print(f"{framing:<8} {statistics.median(times):>8.2f} {times[int(0.9 * (n - 1))]:>8.2f}")
EOF
  kill -INT "$pid"
  wait "$pid" || true
done
