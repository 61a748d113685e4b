#!/usr/bin/env bash
# Runs sherpa-onnx (npm sherpa-onnx-node) and `hark transcribe --beam 1` on the same model
# directory and the same WAV files, and prints side by side: real-time factor (decode time /
# audio time), cold start (process start -> text for the shortest file), peak RSS of one
# process transcribing all the files (/usr/bin/time -v), and whether the greedy texts agree per
# file: a check that Hark's features and export follow the NeMo CTC convention sherpa-onnx uses
# (issue 19). Debian's pocketsphinx is measured too when it is already installed.
#   scripts/peer-sherpa.sh [FILE.wav...]
#   env: MODEL (default models/default), RUNS (5), DECODES (3), HARK (default: make -s build)
# Both engines use 1 thread and are measured in the same run, alternating, RUNS times; the
# figures are medians. RTF is in-process: `hark bench` for Hark, and for sherpa-onnx the same
# recipe in scripts/lib/peer-sherpa.js (per file one warm-up decode, then DECODES timed decodes
# of read WAV + features + model + search). sherpa-onnx is installed, pinned and without install
# scripts, into .deps/sherpa-onnx/ (skipped when there); nothing else is left behind.
set -euo pipefail
set -E # functions inherit the ERR trap below
cd "$(dirname "$0")/.."

SHERPA_VERSION=1.13.8
# dist.integrity of the two tarballs (npm view sherpa-onnx-node@1.13.8 dist.integrity).
SHERPA_NODE_SHA512=sha512-MsDMBdhLFTZ1GwvcGSSQhnS7g/EA8OMH6IYysCVUOM7j8Icty9KRc0E6YT1A5fWBsZwRfKOeh88QC95aRvS8ag==
SHERPA_LINUX_X64_SHA512=sha512-6plnhjagsSeTntCgnlag86hWbs/uZE9Crms1LgOb68/1nKsIQjMd+WG519m+aPwT6TrsBOiEMzrx41t8sL5L5g==
DEPS=.deps/sherpa-onnx
PS_MODEL=/usr/share/pocketsphinx/model/en-us

model=${MODEL:-models/default}
runs=${RUNS:-5}
decodes=${DECODES:-3}
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  # The repository's spoken (espeak-ng) WAVs; testdata/tones/ holds tones, not speech.
  files=(testdata/speech/sample.wav asr/vad/testdata/hello.wav asr/vad/testdata/numbers.wav)
fi

die() { echo "peer-sherpa: $*" >&2; exit 1; }
trap 'echo "peer-sherpa: failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR

scripts/cpuinfo.sh

# --- what must be there --------------------------------------------------------------------
[ "$(uname -s)/$(uname -m)" = Linux/x86_64 ] || die "needs Linux x86_64 (the pinned addon is sherpa-onnx-linux-x64), not $(uname -s)/$(uname -m)"
for c in node npm make; do
  command -v "$c" >/dev/null || die "$c not found (apt-get install nodejs npm make)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
[[ "$runs" =~ ^[1-9][0-9]*$ && "$decodes" =~ ^[1-9][0-9]*$ ]] || die "RUNS and DECODES must be positive integers"
for f in model.onnx tokens.txt; do
  [ -f "$model/$f" ] || die "$model/$f not found (MODEL must be a model directory)"
done
for f in "${files[@]}"; do
  [ -f "$f" ] || die "$f not found"
done
if [ -n "${HARK:-}" ]; then
  [ -x "$HARK" ] || die "HARK=$HARK is not an executable"
  hark=$HARK
else
  make -s build || die "make -s build failed"
  hark=bin/hark
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- sherpa-onnx, pinned, without install scripts ---------------------------------------------
nm=$DEPS/node_modules
pkg_version() { node -p "require('./$nm/$1/package.json').version" 2>/dev/null || true; }
if [ "$(pkg_version sherpa-onnx-node)" != "$SHERPA_VERSION" ] ||
  [ "$(pkg_version sherpa-onnx-linux-x64)" != "$SHERPA_VERSION" ]; then
  echo "peer-sherpa: installing sherpa-onnx-node $SHERPA_VERSION into $DEPS (npm, --ignore-scripts)"
  mkdir -p "$DEPS"
  (cd "$DEPS" && npm install --ignore-scripts --no-audit --no-fund --no-update-notifier --save-exact \
    --cache "$tmp/npm-cache" --loglevel=error \
    "sherpa-onnx-node@$SHERPA_VERSION" "sherpa-onnx-linux-x64@$SHERPA_VERSION") >"$tmp/npm.log" 2>&1 ||
    { cat "$tmp/npm.log" >&2; die "npm install of sherpa-onnx-node@$SHERPA_VERSION failed"; }
fi
for p in "sherpa-onnx-node $SHERPA_NODE_SHA512" "sherpa-onnx-linux-x64 $SHERPA_LINUX_X64_SHA512"; do
  got=$(node -p "require('./$DEPS/package-lock.json').packages['node_modules/${p% *}'].integrity" 2>/dev/null || true)
  [ "$got" = "${p#* }" ] || die "${p% *}: integrity in $DEPS/package-lock.json is '$got', not the pinned ${p#* } (rm -rf $DEPS and rerun)"
done
export NODE_PATH=$PWD/$nm
# The addon finds its .so files through RUNPATH $ORIGIN; this is belt and braces.
export LD_LIBRARY_PATH=$PWD/$nm/sherpa-onnx-linux-x64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
sherpa_js=scripts/lib/peer-sherpa.js

# jsonl FIELD... prints the FIELDs of each JSON line on standard input, tab-separated.
jsonl() {
  node -e 'const f = process.argv.slice(1);
    for (const l of require("fs").readFileSync(0, "utf8").split("\n"))
      if (l.trim()) { const o = JSON.parse(l); console.log(f.map((k) => o[k]).join("\t")); }' "$@"
}
now_ns() { date +%s%N; }
rss_kb() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }
median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# --- texts and durations once, and what sherpa-onnx does with this model -------------------
"$hark" transcribe --beam 1 --raw --format jsonl --model "$model" "${files[@]}" | jsonl file duration_s text >"$tmp/hark.tsv" ||
  die "hark transcribe failed"
SHERPA_DEBUG=1 node "$sherpa_js" --info "$model" "${files[@]}" >"$tmp/sherpa.jsonl" 2>"$tmp/sherpa.log" ||
  { tail -5 "$tmp/sherpa.log" >&2; die "sherpa-onnx failed on $model (log above)"; }
head -n1 "$tmp/sherpa.jsonl" | jsonl version git onnxruntime >"$tmp/sherpa.info"
tail -n +2 "$tmp/sherpa.jsonl" | jsonl file duration_s text sample_rate >"$tmp/sherpa.tsv"
awk -F'\t' '$4 != 16000 {print "peer-sherpa: " $1 " is " $4 " Hz, not 16 kHz (both engines would resample differently)"; bad = 1} END {exit bad}' "$tmp/sherpa.tsv" >&2 ||
  exit 1
IFS=$'\t' read -r sv sgit sort_v <"$tmp/sherpa.info"
if grep -q '^normalize_type=' "$tmp/sherpa.log"; then
  norm=$(sed -n '/^normalize_type=/{s///p;q}' "$tmp/sherpa.log")
else
  norm="(absent)"
fi
audio_s=$(awk -F'\t' '{s += $2} END {printf "%.2f", s}' "$tmp/hark.tsv")
IFS=$'\t' read -r short short_s < <(awk -F'\t' 'NR == 1 || $2 < m {m = $2; f = $1} END {print f "\t" m}' "$tmp/hark.tsv")

ps=""
if command -v pocketsphinx_continuous >/dev/null && [ -d "$PS_MODEL/en-us" ]; then
  ps=pocketsphinx_continuous
fi

# --- one measurement of each engine ---------------------------------------------------------
# Each appends "RTF cold_ms rss_kb" to $tmp/ENGINE.runs.
measure_hark() {
  local t0 t1 f d rtf sum=0
  t0=$(now_ns)
  "$hark" transcribe --beam 1 --model "$model" "$short" >/dev/null
  t1=$(now_ns)
  /usr/bin/time -v -o "$tmp/time" "$hark" transcribe --beam 1 --model "$model" "${files[@]}" >/dev/null
  for f in "${files[@]}"; do
    # "total" row: RTF over DECODES timed runs after one warm-up run; times the file's duration.
    rtf=$("$hark" bench --beam 1 --runs "$decodes" --model "$model" "$f" | awk '$1 == "total" {print $2}')
    d=$(awk -F'\t' -v f="$f" '$1 == f {print $2}' "$tmp/hark.tsv")
    sum=$(awk -v s="$sum" -v r="$rtf" -v d="$d" 'BEGIN {print s + r * d}')
  done
  echo "$(awk -v s="$sum" -v a="$audio_s" 'BEGIN {print s / a}') $(((t1 - t0) / 1000000)) $(rss_kb "$tmp/time")" >>"$tmp/hark.runs"
}
measure_sherpa() {
  local t0 t1 sum
  t0=$(now_ns)
  node "$sherpa_js" "$model" "$short" >/dev/null
  t1=$(now_ns)
  /usr/bin/time -v -o "$tmp/time" node "$sherpa_js" "$model" "${files[@]}" >/dev/null
  sum=$(node "$sherpa_js" --runs "$decodes" "$model" "${files[@]}" | jsonl decode_s | awk '{s += $1} END {print s}')
  echo "$(awk -v s="$sum" -v a="$audio_s" 'BEGIN {print s / a}') $(((t1 - t0) / 1000000)) $(rss_kb "$tmp/time")" >>"$tmp/sherpa.runs"
}
# pocketsphinx_continuous takes one file per process: RTF from its own "TOTAL ... wall" search
# times (fwdtree + fwdflat + bestpath; its MFCC front end is not in them), RSS the largest.
ps_run() {
  /usr/bin/time -v -o "$tmp/time" "$ps" -infile "$1" -hmm "$PS_MODEL/en-us" -lm "$PS_MODEL/en-us.lm.bin" \
    -dict "$PS_MODEL/cmudict-en-us.dict" >/dev/null 2>"$tmp/ps.log"
}
measure_ps() {
  local t0 t1 f sum=0 rss=0 r
  t0=$(now_ns)
  ps_run "$short"
  t1=$(now_ns)
  for f in "${files[@]}"; do
    ps_run "$f"
    sum=$(awk -v s="$sum" '/TOTAL [a-z]+ [0-9.]+ wall/ {s += $5} END {print s}' "$tmp/ps.log")
    r=$(rss_kb "$tmp/time")
    [ "$r" -gt "$rss" ] && rss=$r
  done
  echo "$(awk -v s="$sum" -v a="$audio_s" 'BEGIN {print s / a}') $(((t1 - t0) / 1000000)) $rss" >>"$tmp/ps.runs"
}

engines=(hark sherpa)
[ -n "$ps" ] && engines+=(ps)
echo "peer-sherpa: model $model, ${#files[@]} files, $audio_s s of audio (cold start: $short, $short_s s); $runs runs, engines alternating, 1 thread each"
for i in $(seq "$runs"); do
  # Rotate the order each run so that neither engine always goes first.
  for j in $(seq 0 $((${#engines[@]} - 1))); do
    e=${engines[$(((i - 1 + j) % ${#engines[@]}))]}
    "measure_$e"
  done
done

# --- report --------------------------------------------------------------------------------
col() { cut -d' ' -f"$2" "$tmp/$1.runs" | median; }
declare -A rtf cold rss
for e in "${engines[@]}"; do
  rtf[$e]=$(col "$e" 1) cold[$e]=$(col "$e" 2) rss[$e]=$(col "$e" 3)
done
row() { # NAME RTF COLD_MS RSS_KB
  awk -v n="$1" -v r="$2" -v c="$3" -v m="$4" 'BEGIN {printf "%-40s %8.4f %10.0fx %8.0f ms %8.1f MiB\n", n, r, 1 / r, c, m / 1024}'
}
hv=$("$hark" version)
echo "hark: $(sed -n '1s/^hark \([^ ]*\).*/\1/p' <<<"$hv"), $(sed -n 's/^\(onnxruntime [^ ]*\).*/\1/p' <<<"$hv"); sherpa-onnx-node $sv (git $sgit, onnxruntime $sort_v)"
echo "sherpa-onnx NeMo CTC front end: librosa-style mel 0 Hz..Nyquist, Hann window, no DC removal, dither 0; model normalize_type=\"$norm\" -> $([ -z "$norm" ] && echo "no per-feature normalisation" || echo "$norm normalisation")"
printf '%-40s %8s %11s %11s %12s\n' "median of $runs (1 thread)" RTF x-realtime "cold start" "peak RSS"
for e in "${engines[@]}"; do
  case $e in
    hark) name="hark transcribe --beam 1" ;;
    sherpa) name="sherpa-onnx $sv greedy" ;;
    ps) name="pocketsphinx $(dpkg-query -W -f='${Version}' pocketsphinx 2>/dev/null || echo '?') (search)" ;;
  esac
  row "$name" "${rtf[$e]}" "${cold[$e]}" "${rss[$e]}"
done
[ -n "$ps" ] || echo "pocketsphinx: not installed, not measured"
awk -v r="${rtf[sherpa]}" -v R="${rtf[hark]}" -v c="${cold[sherpa]}" -v C="${cold[hark]}" -v m="${rss[sherpa]}" -v M="${rss[hark]}" \
  'BEGIN {printf "%-40s %7.2fx %11s %10.2fx %11.2fx\n", "ratio sherpa-onnx / hark", r / R, "", c / C, m / M}'

# Greedy texts, file by file (peer-sherpa.js --compare: words lower-cased, spaces collapsed).
node "$sherpa_js" --compare "$tmp/hark.tsv" "$tmp/sherpa.tsv"
