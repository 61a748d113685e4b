#!/usr/bin/env bash
# Measures what a hotword list does on a DEV manifest: decodes it without and with
# --hotwords (same other flags) and prints, for each, the WER over all utterances, over the
# utterances whose reference holds a hotword and over the others, the hotword recall (of the
# reference words that are a hotword, or a hotword + "'s", how many the hypothesis has) and
# false alarms (such words in the hypothesis beyond the reference's count).
#   models/eval/hotwords.sh DEV.tsv HOTWORDS.txt [hark eval flags, e.g. --beam 16 --lm none]
# Environment: HARK (default bin/hark), JOBS. Refuses manifests named like a test set.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,8p' "$0" >&2; exit 2; }
manifest=$1; hw=$2; shift 2
. "$(dirname "$0")/lib.sh"
dev_args hotwords "$manifest" "$hw"
hark=${HARK:-bin/hark}
jobs=${JOBS:-$(nproc)}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# Split the manifest into utterances with and without a hotword in the reference; the word
# forms counted as a hotword (each name, and the name + "'s") go to $tmp/forms.txt.
/usr/bin/python3 - "$manifest" "$hw" "$tmp" <<'EOF'
import re, sys
manifest, hw, tmp = sys.argv[1:4]
names = set()
for line in open(hw, encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if line:
        names.add(re.split(r"[:\t]", line)[0].strip().lower())
forms = names | {n + "'s" for n in names}
open(f"{tmp}/forms.txt", "w").write("\n".join(sorted(forms)) + "\n")
with open(f"{tmp}/with.tsv", "w") as w, open(f"{tmp}/without.tsv", "w") as wo:
    for line in open(manifest, encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        ref = line.rstrip("\n").split("\t", 1)[1].lower()
        (w if forms & set(re.findall(r"[a-z']+", ref)) else wo).write(line)
EOF

wer() { awk '/^WER/ { sub(/^\(/, "", $3); printf "%s (%s/%s)", $2, $3, $6 }'; }
printf 'manifest %s, hotwords %s (%s phrases), flags: %s\n' "$manifest" "$hw" "$(grep -cv '^\s*\(#\|$\)' "$hw")" "$*"
printf '%-8s %-20s %-20s %-20s %s\n' run "WER all" "WER, utts with one" "WER, the others" "hotword recall, false alarms"
for run in without with; do
  flags=("$@")
  [ $run = with ] && flags+=(--hotwords "$hw")
  "$hark" eval --jobs "$jobs" --hyp "$tmp/hyp-$run.tsv" "${flags[@]}" "$manifest" > "$tmp/all-$run.txt"
  all=$(wer < "$tmp/all-$run.txt")
  sub_w=-; sub_o=-
  [ -s "$tmp/with.tsv" ] && sub_w=$("$hark" eval --score "$tmp/hyp-$run.tsv" "$tmp/with.tsv" | wer)
  [ -s "$tmp/without.tsv" ] && sub_o=$("$hark" eval --score "$tmp/hyp-$run.tsv" "$tmp/without.tsv" | wer)
  rec=$(/usr/bin/python3 - "$manifest" "$tmp/forms.txt" "$tmp/hyp-$run.tsv" <<'EOF'
import collections, re, sys
manifest, forms_file, hyps = sys.argv[1:4]
forms = set(open(forms_file, encoding="utf-8").read().split())
words = lambda s: [w for w in re.findall(r"[a-z']+", s.lower()) if w in forms]
hyp = {}
for line in open(hyps, encoding="utf-8"):
    p, _, t = line.rstrip("\n").partition("\t")
    hyp[p] = t
n = hit = fa = 0
for line in open(manifest, encoding="utf-8"):
    if not line.strip() or line.startswith("#"):
        continue
    p, ref = line.rstrip("\n").split("\t", 1)
    r, h = collections.Counter(words(ref)), collections.Counter(words(hyp.get(p, "")))
    n += sum(r.values())
    hit += sum((r & h).values())
    fa += sum((h - r).values())
print(f"{hit}/{n}" + (f" ({100 * hit / n:.0f}%)" if n else "") + f", {fa} false")
EOF
)
  printf '%-8s %-20s %-20s %-20s %s\n' "$run" "$all" "$sub_w" "$sub_o" "$rec"
done
