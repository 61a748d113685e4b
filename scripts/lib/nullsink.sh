# Shared by the live-capture measurement scripts (sourced, not run). Needs $tmp.

# private_home points HOME and the runtime directories into $tmp (idempotent).
private_home() {
	export XDG_RUNTIME_DIR=$tmp/run PULSE_RUNTIME_PATH=$tmp/run/pulse HOME=$tmp/home
	mkdir -p "$XDG_RUNTIME_DIR" "$HOME"
	chmod 700 "$XDG_RUNTIME_DIR"
}

# start_null_sink starts a private PulseAudio with a 16 kHz mono null sink "vsink" and keeps
# digital silence playing into it, so that its monitor behaves like a microphone (a null
# sink's monitor only delivers while something plays; otherwise the first playback would be
# measured with the sound server's start-up delay in it). Sets $feeder. Call it after
# building hark: it moves HOME so nothing of the user's own session is touched.
start_null_sink() {
	private_home
	pulseaudio -D -n --exit-idle-time=-1 --load=module-native-protocol-unix \
		--load="module-null-sink sink_name=vsink rate=16000 channels=1" --load=module-always-sink \
		--log-target=file:"$tmp/pulse.log"
	for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
	pactl info >/dev/null
	pacat --playback --device=vsink --rate=16000 --channels=1 --format=s16le --latency-msec=20 </dev/zero &
	feeder=$!
}

# speech_bounds WAV prints the times (s) of the first and last sample above -34 dBFS.
speech_bounds() {
	sox "$1" -t dat -r 16000 -c 1 - 2>/dev/null | awk '
		/^;/ { next }
		{ v = $2 < 0 ? -$2 : $2; if (v > 0.02) { if (first == "") first = $1; last = $1 } }
		END { printf "%.3f %.3f\n", first, last }'
}

# stamp_lines OUT makes the fifo $tmp/fifo and writes each line read from it to OUT,
# prefixed with the wall-clock time it arrived. Sets $stamper.
stamp_lines() {
	mkfifo "$tmp/fifo"
	while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done <"$tmp/fifo" >"$1" &
	stamper=$!
}

# await_capture NAME waits until a program records from the sink's monitor (failing with
# NAME, and $tmp/listen.err, after 10 s), then plays a moment of silence: the sound
# server's first playback stream starts about a second late, so the rounds that follow
# measure Hark, not that.
await_capture() {
	for _ in $(seq 100); do
		[ -n "$(pactl list short source-outputs 2>/dev/null)" ] && break
		sleep 0.1
	done
	if [ -z "$(pactl list short source-outputs 2>/dev/null)" ]; then
		echo "$1: FAIL: hark listen did not start capturing"; cat "$tmp/listen.err"; exit 1
	fi
	sox -n -r 16000 -c 1 -b 16 "$tmp/warmup.wav" trim 0 0.2
	paplay --device=vsink "$tmp/warmup.wav"
	sleep 0.5
}

# require_tools NAME HINT TOOL... exits 0 with a SKIP line naming the first missing TOOL.
require_tools() {
	local name=$1 hint=$2 tool
	shift 2
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			echo "$name: SKIP: $tool is not installed (apt-get install $hint)"
			exit 0
		fi
	done
}

# capture_settings [WAV] sets the settings both capture scripts share (WAV, MODEL, VAD,
# SILENCE, ROUNDS, PROVISIONAL from the environment), makes $tmp and names a UTF-8 locale
# (Fyne, linked into the GUI build, logs a warning for the C locale).
capture_settings() {
	WAV=${1:-testdata/tones/hello.wav}
	MODEL=${MODEL:-testdata/models/tones}
	VAD=${VAD:-energy}
	SILENCE=${SILENCE:-0.8s}
	ROUNDS=${ROUNDS:-3}
	PROVISIONAL=${PROVISIONAL:-}
	tmp=$(mktemp -d)
	case "${LANG:-C}" in C | C.* | POSIX) export LANG=en_US.UTF-8 ;; esac
}

# ms_after T0 T1 E prints T0 - T1 - E (seconds) in whole milliseconds.
ms_after() { awk -v a="$1" -v b="$2" -v e="$3" 'BEGIN { printf "%.0f", (a - b - e) * 1000 }'; }
