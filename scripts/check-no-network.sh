#!/usr/bin/env bash
# Runs `hark transcribe` in an empty network namespace under strace and fails if the process
# (or any child) creates any socket but AF_UNIX, or if transcription fails there. Only local
# (AF_UNIX) sockets are allowed: every other family reaches past this machine's processes —
# AF_INET/AF_INET6 the internet, AF_PACKET raw frames on any interface, AF_VSOCK the host of a
# virtual machine, AF_NETLINK the kernel's routing and network configuration.
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
if grep -E 'socket\(' "$tmp/trace" | grep -vE 'socket\((AF_UNIX|AF_LOCAL|PF_UNIX|PF_LOCAL)\b' >/dev/null; then
  echo "check-no-network: hark created a socket of a family other than AF_UNIX:" >&2
  grep -E 'socket\(' "$tmp/trace" | grep -vE 'socket\((AF_UNIX|AF_LOCAL|PF_UNIX|PF_LOCAL)\b' >&2
  exit 1
fi
grep -q '"text"' "$tmp/out" || { echo "check-no-network: no transcript produced:" >&2; cat "$tmp/out" "$tmp/err" >&2; exit 1; }
echo "check-no-network: ok ($(grep -c 'socket(' "$tmp/trace" || true) socket calls, all AF_UNIX)"
