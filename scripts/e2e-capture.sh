#!/usr/bin/env bash
# End-to-end capture test: plays a WAV into a PulseAudio null sink, `hark listen` captures
# the sink's monitor through PortAudio, and its final text must equal `hark transcribe` of
# the same file. Prints the latency from the end of speech in the played file to the final
# text, and from the start of speech to the first partial.
#
#   scripts/e2e-capture.sh [WAV]          default: testdata/tones/hello.wav with the tone
#                                         fixture model and the energy VAD
#   MODEL=default VAD=silero scripts/e2e-capture.sh speech.wav
#   HARK=bin/hark SILENCE=0.8s ROUNDS=3 scripts/e2e-capture.sh
#
# Skips (exit 0) when PulseAudio is not installed. Exit 1 when the texts differ.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/nullsink.sh

for tool in pulseaudio pactl paplay sox; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "e2e-capture: SKIP: $tool is not installed (apt-get install pulseaudio pulseaudio-utils libasound2-plugins sox)"
		exit 0
	fi
done

WAV=${1:-testdata/tones/hello.wav}
MODEL=${MODEL:-testdata/models/tones}
VAD=${VAD:-energy}
SILENCE=${SILENCE:-0.8s}
ROUNDS=${ROUNDS:-3}

tmp=$(mktemp -d)
# Fyne (linked into the GUI build) logs a warning for the C locale.
case "${LANG:-C}" in C | C.* | POSIX) export LANG=en_US.UTF-8 ;; esac
listener= feeder=
cleanup() {
	[ -n "$listener" ] && kill -INT "$listener" 2>/dev/null || true
	[ -n "$feeder" ] && kill "$feeder" 2>/dev/null || true
	pulseaudio --kill >/dev/null 2>&1 || true
	[ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

HARK=${HARK:-}
if [ -z "$HARK" ]; then
	HARK=$tmp/hark
	echo "e2e-capture: building hark..."
	go build -o "$HARK" .
fi

start_null_sink

expected=$("$HARK" transcribe --model "$MODEL" "$WAV")

read -r sp_start sp_end < <(speech_bounds "$WAV")

out=$tmp/out.jsonl
stamp_lines "$out"
PULSE_SOURCE=vsink.monitor "$HARK" listen --device pulse --format jsonl --partials \
	--model "$MODEL" --vad "$VAD" --silence "$SILENCE" >"$tmp/fifo" 2>"$tmp/listen.err" &
listener=$!

# Ready once hark records from the monitor.
for _ in $(seq 100); do
	[ -n "$(pactl list short source-outputs 2>/dev/null)" ] && break
	sleep 0.1
done
if [ -z "$(pactl list short source-outputs 2>/dev/null)" ]; then
	echo "e2e-capture: FAIL: hark listen did not start capturing"; cat "$tmp/listen.err"; exit 1
fi
# The sound server's first playback stream starts about a second late; warm it up with a
# moment of silence so that the rounds measure Hark, not that.
sox -n -r 16000 -c 1 -b 16 "$tmp/warmup.wav" trim 0 0.2
paplay --device=vsink "$tmp/warmup.wav"
sleep 0.5

final_lat=() partial_lat=() texts=()
for round in $(seq "$ROUNDS"); do
	before=$(grep -c '"final":true' "$out" || true)
	t0=$(date +%s.%N)
	paplay --device=vsink "$WAV"
	# Wait for this round's final.
	for _ in $(seq 100); do
		[ "$(grep -c '"final":true' "$out" || true)" -gt "$before" ] && break
		sleep 0.05
	done
	fline=$(grep '"final":true' "$out" | sed -n "$((before + 1))p")
	if [ -z "$fline" ]; then
		echo "e2e-capture: FAIL: round $round: no final text"; cat "$out" "$tmp/listen.err"; exit 1
	fi
	tf=${fline%% *}
	# First partial after this round started.
	tp=$(awk -v t0="$t0" '$0 ~ /"final":false/ && $1 > t0 { print $1; exit }' "$out")
	texts+=("$(printf '%s\n' "${fline#* }" | sed -E 's/.*"text":"([^"]*)".*/\1/')")
	final_lat+=("$(awk -v a="$tf" -v b="$t0" -v e="$sp_end" 'BEGIN { printf "%.0f", (a - b - e) * 1000 }')")
	if [ -n "$tp" ]; then
		partial_lat+=("$(awk -v a="$tp" -v b="$t0" -v s="$sp_start" 'BEGIN { printf "%.0f", (a - b - s) * 1000 }')")
	fi
	sleep 0.5
done

kill -INT "$listener" 2>/dev/null || true
wait "$listener" || { echo "e2e-capture: FAIL: hark listen exited with status $?"; cat "$tmp/listen.err"; exit 1; }
listener=
wait "$stamper" || true

status=PASS
for i in "${!texts[@]}"; do
	if [ "${texts[$i]}" != "$expected" ]; then
		status=FAIL
		echo "round $((i + 1)): listen said \"${texts[$i]}\", transcribe said \"$expected\""
	fi
done
silence_ms=$(awk -v s="${SILENCE%s}" 'BEGIN { printf "%.0f", s * 1000 }')
echo "e2e-capture: $WAV ($MODEL, VAD $VAD): transcribe \"$expected\"; listen ${#texts[@]} rounds"
echo "  end of speech -> final text (ms):    ${final_lat[*]}  (includes the ${silence_ms} ms trailing-silence wait)"
echo "  end of speech -> final, less wait:   $(for v in "${final_lat[@]}"; do printf '%s ' $((v - silence_ms)); done)"
echo "  start of speech -> first partial (ms): ${partial_lat[*]:-none}"
echo "e2e-capture: $status"
[ "$status" = PASS ]
