#!/usr/bin/env bash
# Scores Hark and Debian's pocketsphinx (with pocketsphinx-en-us) on the same manifest in the
# same run, so the comparison is a ratio measured together.
#   models/eval/peers.sh MANIFEST.tsv [hark flags...]
set -euo pipefail
manifest=$1; shift
hark=${HARK:-bin/hark}
ps_model=/usr/share/pocketsphinx/model/en-us
command -v pocketsphinx_continuous >/dev/null || { echo "peers: apt-get install pocketsphinx pocketsphinx-en-us" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
hyps=$tmp/pocketsphinx.tsv
base=$(dirname "$manifest")
t0=$(date +%s.%N)
while IFS=$'\t' read -r path ref; do
  [ -z "$path" ] && continue
  case "$path" in /*) p=$path ;; *) p=$base/$path ;; esac
  sox "$p" -r 16000 -c 1 -b 16 "$tmp/in.wav" 2>/dev/null
  text=$(pocketsphinx_continuous -infile "$tmp/in.wav" -hmm "$ps_model/en-us" -lm "$ps_model/en-us.lm.bin" \
    -dict "$ps_model/cmudict-en-us.dict" 2>/dev/null | tr '\n' ' ')
  printf '%s\t%s\n' "$path" "$text" >> "$hyps"
done < <(grep -v '^#' "$manifest")
t1=$(date +%s.%N)
echo "== pocketsphinx $(dpkg-query -W -f='${Version}' pocketsphinx) (en-us, default LM) — $(echo "$t1 - $t0" | bc) s wall"
"$hark" eval --score "$hyps" "$manifest"
echo "== hark $*"
"$hark" eval "$@" "$manifest"
