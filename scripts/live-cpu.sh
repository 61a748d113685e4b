#!/usr/bin/env bash
# What live dictation costs: `hark listen` capturing a PulseAudio null sink (as a microphone)
# for SECONDS of silence, then while speech plays into it without pause, and prints the CPU
# it used (user+sys, % of one core) in each phase, from /proc/PID/stat. Issue 19's targets:
# ≤ 2% in silence, ≤ 15% while someone speaks.
#
#   scripts/live-cpu.sh [SECONDS]      (default 20; HARK=path/to/hark)
#
# Output is redirected (no partials are decoded: nobody sees them), as when typing into
# another window; LISTEN_ARGS adds flags (e.g. "--partials --format jsonl").
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
hark=${HARK:-bin/hark}
for tool in pulseaudio pactl pacat sox; do
	command -v "$tool" >/dev/null || { echo "live-cpu: $tool is missing (scripts/setup.sh installs it)" >&2; exit 1; }
done
[ -x "$hark" ] || { echo "live-cpu: $hark is missing; run make build" >&2; exit 1; }
hark=$(realpath "$hark")
sample=$(realpath testdata/speech/sample.wav)
tmp=$(mktemp -d)
# shellcheck source=scripts/lib/nullsink.sh disable=SC1091
. scripts/lib/nullsink.sh
cleanup() {
	[ -n "${listener:-}" ] && kill "$listener" 2>/dev/null
	[ -n "${feeder:-}" ] && kill "$feeder" 2>/dev/null
	pulseaudio --kill 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
start_null_sink

# cpu_ticks PID: user+sys clock ticks so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# shellcheck disable=SC2086 # LISTEN_ARGS is a list of flags
PULSE_SOURCE=vsink.monitor "$hark" listen --history=false ${LISTEN_ARGS:-} >"$tmp/out.txt" 2>"$tmp/err.txt" &
listener=$!
sleep 3 # model load and device start
kill -0 "$listener" 2>/dev/null || { echo "live-cpu: hark listen stopped: $(head -1 "$tmp/err.txt")" >&2; exit 1; }

t0=$(cpu_ticks "$listener")
sleep "$secs"
t1=$(cpu_ticks "$listener")

# Speech without a pause: the sample, end to end, for the same time.
reps=$(awk -v s="$secs" -v d="$(soxi -D "$sample")" 'BEGIN { print int(s / d) + 1 }')
parts=()
for _ in $(seq "$reps"); do parts+=("$sample"); done
sox "${parts[@]}" -r 16000 -c 1 -b 16 "$tmp/speech.wav" trim 0 "$secs"
paplay --device=vsink "$tmp/speech.wav" &
player=$!
t2=$(cpu_ticks "$listener")
wait "$player"
t3=$(cpu_ticks "$listener")
sleep 2

scripts/cpuinfo.sh | head -1
echo "live-cpu: hark listen on a null sink, ${secs} s per phase, output redirected ${LISTEN_ARGS:+(${LISTEN_ARGS})}"
awk -v a="$((t1 - t0))" -v b="$((t3 - t2))" -v hz="$hz" -v s="$secs" 'BEGIN {
	printf "silence  %5.1f%% of one core\n", 100 * a / hz / s
	printf "speech   %5.1f%% of one core\n", 100 * b / hz / s
}'
echo "utterances written: $(grep -c . "$tmp/out.txt" || true)"
