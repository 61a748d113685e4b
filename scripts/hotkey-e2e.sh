#!/usr/bin/env bash
# The global hotkey end to end: opens the Hark window under Xvfb (replaying a tone file as
# its input), presses Ctrl+Alt+H with xdotool (XTest, as a keyboard would) and asks the
# running window for its state with `hark ctl status`: toggle mode (press starts, press
# stops), then hold-to-talk (keys down: dictating; keys up: idle).
#
#   scripts/hotkey-e2e.sh            HARK=bin/hark to use a built binary
#
# Skips (exit 0) without Xvfb or xdotool; exits 1 when a state is not the expected one.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
for tool in Xvfb xdotool; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "hotkey-e2e: SKIP: $tool is not installed (apt-get install xvfb xdotool)"
		exit 0
	fi
done
tmp=$(mktemp -d)
case "${LANG:-C}" in C | C.* | POSIX) export LANG=en_US.UTF-8 ;; esac
export XDG_RUNTIME_DIR=$tmp/run XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data HOME=$tmp
unset DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
xvfb= hark=
cleanup() {
	[ -n "$hark" ] && kill "$hark" 2>/dev/null && wait "$hark" 2>/dev/null || true
	[ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null && wait "$xvfb" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
build_hark hotkey-e2e
start_xvfb hotkey-e2e 1024x768x24

fail=0
expect() { # expect WHAT STATE...
	local what=$1 got
	shift
	got=$("$HARK" ctl status 2>&1 || true)
	for want in "$@"; do
		if [ "$got" = "$want" ]; then
			echo "hotkey-e2e: $what: $got"
			return
		fi
	done
	echo "hotkey-e2e: FAIL: $what: state $got, want $*"
	fail=1
}
start() { # start MODE
	mkdir -p "$XDG_CONFIG_HOME/fyne/dev.hark.app"
	printf '{"hotkey_mode":"%s"}\n' "$1" >"$XDG_CONFIG_HOME/fyne/dev.hark.app/preferences.json"
	"$HARK" gui --input testdata/tones/hello.wav --model testdata/models/tones --vad energy >"$tmp/hark.log" 2>&1 &
	hark=$!
	for _ in $(seq 100); do "$HARK" ctl status >/dev/null 2>&1 && break; sleep 0.2; done
	sleep 1 # the model loads and the hotkey is grabbed
}
stop() { kill "$hark"; wait "$hark" 2>/dev/null || true; hark=; }

start toggle
expect "before" idle
xdotool key --clearmodifiers ctrl+alt+h
sleep 0.5
expect "toggle: after a press" listening speech
xdotool key --clearmodifiers ctrl+alt+h
sleep 1
expect "toggle: after a second press" idle
stop

start hold
# One xdotool process holds the keys (the X server lets go of a client's keys when it exits).
xdotool keydown ctrl+alt+h sleep 1.5 keyup h alt ctrl &
keys=$!
sleep 0.8
expect "hold: while held" listening speech
wait "$keys"
sleep 1
expect "hold: after letting go" idle
stop
exit $fail
