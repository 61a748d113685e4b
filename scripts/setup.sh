#!/usr/bin/env bash
# Installs what Hark needs to build, run and test on Debian 12, idempotently and quietly:
# Debian packages, the pinned ONNX Runtime shared library (from the npm package
# onnxruntime-node, checksum-verified, into .deps/ inside the repository) and Go tools.
#   scripts/setup.sh            everything for building and testing
#   scripts/setup.sh --runtime  only what `make run` needs
#   scripts/setup.sh --model    only what `make model` (the default model's training recipe) needs
set -euo pipefail
cd "$(dirname "$0")/.."

# ONNX Runtime: 1.24.1 garbled int8 results on CPUs with AVX-512 VNNI / AMX (issue 15); 1.30.0
# and 1.31.1 leave telemetry files (a device id, a database) behind. The versions checked, and
# on which CPUs, are in the README ("ONNX Runtime and your CPU").
ORT_VERSION=1.27.0
ORT_TGZ_SHA256=c3779c01c59832f8c03e2c392ac3af10bf08579f1822e8b1c63cc451edb302a2
ORT_LIB_SHA256=d8aff4aa8abee8fb2abb2f2f2459ffc94461e781e41b9f7c072829dd0d470221
STATICCHECK_VERSION=v0.8.2
DEPS=.deps

mode=${1:-all}

# Debian packages. Build: gcc/pkg-config for cgo, PortAudio and GL/X11 headers for the app.
# Tests: sox (resampler comparison), strace + util-linux (network isolation test), xvfb and
# xdotool (real window and typing tests), PulseAudio (live capture end to end).
pkgs_runtime=(ca-certificates gcc libc6-dev pkg-config portaudio19-dev libgl1-mesa-dev xorg-dev)
pkgs_test=(sox libsox-fmt-all strace util-linux xvfb x11-apps xdotool imagemagick python3
  pulseaudio pulseaudio-utils libasound2-plugins)
want=("${pkgs_runtime[@]}")
[ "$mode" = "--runtime" ] || want+=("${pkgs_test[@]}")
# Model recipe (models/train): Debian's PyTorch and friends, sox, the TTS engines that make the
# synthetic training speech, festival with two diphone voices (the held-out TTS dev set only).
# SVOX Pico and RHVoice are in Debian's non-free component: installed when apt can see them.
pkgs_model=(python3 python3-torch python3-numpy python3-scipy python3-onnx sox libsox-fmt-all opus-tools
  espeak-ng flite festival festvox-kallpc16k festvox-kdlpc16k)
pkgs_model_nonfree=(libttspico-utils rhvoice rhvoice-english)
if [ "$mode" = "--model" ]; then
  want=("${pkgs_model[@]}")
  for p in "${pkgs_model_nonfree[@]}"; do
    if apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
      want+=("$p")
    elif ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      echo "setup: $p is in Debian's non-free component, not enabled here: the recipe runs without it (add 'contrib non-free' to the apt sources to synthesise its voices too)" >&2
    fi
  done
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm fetches the ONNX Runtime package; any npm will do (Debian's, or one already installed).
[ "$mode" = "--model" ] || command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ "$mode" = "--model" ] && exit 0

# ONNX Runtime shared library, extracted from the npm package without running its scripts.
lib="$DEPS/onnxruntime/libonnxruntime.so.1"
if ! echo "$ORT_LIB_SHA256  $lib" | sha256sum -c --status 2>/dev/null; then
  echo "setup: fetching ONNX Runtime $ORT_VERSION (npm package onnxruntime-node)" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "onnxruntime-node@$ORT_VERSION" >/dev/null)
  tgz="$tmp/onnxruntime-node-$ORT_VERSION.tgz"
  if ! echo "$ORT_TGZ_SHA256  $tgz" | sha256sum -c --status; then
    echo "setup: checksum mismatch for onnxruntime-node-$ORT_VERSION.tgz; refusing to use it" >&2
    exit 1
  fi
  tar -xzf "$tgz" -C "$tmp" package/bin/napi-v6/linux/x64/libonnxruntime.so.1
  if ! echo "$ORT_LIB_SHA256  $tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" | sha256sum -c --status; then
    echo "setup: checksum mismatch for libonnxruntime.so.1; refusing to use it" >&2
    exit 1
  fi
  mkdir -p "$DEPS/onnxruntime"
  install -m 0644 "$tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$lib.tmp"
  mv "$lib.tmp" "$lib"
fi

# Go tools for the checks in `make test`.
if [ "$mode" != "--runtime" ]; then
  gobin=$(go env GOPATH)/bin
  if ! "$gobin/staticcheck" -version 2>/dev/null | grep -q "${STATICCHECK_VERSION#v}"; then
    echo "setup: installing staticcheck $STATICCHECK_VERSION" >&2
    go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" >/dev/null 2>&1 ||
      go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
  fi
fi
