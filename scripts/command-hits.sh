#!/usr/bin/env bash
# How often a spoken punctuation command ("comma", "new line", "question mark", …) comes out
# as its mark: each command said in three carrier sentences by six synthetic voices (flite,
# espeak-ng), transcribed by `hark transcribe` (formatted text), counted as a hit when the
# text holds the mark. Extra arguments go to hark transcribe (e.g. --hotwords FILE).
#
#   scripts/command-hits.sh [hark transcribe flags, e.g. --commands, as live dictation decodes]
#
# Synthetic voices are not people (and the default model has heard these voices in
# training): the figure compares decoders and settings, it is not the rate a speaker gets.
# VERBOSE=1 prints every miss.
set -euo pipefail
cd "$(dirname "$0")/.."
hark=${HARK:-bin/hark}
for tool in flite espeak-ng sox jq; do
  command -v "$tool" >/dev/null || { echo "command-hits: $tool is missing (scripts/setup.sh --model installs the voices)" >&2; exit 1; }
done
[ -x "$hark" ] || { echo "command-hits: $hark is missing; run make build" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# command|mark|three carrier sentences, the command where @ is
commands=(
  "comma|,|send the report today @ thanks|if it rains @ we stay home|call me later @ please"
  "period|.|the meeting is over @ see you soon|that is all for now @|we left early @ it was late"
  "full stop|.|the meeting is over @ see you soon|that is all for now @|we left early @ it was late"
  "question mark|?|is the report ready @|can you call me back @|where did you park the car @"
  "exclamation mark|!|that was great @|we won the game @|what a lovely day @"
  "colon|:|you will need three things @ paper pens and ink|the answer is simple @ wait|note this @ the door is locked"
  "semicolon|;|it was late @ we went home|the shop was closed @ we came back|she sings @ he plays"
  "new line|NL|first item @ second item|dear john @ thank you for the letter|buy milk @ buy bread"
  "new paragraph|NP|that ends the story @ the next day was sunny|thanks for reading @ best wishes|the end @ chapter two"
)
voices=("flite:slt" "flite:kal" "flite:awb" "flite:rms" "espeak-ng:en-us" "espeak-ng:en-gb")

: >"$tmp/expect.tsv"
n=0
for c in "${commands[@]}"; do
  IFS='|' read -r cmd mark s1 s2 s3 <<<"$c"
  for s in "$s1" "$s2" "$s3"; do
    text=${s//@/$cmd}
    for v in "${voices[@]}"; do
      n=$((n + 1))
      f="$tmp/$n.wav"
      case $v in
        flite:*) flite -voice "${v#flite:}" -t "$text" -o "$tmp/raw.wav" ;;
        espeak-ng:*) espeak-ng -v "${v#espeak-ng:}" -w "$tmp/raw.wav" "$text" ;;
      esac
      sox -q "$tmp/raw.wav" -r 16000 -c 1 -b 16 "$f"
      printf '%s\t%s\t%s\n' "$f" "$cmd" "$mark" >>"$tmp/expect.tsv"
    done
  done
done

mapfile -t clips < <(cut -f1 "$tmp/expect.tsv")
"$hark" transcribe --format jsonl "$@" "${clips[@]}" >"$tmp/out.jsonl"

scripts/cpuinfo.sh | head -1
echo "command-hits: $n clips (3 sentences × ${#voices[@]} voices per command), hark transcribe ${*:-(defaults)}"
printf '%-18s %5s\n' command hits
total=0
for c in "${commands[@]}"; do
  IFS='|' read -r cmd mark _ <<<"$c"
  hits=0 all=0
  while IFS=$'\t' read -r f _ m; do
    all=$((all + 1))
    txt=$(jq -r --arg f "$f" 'select(.file == $f) | .text' "$tmp/out.jsonl")
    hit=0
    case $m in
      NL) [[ $txt == *$'\n'* && $txt != *$'\n\n'* ]] && hit=1 ;;
      NP) [[ $txt == *$'\n\n'* ]] && hit=1 ;;
      *) [[ ${txt%.} == *"$m"* || ($m == "." && $txt == *". "*) ]] && hit=1 ;;
    esac
    hits=$((hits + hit))
    if [ "$hit" = 0 ] && [ -n "${VERBOSE:-}" ]; then
      printf '  miss %-16s %s\n' "$cmd" "${txt//$'\n'/\\n}" >&2
    fi
  done < <(awk -F'\t' -v c="$cmd" '$2 == c' "$tmp/expect.tsv")
  total=$((total + hits))
  printf '%-18s %2d/%d\n' "$cmd" "$hits" "$all"
done
printf '%-18s %3d/%d (%.0f%%)\n' all "$total" "$n" "$(echo "100 * $total / $n" | bc -l)"
