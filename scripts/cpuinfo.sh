#!/usr/bin/env bash
# Prints the CPU and its int8-relevant features, and the pinned ONNX Runtime, on one line, so
# that a failing int8 result in `make test` can be tied to the hardware (issue 15: ONNX Runtime
# 1.24.1 garbled int8 products on CPUs with AVX-512 VNNI / AMX).
set -euo pipefail
cd "$(dirname "$0")/.."
model=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | xargs || true)
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2- || true)
have=()
for f in avx2 avx512f avx512_vnni avx_vnni amx_int8; do
  [[ " $flags " == *" $f "* ]] && have+=("$f")
done
ort=$(sed -n 's/^ORT_VERSION=//p' scripts/setup.sh)
echo "CPU: ${model:-unknown} (int8 features: ${have[*]:-none}; $(nproc) cores); ONNX Runtime $ort"
