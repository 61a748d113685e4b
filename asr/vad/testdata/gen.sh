#!/bin/sh
# Regenerates the spoken test recordings with espeak-ng and sox (Debian packages of the same
# names). Run from this directory: sh gen.sh
set -eu
say() { # name voice text
	espeak-ng -v "$2" -s 160 -w "$1.tmp.wav" "$3"
	sox "$1.tmp.wav" -r 16000 -c 1 -b 16 "$1.wav" gain -n -20
	rm -f "$1.tmp.wav"
}
say hello en-us "hello there, how are you today"
say numbers en-gb+f3 "seven, eight, nine"
