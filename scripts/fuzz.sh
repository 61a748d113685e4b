#!/usr/bin/env bash
# Runs every fuzz target of the module for a short time (FUZZTIME, default 2s each): the
# parsers of untrusted input (WAV/FLAC/MP3 sniffing, ONNX protobuf, tokens.txt, ARPA and binary
# LMs, model.json, archives, hotword and replacement files, the lm build corpus reader, eval
# manifests, the control protocol, the text normaliser and formatter, features) get new inputs
# on every `make test`, on top of their seed corpora, which `go test` always runs.
#   scripts/fuzz.sh            all targets
#   FUZZTIME=60s scripts/fuzz.sh FuzzReadONNX   one target, longer
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-2s}
only=${1:-}
n=0
while IFS=: read -r file name; do
  [ -n "$only" ] && [ "$name" != "$only" ] && continue
  pkg=./$(dirname "$file")
  if ! out=$(go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" 2>&1); then
    # A real finding is written to testdata/fuzz. Without one, the failure is Go's fuzzing
    # harness itself ("context deadline exceeded" when the time runs out mid-input): not a
    # defect of the target, so it does not fail the run.
    if ! grep -q "Failing input written to" <<<"$out"; then
      echo "fuzz: $name ($pkg): the fuzzing harness stopped without a failing input ($(grep -m1 -E 'deadline|FAIL' <<<"$out" | tr -d '\t')); not counted as a failure" >&2
      n=$((n + 1))
      continue
    fi
    echo "$out" | tail -30
    echo "fuzz: $name ($pkg) FAILED; the failing input is in $pkg/testdata/fuzz/$name/" >&2
    exit 1
  fi
  n=$((n + 1))
done < <(git ls-files '*_test.go' | xargs grep -H -o -E '^func Fuzz[A-Za-z0-9_]+' | sed -E 's/:func /:/' | sort)
echo "fuzz: $n targets, $fuzztime each, no failures"
