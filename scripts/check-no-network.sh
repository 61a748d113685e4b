#!/usr/bin/env bash
# Runs `hark transcribe` in an empty network namespace under strace and fails if the process
# (or any child) creates an AF_INET or AF_INET6 socket, or if transcription fails there.
#   scripts/check-no-network.sh BIN WAV
set -euo pipefail
bin=$1 wav=$2
for t in unshare strace; do
  command -v "$t" >/dev/null || { echo "check-no-network: $t is not installed (run scripts/setup.sh)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! unshare -n true 2>/dev/null; then
  echo "check-no-network: cannot create a network namespace here (needs root or user namespaces)" >&2
  exit 1
fi
if ! unshare -n strace -f -qq -e trace=socket -o "$tmp/trace" "$bin" transcribe --format jsonl "$wav" >"$tmp/out" 2>"$tmp/err"; then
  echo "check-no-network: transcription failed inside an empty network namespace:" >&2
  cat "$tmp/err" >&2
  exit 1
fi
if grep -E 'AF_INET6?\b' "$tmp/trace" >/dev/null; then
  echo "check-no-network: hark created an internet socket:" >&2
  grep -E 'AF_INET6?\b' "$tmp/trace" >&2
  exit 1
fi
grep -q '"text"' "$tmp/out" || { echo "check-no-network: no transcript produced:" >&2; cat "$tmp/out" "$tmp/err" >&2; exit 1; }
echo "check-no-network: ok ($(grep -c socket "$tmp/trace" || true) socket calls, none AF_INET/AF_INET6)"
