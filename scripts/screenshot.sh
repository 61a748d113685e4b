#!/usr/bin/env bash
# Opens the Hark window under Xvfb, lets it dictate a replayed recording, and saves a
# screenshot: scripts/screenshot.sh [OUT.png]   (default docs/screenshot.png)
#
#   INPUT=FILE.wav MODEL=DIR VAD=energy|silero  what the window dictates (default: the three
#                                               tone fixture phrases with their model, so the
#                                               shot shows finals and a partial)
#   HARK=bin/hark                               binary to run (default: build one)
#   WAIT=10                                     seconds to wait before the shot
# Needs Xvfb, xwd and ImageMagick's convert; exits 0 with a message when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
OUT=${1:-docs/screenshot.png}
for tool in Xvfb xwd convert sox; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "screenshot: SKIP: $tool is not installed (apt-get install xvfb x11-apps imagemagick sox)"
		exit 0
	fi
done
MODEL=${MODEL:-testdata/models/tones}
VAD=${VAD:-energy}
WAIT=${WAIT:-10}

tmp=$(mktemp -d)
INPUT=${INPUT:-}
if [ -z "$INPUT" ]; then
	INPUT=$tmp/demo.wav
	sox -n -r 16000 -c 1 -b 16 "$tmp/pause.wav" trim 0 1.0
	sox testdata/tones/hello.wav "$tmp/pause.wav" testdata/tones/hark.wav "$tmp/pause.wav" \
		testdata/tones/its.wav "$INPUT"
fi
xvfb= hark=
cleanup() {
	[ -n "$hark" ] && kill "$hark" 2>/dev/null && wait "$hark" 2>/dev/null || true
	[ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null && wait "$xvfb" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

build_hark screenshot

start_xvfb screenshot 1024x640x24

# A fresh home, so saved settings do not change the picture.
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config LANG=en_US.UTF-8
mkdir -p "$HOME"
# Software OpenGL under Xvfb.
export LIBGL_ALWAYS_SOFTWARE=1
"$HARK" gui --input "$INPUT" --model "$MODEL" --vad "$VAD" --record >"$tmp/hark.log" 2>&1 &
hark=$!
sleep "$WAIT"
if ! kill -0 "$hark" 2>/dev/null; then
	echo "screenshot: FAIL: the window closed early:"; cat "$tmp/hark.log"; exit 1
fi
mkdir -p "$(dirname "$OUT")"
xwd -root -silent -display "$DISPLAY" | convert xwd:- -trim +repage "$OUT"
# A blank screen compresses to almost nothing and has one colour.
colours=$(convert "$OUT" -format '%k' info:)
size=$(convert "$OUT" -format '%wx%h' info:)
echo "screenshot: $OUT ($size, $colours colours)"
if [ "$colours" -lt 16 ]; then
	echo "screenshot: FAIL: the screen looks blank"; cat "$tmp/hark.log"; exit 1
fi
