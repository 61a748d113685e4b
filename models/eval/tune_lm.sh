#!/usr/bin/env bash
# Grid-searches the language-model weight α (--lm-weight) and word bonus β (--word-bonus) on
# a DEV manifest and prints a WER table (rows α, columns β), the no-LM baseline and the best
# pair, to be recorded in model.json as "decoding": {"lm_weight": α, "word_bonus": β}.
# Tune on a development set only, never on a test set: the script refuses manifests whose
# file name contains "test".
#   models/eval/tune_lm.sh DEV.tsv LM.bin [hark eval flags, e.g. --model DIR --beam 16]
# Environment: HARK (default bin/hark), ALPHAS, BETAS (space-separated grids), JOBS.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
manifest=$1; lm=$2; shift 2
. "$(dirname "$0")/lib.sh"
dev_args tune_lm "$manifest" "$lm"
hark=${HARK:-bin/hark}
alphas=${ALPHAS:-0.2 0.3 0.5 0.7 1.0 1.5}
betas=${BETAS:-0 0.5 1 1.5 2 3}
jobs=${JOBS:-$(nproc)}

wer() { # prints the WER percentage of one eval run
  "$hark" eval --jobs "$jobs" "$@" "$manifest" | awk '/^WER/ { sub("%", "", $2); print $2 }'
}

base=$(wer --lm none "$@")
echo "manifest $manifest, LM $lm, no-LM WER $base%"
printf '%6s' 'α \ β'
for b in $betas; do printf '%8s' "$b"; done
echo
best=; best_a=; best_b=
for a in $alphas; do
  printf '%6s' "$a"
  for b in $betas; do
    w=$(wer --lm "$lm" --lm-weight "$a" --word-bonus "$b" "$@")
    printf '%8s' "$w"
    if [ -z "$best" ] || awk -v x="$w" -v y="$best" 'BEGIN { exit !(x < y) }'; then
      best=$w; best_a=$a; best_b=$b
    fi
  done
  echo
done
echo "best: α=$best_a β=$best_b WER $best% (no LM $base%)"
echo "model.json: \"decoding\": {\"lm_weight\": $best_a, \"word_bonus\": $best_b}"
