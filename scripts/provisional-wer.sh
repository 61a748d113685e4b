#!/usr/bin/env bash
# What provisional finals cost in accuracy: every file of a manifest is replayed through
# `hark listen --input FILE --fast --raw --vad silero` with each --provisional setting, the
# text of each file (its lines joined) is collected, and `hark eval --score` scores it
# against the manifest's references. A piece is decoded without the audio that follows it,
# so a full-context model (and the LM) loses the context across each cut.
#
#   scripts/provisional-wer.sh MANIFEST.tsv [SETTING...]   settings: --provisional values
#                                                          (default: 0 120ms)
#   HARK=bin/hark MODEL=default scripts/provisional-wer.sh models/eval/cache/speech-dev.tsv 0 120ms 200ms
#
# Prints each setting's WER and CER (and how many files gave no text); KEEP=1 keeps the
# hypotheses.
set -euo pipefail

manifest=${1:?usage: scripts/provisional-wer.sh MANIFEST.tsv [SETTING...]}
shift
dir=$(cd "$(dirname "$manifest")" && pwd)
manifest=$dir/$(basename "$manifest")
cd "$(dirname "$0")/.."
settings=("$@")
[ ${#settings[@]} -gt 0 ] || settings=(0 120ms)
MODEL=${MODEL:-default}
case "${LANG:-C}" in C | C.* | POSIX) export LANG=en_US.UTF-8 ;; esac

tmp=$(mktemp -d)
cleanup() { [ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"; }
trap cleanup EXIT

HARK=${HARK:-}
if [ -z "$HARK" ]; then
	HARK=$tmp/hark
	go build -o "$HARK" .
fi

for p in "${settings[@]}"; do
	hyps=$tmp/hyps-$p.tsv
	: >"$hyps"
	# The hypotheses keep each path as the manifest writes it (eval matches them as written).
	while IFS=$'\t' read -r path _; do
		case "$path" in '' | '#'*) continue ;; /*) file=$path ;; *) file=$dir/$path ;; esac
		text=$("$HARK" listen --input "$file" --fast --raw --vad silero --model "$MODEL" \
			--provisional "$p" --format txt 2>"$tmp/listen.err" | tr '\n' ' ' | sed -E 's/ +/ /g; s/^ //; s/ $//') ||
			{ echo "provisional-wer: $file: $(tail -n1 "$tmp/listen.err")" >&2; text=; }
		# A file with no text is left out: scored as empty.
		if [ -n "$text" ]; then printf '%s\t%s\n' "$path" "$text" >>"$hyps"; fi
	done <"$manifest"
	"$HARK" eval --score "$hyps" "$manifest" >"$tmp/score-$p.txt"
	echo "provisional $p: $(grep -E '^(WER|CER|hypotheses)' "$tmp/score-$p.txt" | sed -E 's/^hypotheses [^(]*//; s/  +/ /g' | paste -sd ';' | sed 's/;/; /g')"
done
