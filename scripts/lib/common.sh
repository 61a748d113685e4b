# Shared by the end-to-end scripts (sourced, not run). Needs $tmp.

# build_hark NAME sets $HARK to an absolute path: the binary named by $HARK, or hark built
# from this checkout into $tmp (NAME prefixes the message).
build_hark() {
	HARK=${HARK:-}
	if [ -z "$HARK" ]; then
		HARK=$tmp/hark
		echo "$1: building hark..."
		go build -o "$HARK" .
	fi
	case "$HARK" in /*) ;; *) HARK=$PWD/$HARK ;; esac
}

# start_xvfb NAME WxHxD starts a private X server on a free display and exports DISPLAY;
# sets $xvfb. Exits 1 (the log shown) when it does not start within 10 s.
start_xvfb() {
	Xvfb -displayfd 3 -nolisten tcp -noreset -screen 0 "$2" 3>"$tmp/display" 2>"$tmp/xvfb.log" &
	xvfb=$!
	for _ in $(seq 200); do [ -s "$tmp/display" ] && break; sleep 0.05; done
	if [ ! -s "$tmp/display" ]; then
		echo "$1: FAIL: Xvfb did not start"
		cat "$tmp/xvfb.log"
		exit 1
	fi
	export DISPLAY=:$(head -n1 "$tmp/display")
	unset WAYLAND_DISPLAY
}
