#!/usr/bin/env bash
# End-to-end capture test: plays a WAV into a PulseAudio null sink, `hark listen` captures
# the sink's monitor through PortAudio, and its final text must equal `hark transcribe` of
# the same file. Prints the latency from the end of speech in the played file to the final
# text (the first final line that holds all the words: with provisional finals, the one sent
# at the pause after the last word), to the end of the utterance (its full stop, after the
# trailing silence), and from the start of speech to the first partial.
#
#   scripts/e2e-capture.sh [WAV]          default: testdata/tones/hello.wav with the tone
#                                         fixture model and the energy VAD
#   MODEL=default VAD=silero scripts/e2e-capture.sh speech.wav
#   HARK=bin/hark SILENCE=0.8s ROUNDS=3 scripts/e2e-capture.sh
#   PROVISIONAL=120ms scripts/e2e-capture.sh  provisional finals on (--provisional; default:
#                                         hark's, off)
#
# Skips (exit 0) when PulseAudio is not installed. Exit 1 when the texts differ in any round
# (strict; each differing round also prints how many words differ and which: live capture
# starts at an arbitrary sample offset, so with the small default model a borderline word
# can come out differently than in `hark transcribe`).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
. scripts/lib/nullsink.sh

require_tools e2e-capture "pulseaudio pulseaudio-utils libasound2-plugins sox" pulseaudio pactl paplay sox
capture_settings "$@"
listener= feeder=
cleanup() {
	[ -n "$listener" ] && kill -INT "$listener" 2>/dev/null || true
	[ -n "$feeder" ] && kill "$feeder" 2>/dev/null || true
	pulseaudio --kill >/dev/null 2>&1 || true
	[ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

build_hark e2e-capture

start_null_sink

expected=$("$HARK" transcribe --model "$MODEL" "$WAV")

read -r sp_start sp_end < <(speech_bounds "$WAV")

out=$tmp/out.jsonl
stamp_lines "$out"
PULSE_SOURCE=vsink.monitor "$HARK" listen --device pulse --format jsonl --partials \
	--model "$MODEL" --vad "$VAD" --silence "$SILENCE" ${PROVISIONAL:+--provisional "$PROVISIONAL"} \
	>"$tmp/fifo" 2>"$tmp/listen.err" &
listener=$!

await_capture e2e-capture

# Final lines that end an utterance (not provisional ones), and a line's text.
closing() { grep '"final":true' "$out" | grep -v '"provisional":true' || true; }
text_of() { printf '%s\n' "${1#* }" | sed -E 's/.*"text":"([^"]*)".*/\1/'; }

final_lat=() end_lat=() partial_lat=() texts=() provisional=0
for round in $(seq "$ROUNDS"); do
	before=$(closing | wc -l)
	t0=$(date +%s.%N)
	paplay --device=vsink "$WAV"
	# Wait for the end of this round's utterance.
	for _ in $(seq 100); do
		[ "$(closing | wc -l)" -gt "$before" ] && break
		sleep 0.05
	done
	cline=$(closing | sed -n "$((before + 1))p")
	if [ -z "$cline" ]; then
		echo "e2e-capture: FAIL: round $round: no final text"; cat "$out" "$tmp/listen.err"; exit 1
	fi
	tc=${cline%% *}
	text=$(text_of "$cline")
	texts+=("$text")
	# The final text: the first final line of the round that holds all the words (its full
	# stop may come later, with the end of the utterance).
	tf=$(awk -v t0="$t0" -v tc="$tc" -v w="${text%.}" '
		$1 > t0 && $1 <= tc && /"final":true/ {
			t = $0; sub(/.*"text":"/, "", t); sub(/".*/, "", t); sub(/\.$/, "", t)
			if (t == w) { print $1; exit }
		}' "$out")
	if awk -v t0="$t0" -v tc="$tc" '$1 > t0 && $1 <= tc && /"provisional":true/ { f = 1 } END { exit !f }' "$out"; then
		provisional=$((provisional + 1))
	fi
	# First partial after this round started.
	tp=$(awk -v t0="$t0" '$0 ~ /"final":false/ && $1 > t0 { print $1; exit }' "$out")
	final_lat+=("$(ms_after "${tf:-$tc}" "$t0" "$sp_end")")
	end_lat+=("$(ms_after "$tc" "$t0" "$sp_end")")
	if [ -n "$tp" ]; then
		partial_lat+=("$(ms_after "$tp" "$t0" "$sp_start")")
	fi
	sleep 0.5
done

kill -INT "$listener" 2>/dev/null || true
wait "$listener" || { echo "e2e-capture: FAIL: hark listen exited with status $?"; cat "$tmp/listen.err"; exit 1; }
listener=
wait "$stamper" || true

# words_differ LISTEN BATCH prints the word edit distance between the two texts (aligned:
# substitutions, insertions, deletions) and the edits, e.g. `1 of 16 words: "Hare"->"Her"`.
words_differ() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, x, " "); m = split(b, y, " ")
		for (i = 0; i <= n; i++) d[i, 0] = i
		for (j = 0; j <= m; j++) d[0, j] = j
		for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) {
			c = d[i-1, j-1] + (x[i] != y[j]); if (d[i-1, j] + 1 < c) c = d[i-1, j] + 1
			if (d[i, j-1] + 1 < c) c = d[i, j-1] + 1; d[i, j] = c
		}
		i = n; j = m; e = ""
		while (i > 0 || j > 0) {
			if (i > 0 && j > 0 && d[i, j] == d[i-1, j-1] + (x[i] != y[j])) {
				if (x[i] != y[j]) e = sprintf(" \"%s\"->\"%s\"", y[j], x[i]) e
				i--; j--
			} else if (i > 0 && d[i, j] == d[i-1, j] + 1) { e = sprintf(" +\"%s\"", x[i]) e; i-- }
			else { e = sprintf(" -\"%s\"", y[j]) e; j-- }
		}
		printf "%d of %d words:%s\n", d[n, m], m, e
	}'
}

# The comparison stays strict: any difference fails. Live capture starts at an arbitrary
# sample offset, so the 10 ms feature frames fall differently than in the batch run and a
# small model can flip a borderline word (with provisional finals, the pieces also lose the
# context across each cut); the word edits show how far apart the texts are.
status=PASS matched=0
for i in "${!texts[@]}"; do
	if [ "${texts[$i]}" != "$expected" ]; then
		status=FAIL
		echo "round $((i + 1)): listen said \"${texts[$i]}\", transcribe said \"$expected\" (word errors against it: $(words_differ "${texts[$i]%.}" "${expected%.}"))"
	else
		matched=$((matched + 1))
	fi
done
silence_ms=$(awk -v s="${SILENCE%s}" 'BEGIN { printf "%.0f", s * 1000 }')
echo "e2e-capture: $WAV ($MODEL, VAD $VAD, provisional ${PROVISIONAL:-default}): transcribe \"$expected\"; listen ${#texts[@]} rounds, $matched equal to it"
echo "  end of speech -> final text (ms):       ${final_lat[*]}  (all the words; a provisional final in $provisional of ${#texts[@]} rounds)"
echo "  end of speech -> end of utterance (ms): ${end_lat[*]}  (the full stop, after the ${silence_ms} ms trailing-silence wait)"
echo "  end of utterance, less the wait (ms):   $(for v in "${end_lat[@]}"; do printf '%s ' $((v - silence_ms)); done)"
echo "  start of speech -> first partial (ms):  ${partial_lat[*]:-none}"
echo "e2e-capture: $status"
[ "$status" = PASS ]
