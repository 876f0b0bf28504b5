#!/usr/bin/env bash
# Records real responses of llama.cpp's llama-server (the offline model) as test fixtures for the model providers:
# OpenAI Chat Completions and Anthropic Messages, streamed and not. Run after `make local-model`.
# The fixtures are replayed byte for byte by Tests/LLMTests/RecordedResponseTests.swift.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${LEDGERCHAT_CACHE:-$HOME/.cache/ledgerchat}
SERVER=$(ls -d "$CACHE"/llama-server-*/llama-server | tail -1)
MODEL=$(ls "$CACHE"/model-*/model.gguf | tail -1)
OUT=Tests/LLMTests/Fixtures
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$OUT"

"$SERVER" -m "$MODEL" --host 127.0.0.1 --port "$PORT" --jinja -c 4096 -np 1 -t "$(nproc)" --alias local >/tmp/llama-record.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 1; done

TOOLS='[{"type":"function","function":{"name":"list_invoices","description":"Lists sales invoices, newest first. For the last N invoices pass only limit.","parameters":{"type":"object","properties":{"limit":{"type":"integer","minimum":1,"maximum":200},"status":{"type":"string","enum":["draft","open","partially_paid","paid","cancelled"]}}}}}]'
SYSTEM='You are the accounting assistant of Muster Digital GmbH. Answer briefly.'

post() { # path body file
  curl -sN "http://127.0.0.1:$PORT$1" -H 'Content-Type: application/json' -d "$2" > "$OUT/$3"
  echo "recorded $OUT/$3 ($(wc -c < "$OUT/$3") bytes)"
}

post /v1/chat/completions "{\"model\":\"local\",\"temperature\":0,\"max_tokens\":60,\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"system\",\"content\":\"$SYSTEM\"},{\"role\":\"user\",\"content\":\"Sag hallo.\"}]}" llama-server-openai-stream.txt
post /v1/chat/completions "{\"model\":\"local\",\"temperature\":0,\"max_tokens\":120,\"stream\":true,\"stream_options\":{\"include_usage\":true},\"tools\":$TOOLS,\"messages\":[{\"role\":\"system\",\"content\":\"$SYSTEM\"},{\"role\":\"user\",\"content\":\"show me the last 5 invoices\"}]}" llama-server-openai-stream-tools.txt
post /v1/chat/completions "{\"model\":\"local\",\"temperature\":0,\"max_tokens\":60,\"stream\":false,\"messages\":[{\"role\":\"system\",\"content\":\"$SYSTEM\"},{\"role\":\"user\",\"content\":\"Sag hallo.\"}]}" llama-server-openai.json
post /v1/messages "{\"model\":\"local\",\"temperature\":0,\"max_tokens\":60,\"stream\":true,\"system\":\"$SYSTEM\",\"messages\":[{\"role\":\"user\",\"content\":\"Sag hallo.\"}]}" llama-server-anthropic-stream.txt
post /v1/messages "{\"model\":\"local\",\"temperature\":0,\"max_tokens\":60,\"stream\":false,\"system\":\"$SYSTEM\",\"messages\":[{\"role\":\"user\",\"content\":\"Sag hallo.\"}]}" llama-server-anthropic.json
