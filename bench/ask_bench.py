"""`ask` end to end against a Python peer client, both answering the same question through the same instant
scripted LLM (Tests/Support/scripted_llm.py): a `list_invoices` tool call, then a text answer.

  ledgerchat ask            the in-process demo ledger
  llm + llm-tools-mcp       Simon Willison's `llm` CLI with its MCP plugin, spawning `ledgerchat serve --stdio`

Wall time is measured from process start to exit, with the answer checked every time: the model's second request
must carry the real tool result (the newest invoice numbers of the demo ledger). The agent's own overhead per round
is ask's turn time minus its tool time, divided by rounds; the scripted LLM's own time is counted as ours, so the
figure is an upper bound. Targets: ≥ 20× faster than the peer, ≤ 50 ms of our own overhead per round.

usage: ask_bench.py LEDGERCHAT_BIN PEER_VENV [RUNS]
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

BIN, PEER_VENV = sys.argv[1], sys.argv[2]
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 10
QUESTION = "show me the last 5 invoices"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = tempfile.mkdtemp(prefix="ledgerchat-ask-bench-")
LEDGER = os.path.join(WORK, "ledger.sqlite")


def chunk(delta, finish=None, usage=None):
    body = {"id": "bench", "object": "chat.completion.chunk", "created": 0, "model": "scripted",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    if usage:
        body["usage"] = {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)}
    return "data: " + json.dumps(body) + "\n\n"


SSE = {"Content-Type": "text/event-stream"}
SCRIPT = json.dumps({"steps": [
    {"stream": True, "headers": SSE, "chunks": [
        chunk({"role": "assistant", "tool_calls": [
            {"index": 0, "id": "call_1", "type": "function", "function": {"name": "list_invoices", "arguments": ""}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": "{\"limit\": 5}"}}]}),
        chunk({}, "tool_calls", (100, 10)), "data: [DONE]\n\n"]},
    {"stream": True, "headers": SSE, "chunks": [
        chunk({"role": "assistant", "content": "The five newest invoices are RE-1119 to RE-1115."}),
        chunk({}, "stop", (200, 20)), "data: [DONE]\n\n"]},
]}).encode()


def main():
    subprocess.run([BIN, "ledger", "init", "--path", LEDGER, "--anchor-date", "2026-11-25"], check=True, capture_output=True)
    llm = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests/Support/scripted_llm.py")],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(llm.stdout.readline())
    base = f"http://127.0.0.1:{port}"

    config = os.path.join(WORK, "config.toml")
    with open(config, "w") as f:
        f.write(f'default_model = "scripted"\n[models.scripted]\nprovider = "openai"\nbase_url = "{base}/v1"\nmodel = "scripted"\n')
    peer_home = os.path.join(WORK, "llm-home")
    os.makedirs(peer_home)
    with open(os.path.join(peer_home, "extra-openai-models.yaml"), "w") as f:
        f.write(f'- model_id: scripted\n  model_name: scripted\n  api_base: "{base}/v1"\n  supports_tools: true\n')
    mcp_json = os.path.join(WORK, "mcp.json")
    with open(mcp_json, "w") as f:
        json.dump({"mcpServers": {"ledger": {"command": BIN, "args": [
            "serve", "--stdio", "--ledger", LEDGER, "--today", "2026-11-25"]}}}, f)
    peer_env = dict(os.environ, LLM_USER_PATH=peer_home, OPENAI_API_KEY="unused")

    ours_command = [BIN, "ask", "--config", config, "--ledger", LEDGER, "--today", "2026-11-25", "--json",
                    "--trace", os.path.join(WORK, "trace.jsonl"), QUESTION]
    peer_command = [os.path.join(PEER_VENV, "bin", "llm"), "-m", "scripted", "-T", f'MCP("{mcp_json}")', QUESTION]

    def run(command, env=None):
        urllib.request.urlopen(urllib.request.Request(base + "/__script", data=SCRIPT, method="POST")).read()
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        elapsed = time.perf_counter() - started
        requests = json.loads(urllib.request.urlopen(base + "/__requests").read())
        tool_messages = [m for m in requests[-1]["body"]["messages"] if m.get("role") == "tool"] if len(requests) == 2 else []
        if done.returncode != 0 or "RE-1115" not in done.stdout or not any(
                "RE-1119" in str(m.get("content")) for m in tool_messages):
            sys.exit(f"{command[0]} did not answer as expected (exit {done.returncode}):\n{done.stdout[-600:]}\n{done.stderr[-600:]}")
        return elapsed

    for command, env in ((ours_command, None), (peer_command, peer_env)):
        run(command, env)  # warm-up: page cache, Python bytecode
    print(f"Measuring `ask` end to end, {RUNS} runs each, against an instant scripted LLM…", flush=True)
    ours = [run(ours_command) for _ in range(RUNS)]
    peer = [run(peer_command, peer_env) for _ in range(RUNS)]

    overheads = []
    with open(os.path.join(WORK, "trace.jsonl")) as f:
        for line in f:
            turn = json.loads(line)
            tools_ms = sum(call["duration_ms"] for call in turn["tool_calls"])
            overheads.append((turn["duration_ms"] - tools_ms) / len(turn["rounds"]))
    overheads = overheads[1:]  # the warm-up run
    llm.stdin.close()

    ours_median, peer_median = statistics.median(ours) * 1000, statistics.median(peer) * 1000
    overhead = statistics.median(overheads)
    ratio = peer_median / ours_median
    print()
    print(f"{'client':<44}{'median':>10}{'min':>10}{'max':>10}")
    print(f"{'ledgerchat ask (in-process ledger)':<44}{ours_median:>8.0f}ms{min(ours) * 1000:>8.0f}ms{max(ours) * 1000:>8.0f}ms")
    print(f"{'llm 0.36 + llm-tools-mcp 0.4 (serve --stdio)':<44}{peer_median:>8.0f}ms{min(peer) * 1000:>8.0f}ms{max(peer) * 1000:>8.0f}ms")
    print()
    print(f"ask wall time:         {ratio:.1f}× faster than the peer (target ≥ 20×) {'✓' if ratio >= 20 else '✗'}")
    print(f"agent overhead/round:  {overhead:.1f} ms, scripted LLM's time included (target ≤ 50 ms) {'✓' if overhead <= 50 else '✗'}")


main()
