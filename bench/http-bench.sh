#!/usr/bin/env bash
# tools/call throughput and latency of `ledgerchat serve --http` against FastMCP serving the same
# list_invoices over the same SQLite file, measured in the same run with the same load generator (wrk).
# Targets: at least 20× FastMCP's throughput and at most 1/10 of its p99 latency. A benchmark, not a test.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${LEDGERCHAT_BIN:-.build/release/ledgerchat}
PYTHON=${PEERS_PYTHON:?run through make bench, which sets PEERS_PYTHON}
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-4}
WORK=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_for() { # url
  for _ in $(seq 1 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "server at $1 did not come up" >&2; exit 1
}
check_answer() { # url name
  local body
  body=$(curl -s -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' "$1" \
    -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_invoices","arguments":{}}}')
  local rows
  rows=$(grep -o 'RE-[0-9][0-9]*' <<<"$body" | sort -u | wc -l)
  [ "$rows" -eq 25 ] || { echo "$2 did not answer with 25 invoices: ${body:0:300}" >&2; exit 1; }
}
measure() { # url -> "req/s p50_ms p99_ms failures"
  wrk -t1 -c"$CONNECTIONS" -d2s -s bench/tools-call.lua "$1" >/dev/null  # warm-up
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/tools-call.lua "$1" | python3 -c '
import re, sys
text = sys.stdin.read()
def ms(value, unit): return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(*re.search(r"\s50%\s+([\d.]+)(us|ms|s)", text).groups())
p99 = ms(*re.search(r"\s99%\s+([\d.]+)(us|ms|s)", text).groups())
failures = int(re.search(r"FAILURES (\d+)", text).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(rate, p50, p99, failures + (int(non2xx.group(1)) if non2xx else 0))'
}

echo "Preparing the demo ledger (seed 42, anchor 2026-11-25)…"
"$BIN" ledger init --path "$WORK/ledger.sqlite" --anchor-date 2026-11-25 >/dev/null

OURS_PORT=$(free_port)
"$BIN" serve --http --port "$OURS_PORT" --ledger "$WORK/ledger.sqlite" 2>/dev/null &
PIDS+=($!)
UNCACHED_PORT=$(free_port)
"$BIN" serve --http --port "$UNCACHED_PORT" --ledger "$WORK/ledger.sqlite" --no-result-cache 2>/dev/null &
PIDS+=($!)
PEER_PORT=$(free_port)
"$PYTHON" bench/fastmcp_server.py "$WORK/ledger.sqlite" "$PEER_PORT" >"$WORK/fastmcp.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$OURS_PORT/health"
wait_for "http://127.0.0.1:$UNCACHED_PORT/health"
wait_for "http://127.0.0.1:$PEER_PORT/mcp"
check_answer "http://127.0.0.1:$OURS_PORT/mcp" "ledgerchat"
check_answer "http://127.0.0.1:$UNCACHED_PORT/mcp" "ledgerchat --no-result-cache"
check_answer "http://127.0.0.1:$PEER_PORT/mcp" "FastMCP"

echo "Measuring tools/call list_invoices (25 newest, stateless JSON) with wrk, $CONNECTIONS connections, ${DURATION}s each…"
read -r ours_rate ours_p50 ours_p99 ours_fail < <(measure "http://127.0.0.1:$OURS_PORT/mcp")
read -r uncached_rate uncached_p50 uncached_p99 uncached_fail < <(measure "http://127.0.0.1:$UNCACHED_PORT/mcp")
read -r peer_rate peer_p50 peer_p99 peer_fail < <(measure "http://127.0.0.1:$PEER_PORT/mcp")

python3 - "$ours_rate" "$ours_p50" "$ours_p99" "$ours_fail" "$peer_rate" "$peer_p50" "$peer_p99" "$peer_fail" \
  "$uncached_rate" "$uncached_p50" "$uncached_p99" "$uncached_fail" <<'PY'
import sys
(ours_rate, ours_p50, ours_p99, ours_fail, peer_rate, peer_p50, peer_p99, peer_fail,
 uncached_rate, uncached_p50, uncached_p99, uncached_fail) = map(float, sys.argv[1:])
print()
print(f"{'server':<36}{'calls/s':>10}{'p50':>11}{'p99':>11}{'failed':>8}")
print(f"{'ledgerchat serve --http':<36}{ours_rate:>10.0f}{ours_p50:>9.2f}ms{ours_p99:>9.2f}ms{ours_fail:>8.0f}")
print(f"{'ledgerchat … --no-result-cache':<36}{uncached_rate:>10.0f}{uncached_p50:>9.2f}ms{uncached_p99:>9.2f}ms{uncached_fail:>8.0f}")
print(f"{'FastMCP 4.2.3':<36}{peer_rate:>10.0f}{peer_p50:>9.2f}ms{peer_p99:>9.2f}ms{peer_fail:>8.0f}")
print()
print("The default server answers a repeated read from memory while the ledger is unchanged (any write,")
print(f"by it or another process, invalidates); with every query run again it does {uncached_rate / peer_rate:.1f}× FastMCP.")
throughput = ours_rate / peer_rate
p99_ratio = ours_p99 / peer_p99
print()
print(f"throughput ratio: {throughput:.1f}× FastMCP (target ≥ 20×) {'✓' if throughput >= 20 else '✗'}")
print(f"p99 ratio:        {p99_ratio:.3f} of FastMCP's = 1/{1 / p99_ratio:.0f} (target ≤ 1/10) {'✓' if p99_ratio <= 0.1 else '✗'}")
if ours_fail or peer_fail or uncached_fail:
    print(f"warning: failed answers — ledgerchat {ours_fail:.0f}, uncached {uncached_fail:.0f}, FastMCP {peer_fail:.0f}")
PY
