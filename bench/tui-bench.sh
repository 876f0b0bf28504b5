#!/usr/bin/env bash
# The chat's frame render time for a 10,000-row table and a 1,000-message transcript (target ≤ 5 ms each), against
# Python's rich rendering the same content, and the real TUI's resident memory after loading that transcript
# (in tmux), against the rich process. A benchmark, not a test.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${LEDGERCHAT_BIN:-.build/release/ledgerchat}
PY=${PEERS_PYTHON:?set PEERS_PYTHON to the peers venv python (make bench does)}
WORK=$(mktemp -d)
SOCKET=ledgerchat-bench-$$
cleanup() { tmux -L "$SOCKET" kill-server 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

ours=$("$BIN" bench-render --rows 10000 --messages 1000)
peer=$("$PY" bench/render_peer.py 10000 1000)

# The real TUI: load a saved 1,000-message conversation and read its resident memory.
python3 - "$WORK/conversation.json" <<'PY'
import json, sys
messages = []
for index in range(500):
    messages.append({"role": "user", "content": f"Question {index}: which invoices of Autohaus Becker KG are overdue?", "toolCalls": [], "isError": False})
    messages.append({"role": "assistant", "content": f"## Overdue\n**{index % 7} invoices** are overdue, the oldest `RE-2026-{index}`:\n- first item with some words to wrap around the line\n- second item\n\nTotal: 1.234,56 €", "toolCalls": [], "isError": False})
json.dump({"format": "ledgerchat-conversation", "version": 1, "messages": messages}, open(sys.argv[1], "w"))
PY
"$BIN" ledger init --path "$WORK/ledger.sqlite" --anchor-date 2026-11-25 >/dev/null
tmux -L "$SOCKET" -f /dev/null new-session -d -s bench -x 100 -y 30 \
  "env TERM=tmux-256color LANG=C.UTF-8 XDG_STATE_HOME=$WORK/state $BIN chat --ledger $WORK/ledger.sqlite --history $WORK/history 2>$WORK/stderr.txt"
for _ in $(seq 1 100); do tmux -L "$SOCKET" capture-pane -p -t bench | grep -q "Welcome to ledgerchat" && break; sleep 0.1; done
tmux -L "$SOCKET" send-keys -t bench -l "/load $WORK/conversation.json"
tmux -L "$SOCKET" send-keys -t bench Enter
for _ in $(seq 1 100); do tmux -L "$SOCKET" capture-pane -p -t bench | grep -q "Loaded 500 questions" && break; sleep 0.1; done
# Scroll through the whole transcript once, so every message has been laid out.
for _ in $(seq 1 200); do tmux -L "$SOCKET" send-keys -t bench PPage; done
sleep 1
pid=
for candidate in $(pgrep -f "chat --ledger $WORK/ledger.sqlite"); do
  [ "$(cat /proc/$candidate/comm 2>/dev/null)" = ledgerchat ] && pid=$candidate
done
[ -n "$pid" ] || { echo "the chat did not start; see $WORK/stderr.txt" >&2; cat "$WORK/stderr.txt" >&2; exit 1; }
tmux -L "$SOCKET" capture-pane -p -t bench | grep -q "Loaded 500 questions\|more lines below" || echo "warning: the transcript did not load" >&2
tui_rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")

python3 - "$ours" "$peer" "$tui_rss" <<'PY'
import json, sys
ours, peer, tui_rss = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
def verdict(value, target=5.0):
    return "meets" if value <= target else "MISSES"
print(f"Chat frame, 100x30 screen (release build; rich 15 as the peer renders the same content):")
print(f"  {ours['table_rows']:,}-row table:        first frame {ours['table_cold_ms']:.2f} ms, next {ours['table_warm_ms']:.2f} ms, "
      f"while typing {ours['table_typing_ms']:.2f} ms ({verdict(ours['table_cold_ms'])} the 5 ms target); "
      f"rich {peer['table_ms']:.0f} ms -> {peer['table_ms'] / ours['table_cold_ms']:,.0f}x")
print(f"    (turning the tool result into the table once, when it arrives: {ours['table_build_ms']:.0f} ms)")
print(f"  {ours['transcript_messages']:,}-message transcript: first frame {ours['transcript_cold_ms']:.2f} ms, next {ours['transcript_warm_ms']:.2f} ms, "
      f"while streaming {ours['transcript_streaming_ms']:.2f} ms ({verdict(ours['transcript_cold_ms'])} the 5 ms target); "
      f"rich {peer['transcript_ms']:.0f} ms -> {peer['transcript_ms'] / ours['transcript_cold_ms']:,.0f}x")
print(f"  resident memory of the running TUI after loading and scrolling that transcript: {tui_rss / 1024:.1f} MiB "
      f"(the rich process after rendering it: {peer['rss_kb'] / 1024:.1f} MiB -> {peer['rss_kb'] / tui_rss:.2f}x)")
PY
