#!/usr/bin/env bash
# Insert latency: the time from the end of speech in a played file to its text arriving in
# the focused application. A private Xvfb display shows an xterm whose terminal writes every
# key it receives to a file; a private PulseAudio plays the WAV into a null sink;
# `hark listen --type` captures the sink's monitor and types each final with xdotool into
# the focused xterm. The text must equal `hark transcribe` of the file (and a space): with
# the small default model a borderline word can come out differently in live capture (see
# e2e-capture.sh), and the round then fails. With provisional finals (--provisional, off by
# default) the words are typed at the pause after the last one and the full stop and space
# after the trailing silence: both times are printed.
#
#   scripts/insert-latency.sh [WAV]       default: testdata/tones/hello.wav with the tone
#                                         fixture model and the energy VAD
#   MODEL=default VAD=silero scripts/insert-latency.sh speech.wav
#   HARK=bin/hark SILENCE=0.8s ROUNDS=3 scripts/insert-latency.sh
#   PROVISIONAL=120ms scripts/insert-latency.sh  provisional finals on (--provisional)
#
# Without xterm (or with STANDIN=1), a stand-in `xdotool` on PATH records what would have been
# typed (the figure then leaves out the X server and the terminal). Skips (exit 0) when Xvfb, xdotool or
# PulseAudio is not installed. Exit 1 when the texts differ or nothing arrives.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
. scripts/lib/nullsink.sh

require_tools insert-latency "xvfb xdotool xterm pulseaudio pulseaudio-utils sox" Xvfb xdotool pulseaudio pactl paplay pacat sox
capture_settings "$@"
listener= feeder= xvfb= term= stamper=
cleanup() {
	[ -n "$listener" ] && kill -INT "$listener" 2>/dev/null || true
	[ -n "$feeder" ] && kill "$feeder" 2>/dev/null || true
	[ -n "$term" ] && kill "$term" 2>/dev/null || true
	[ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null || true
	pulseaudio --kill >/dev/null 2>&1 || true
	[ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

build_hark insert-latency

# A private display, sound server and home (set after the build, which needs the real
# home's Go caches).
private_home

start_xvfb insert-latency 1024x768x24

target=$tmp/typed.txt
: >"$target"
if [ -z "${STANDIN:-}" ] && command -v xterm >/dev/null 2>&1; then
	how="xterm on Xvfb $DISPLAY"
	# Non-canonical mode: each key reaches cat (and the file) as it is typed, no Enter needed.
	xterm -title hark-target -geometry 80x10+0+0 -e sh -c 'stty -icanon -echo min 1 time 0; exec cat >"$1"' sh "$target" 2>"$tmp/xterm.log" &
	term=$!
	wid=$(xdotool search --sync --name '^hark-target$' | head -n1)
	xdotool mousemove --sync 100 50 windowfocus --sync "$wid"
	sleep 0.3
else
	how="a stand-in xdotool (no X target)"
	mkdir -p "$tmp/bin"
	cat >"$tmp/bin/xdotool" <<EOF
#!/bin/sh
# Records what xdotool would type: the text is the last argument.
for a; do last=\$a; done
printf '%s' "\$last" >>"$target"
EOF
	chmod +x "$tmp/bin/xdotool"
	export PATH=$tmp/bin:$PATH
fi

start_null_sink

expected=$("$HARK" transcribe --model "$MODEL" "$WAV")

read -r _ sp_end < <(speech_bounds "$WAV")

# Each final printed gets the wall-clock time it arrived (to split the figure).
out=$tmp/out.jsonl
stamp_lines "$out"
PULSE_SOURCE=vsink.monitor "$HARK" listen --device pulse --type --format jsonl --history=false \
	--model "$MODEL" --vad "$VAD" --silence "$SILENCE" ${PROVISIONAL:+--provisional "$PROVISIONAL"} \
	>"$tmp/fifo" 2>"$tmp/listen.err" &
listener=$!

await_capture insert-latency

# The words without the full stop (typed first with provisional finals).
words=${expected%.}

want_all= words_lat=() insert_lat=() final_lat=()
status=PASS
for round in $(seq "$ROUNDS"); do
	before_all=$want_all
	want_all+="$expected "
	t0=$(date +%s.%N)
	# Played in the background: the words may arrive before the file's trailing silence
	# has finished playing.
	paplay --device=vsink "$WAV" &
	player=$!
	# Wait (up to 10 s) for this round's words, then its whole text, in the target.
	ti= tw=
	for _ in $(seq 2000); do
		got=$(cat "$target")
		if [ -z "$tw" ] && { [ "$got" = "$before_all$words" ] || [ "$got" = "$want_all" ]; }; then
			tw=$(date +%s.%N)
		fi
		if [ "$got" = "$want_all" ]; then
			ti=$(date +%s.%N)
			break
		fi
		sleep 0.005
	done
	wait "$player" || true
	if [ -z "$ti" ]; then
		echo "insert-latency: FAIL: round $round: the target holds \"$(cat "$target")\", want \"$want_all\""
		cat "$tmp/listen.err"
		status=FAIL
		break
	fi
	words_lat+=("$(ms_after "$tw" "$t0" "$sp_end")")
	insert_lat+=("$(ms_after "$ti" "$t0" "$sp_end")")
	# The first final line of the round that holds all the words.
	tf=$(awk -v t0="$t0" -v w="$words" '
		$1 > t0 && /"final":true/ {
			t = $0; sub(/.*"text":"/, "", t); sub(/".*/, "", t); sub(/\.$/, "", t)
			if (t == w) { print $1; exit }
		}' "$out")
	if [ -n "$tf" ]; then
		final_lat+=("$(ms_after "$tf" "$t0" "$sp_end")")
	fi
	sleep 0.5
done

kill -INT "$listener" 2>/dev/null || true
wait "$listener" || { echo "insert-latency: FAIL: hark listen exited with status $?"; cat "$tmp/listen.err"; exit 1; }
listener=
wait "$stamper" || true

silence_ms=$(awk -v s="${SILENCE%s}" 'BEGIN { printf "%.0f", s * 1000 }')
echo "insert-latency: $WAV ($MODEL, VAD $VAD, provisional ${PROVISIONAL:-default}) typed into $how; transcribe \"$expected\""
echo "  end of speech -> words in the window (ms):     ${words_lat[*]:-none}"
echo "  end of speech -> words printed (ms):           ${final_lat[*]:-none}"
echo "  end of speech -> whole text in the window (ms): ${insert_lat[*]:-none}  (with the full stop and space, after the ${silence_ms} ms trailing-silence wait)"
echo "insert-latency: $status"
[ "$status" = PASS ]
