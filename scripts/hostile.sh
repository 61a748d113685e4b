#!/usr/bin/env bash
# Hostile-input suite for the hark command line (issue 17): runs hark on well over a hundred
# broken, malicious or odd inputs and checks that each one ends in a clear error (a non-zero
# exit and one stderr line per bad input that names the file or flag) or is accepted where
# that is fine — never a panic, a hang, a leftover temporary or partial file, or a modified
# input.
#
#   scripts/hostile.sh                  uses bin/hark (build: go build -o bin/hark .)
#   HARK=bin/hark scripts/hostile.sh    any hark binary
#   HOSTILE_ONLY=audio scripts/hostile.sh   only the cases whose category/name contains this
#
# Categories: audio (transcribe/features on damaged WAV, FLAC, MP3, special files and odd
# names), import (`hark models import` of malicious archives and broken model dirs, and
# `transcribe --model` on the latter), text (--lm, --hotwords, --replacements, lm build/info/
# convert, eval manifests), history (corrupt utterance records), cache (a damaged cache of
# optimised models) and output (-o targets, FIFOs and directories as outputs, a full or
# closed standard output).
#
# Each case runs `timeout 20 hark ...` in a fresh directory under one temporary root (removed
# at the end, also on Ctrl-C) with HOME, XDG_{DATA,CONFIG,CACHE}_HOME, XDG_RUNTIME_DIR and
# TMPDIR inside it and an otherwise empty environment, so the user's model store, settings
# and session are never touched and nothing needs the network. Fixtures are made from scratch
# (scripts/lib/hostile/fixtures.py, python3 standard library + sox) and from the repository's
# test data. Writes only ever target paths inside the temporary root.
#
# Per case it prints `ok|FAIL  category/name: EXIT FIRST-STDERR-LINE` (the temporary root is
# shown as $T), and details under a FAIL. A case is exactly one of:
#   clear error  non-zero exit; every stderr line names the case's subject (the input file or
#                the flag), no subject named on more than one line
#   unclear      non-zero exit otherwise (no message, several lines for one input, no path)
#   accepted     exit 0 (a FAIL when the case is marked must-fail)
#   panic        "panic:", "goroutine ", "fatal error:" or SIGSEGV in the output, or an exit
#                code >= 128 that is not timeout's
#   hang         killed by `timeout 20`
# and, independently, "partial files": afterwards there is a *.tmp* or .import-* file, a file
# the case was not allowed to leave (e.g. the output of a failed write), a file that changed or
# disappeared (inputs are checksummed before and after), or a file in the temporary root
# itself (where the archive path traversals aim).
# ONNX Runtime's own litter ($TMPDIR/.ses, $TMPDIR/mat-debug-PID.log) is counted once for the
# whole run (a FAIL line `global/tmpdir-litter`), not as a partial file of every case.
# At the end: `hostile: N cases, C clear errors, A accepted, P panics, H hangs, F partial
# files, U unclear` (C+A+P+H+U = N); the exit status is 1 if P, H, F or U is non-zero, a
# must-fail case exited 0, a must-pass case failed, a case's own check failed or printed a raw
# ESC (then a second line lists them), hark left litter in $TMPDIR, or something outside the
# temporary root changed (the user's Hark store and settings, the repository's test data).
# The setup and check functions and the trap handler are called indirectly:
# shellcheck disable=SC2317
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
repo=$PWD
HARK=${HARK:-bin/hark}
case $HARK in /*) ;; *) HARK=$repo/$HARK ;; esac
if [ ! -x "$HARK" ]; then
	echo "hostile: $HARK is not executable; build it with: go build -o bin/hark ." >&2
	exit 2
fi
for tool in python3 sox timeout mkfifo sha256sum; do
	command -v "$tool" >/dev/null || { echo "hostile: needs $tool" >&2; exit 2; }
done
py=/usr/bin/python3
[ -x "$py" ] || py=python3
only=${HOSTILE_ONLY:-}
as_root=false
[ "$(id -u)" = 0 ] && as_root=true

root=$(mktemp -d "${TMPDIR:-/tmp}/hark-hostile.XXXXXX") || exit 2
fx=$root/fx
cleanup() {
	chmod -R u+rwx "$root" 2>/dev/null
	rm -rf "$root"
}
trap cleanup EXIT
trap 'echo "hostile: interrupted" >&2; exit 130' INT TERM HUP

n=0 clear=0 accepted=0 panics=0 hangs=0 partial=0 unclear=0 ort_litter=0 ort_db=0
broken=() # cases that broke their expectation (must-fail accepted, must-pass failed, check)
t_start=$SECONDS

# ------------------------------------------------------------------------ the case runner

# show STRING: a one-line, printable form of STRING for this report ($T for the temp root).
show() {
	local s=${1//$root/\$T}
	s=${s//$'\e'/\\e}
	printf '%s' "${s:0:160}"
}

# henv CMD...: runs CMD with the case environment (HOME etc. inside the case directory).
henv() {
	env -i PATH="$PATH" LANG=C.UTF-8 ${LD_LIBRARY_PATH:+LD_LIBRARY_PATH="$LD_LIBRARY_PATH"} \
		HOME="$cdir/home" XDG_DATA_HOME="$cdir/data" XDG_CONFIG_HOME="$cdir/config" \
		XDG_CACHE_HOME="$cdir/cache" XDG_RUNTIME_DIR="$cdir/run" TMPDIR="$cdir/tmp" "$@"
}

# snapshot ARGS...: one line per entry under the temporary root (the case directory, the
# fixtures, the root itself), "PATH<tab>FINGERPRINT": the type, and for files size, mtime,
# ctime and inode (any write, chmod or new hard link changes them); plus a SHA-256 line for
# every regular file in the case directory and every fixture or repository file or directory
# named in ARGS (the inputs). ORT's cache (cache/) and the suite's log/ are left out.
snapshot() {
	local rec t q a
	{
		find "$root" -mindepth 1 \( -path "$cdir/cache" -o -path "$root/log" \) -prune -o \
			-printf '%y\t%s %T@ %C@ %i\t%p\0' |
			while IFS= read -r -d '' rec; do
				t=${rec%%$'\t'*} q=${rec#*$'\t'*$'\t'}
				rec=${rec#*$'\t'}
				[ "$t" = d ] && rec=
				printf '%q\t%s %s\n' "$q" "$t" "${rec%%$'\t'*}"
			done
		{
			find "$cdir" -path "$cdir/cache" -prune -o -type f -print0
			for a in "$@"; do
				[[ $a == "$fx"/* || $a == "$repo"/* ]] && [ -e "$a" ] && find "$a" -type f -size -65M -print0
			done
		} | xargs -0r sha256sum | while read -r h q; do printf '%s\tsha %s\n' "$q" "${h:0:16}"; done
	} | sort
}

# allowed PATH: whether the case may leave or change PATH (globs in $keep, and in $keep_ok
# when the command exited 0, relative to the case directory).
allowed() {
	local - g rel=${1#"$cdir"/}
	set -f
	[ "$rel" = "$1" ] && return 1
	for g in ${keep:-} ${rc_ok:+${keep_ok:-}}; do
		# shellcheck disable=SC2053 # a glob on purpose
		[[ $rel == $g ]] && return 0
	done
	return 1
}

# hc CATEGORY/NAME EXPECT SUBJECT ARGS...: runs `hark ARGS...` as one case.
#   EXPECT   must-fail, may-pass or must-pass
#   SUBJECT  what each error line must name: alternatives separated by |
# Optional variables, given as prefixes (setup=f hc ...):
#   setup    a function run first in the case directory (not part of the checks)
#   check    a function run afterwards; non-zero (with a reason on stdout) breaks the case
#   keep     globs (relative to the case directory) the case may leave or change
#   keep_ok  the same, only if hark exited 0
#   in, to   standard input (default /dev/null) and output (default captured; - closes it)
hc() {
	local id=$1 expect=$2 subject=$3
	shift 3
	[[ -n $only && $id != *"$only"* ]] && return 0
	n=$((n + 1))
	cdir=$root/c$n
	mkdir -p "$cdir"/{home,data,config,cache,run,tmp}
	cout=$root/log/out cerr=$root/log/err
	local rc t0 first cls mark=ok notes=() stdin=${in:-/dev/null} rc_ok=
	if ! (cd "$cdir" && ${setup:+"$setup"}) >"$cerr" 2>&1 </dev/null; then
		echo "hostile: the setup $setup of $id failed: $(head -c 300 "$cerr")" >&2
	fi
	local before after
	before=$(snapshot "$@")
	t0=$SECONDS
	(
		cd "$cdir" || exit 99
		case ${to:-} in
		"") henv timeout -k 5 20 "$HARK" "$@" <"$stdin" >"$cout" 2>"$cerr" ;;
		-) henv timeout -k 5 20 "$HARK" "$@" <"$stdin" 2>"$cerr" >&- ;;
		*) henv timeout -k 5 20 "$HARK" "$@" <"$stdin" >"$to" 2>"$cerr" ;;
		esac
	) 2>>"$cerr.shell" # bash's own "Segmentation fault" notice
	rc=$?
	cat "$cerr.shell" >>"$cerr"
	rm -f "$cerr.shell"
	sed -i -E 's/^.*: line [0-9]+: +[0-9]+ ([A-Z][^ ]*( [^ ]+)*) +env -i .*$/[shell: \1]/' "$cerr"
	[ -e "$cout" ] || : >"$cout"
	[ "$rc" = 0 ] && rc_ok=1
	first=$(grep -m1 -v '^[[:space:]]*$' "$cerr" | head -c 2000)

	# The outcome.
	if [ "$rc" = 124 ] || { [ "$rc" = 137 ] && [ $((SECONDS - t0)) -ge 20 ]; }; then
		cls=hang hangs=$((hangs + 1))
		[ "$rc" = 137 ] && notes+=("still running 20 s later, and SIGTERM did not stop it: killed 5 s after")
	elif grep -ahqE 'panic:|goroutine |^fatal error:|SIGSEGV|SIGABRT' "$cerr" "$cout" || [ "$rc" -ge 128 ]; then
		cls=panic panics=$((panics + 1))
		notes+=("$(grep -ahE -m4 'panic:|goroutine |fatal error:|SIG' "$cerr" "$cout" | head -4)")
	elif [ "$rc" = 0 ]; then
		cls=accepted accepted=$((accepted + 1))
	else
		local why
		why=$(unclear_why "$subject")
		if [ -z "$why" ]; then
			cls=clear clear=$((clear + 1))
		else
			cls=unclear unclear=$((unclear + 1))
			notes+=("unclear: $why" "$(grep -av '^[[:space:]]*$' "$cerr" | sed 's/^/| /' | head -8)")
		fi
	fi
	case $cls in hang | panic | unclear) mark=FAIL ;; esac
	if [ "$expect" = must-fail ] && [ "$rc" = 0 ]; then
		mark=FAIL notes+=("expected to fail, exited 0")
		broken+=("$id")
	elif [ "$expect" = must-pass ] && [ "$rc" != 0 ]; then
		mark=FAIL notes+=("expected to succeed")
		broken+=("$id")
	fi
	if grep -q $'\e' "$cerr"; then
		mark=FAIL notes+=("a raw ESC byte on stderr")
		broken+=("$id")
	fi
	if [ -n "${check:-}" ] && [ "$cls" != hang ]; then
		local msg
		if ! msg=$(cd "$cdir" && "$check" 2>&1); then
			mark=FAIL notes+=("check $check: $msg")
			broken+=("$id")
		fi
	fi

	# Leftovers, unexpected files, changed inputs.
	after=$(snapshot "$@")
	local bad=() line p seen=$'\n'
	while IFS= read -r line; do
		p=${line:2} p=${p%%$'\t'*}
		[[ $line == *$'\t'"d " ]] && continue # directories may come and go
		[[ $seen == *$'\n'"$p"$'\n'* ]] && continue
		seen+=$p$'\n'
		allowed "$p" && continue
		if [[ $p == "$cdir/tmp/.ses" || $p == "$cdir"/tmp/mat-debug-*.log ]]; then
			ort_litter=$((ort_litter + 1)) # reported once, at the end
			continue
		fi
		if grep -qF -- "$p"$'\t' <<<"$after"; then
			bad+=("new or changed: $p")
		else
			bad+=("gone: $p")
		fi
	done < <(diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | grep '^[<>] ')
	while IFS= read -r p; do
		bad+=("leftover: $p")
	done < <(find "$root" -mindepth 1 -path "$root/log" -prune -o \( -name '*.tmp*' -o -name '.import-*' \) -print)
	if [ ${#bad[@]} -gt 0 ]; then
		partial=$((partial + 1)) mark=FAIL
		notes+=("partial files:" "${bad[@]/#/  }")
	fi

	printf '%-4s  %s: %s %s\n' "$mark" "$id" "$rc" "$(show "$first")"
	if [ "$mark" = FAIL ]; then
		printf '        [%s, %s] hark' "$cls" "$expect"
		printf ' %q' "$@" | sed "s|$root|\$T|g"
		printf '%s\n' "${in:+ <$in}${to:+ >$to}" | sed "s|$root|\$T|g"
		local note
		for note in "${notes[@]}"; do
			[ -z "$note" ] && continue
			while IFS= read -r line; do
				printf '        %s\n' "$(show "$line")"
			done <<<"$note"
		done
	fi
	[ -d "$cdir/cache/Microsoft" ] && ort_db=$((ort_db + 1))
	# Leave nothing for the next case (the store and outputs of a case are its own).
	chmod -R u+rwx "$cdir" 2>/dev/null
	rm -rf "$cdir" "$cout" "$cerr"
	find "$root" -maxdepth 1 -name 'escaped*' -exec rm -rf {} +
}

# unclear_why SUBJECT: empty if stderr is a clear error for SUBJECT, else why not.
unclear_why() {
	local IFS='|' line hit i
	local -a alts counts
	read -r -a alts <<<"$1"
	local lines=0
	while IFS= read -r line; do
		[[ -z ${line//[[:space:]]/} ]] && continue
		lines=$((lines + 1))
		hit=-1
		for i in "${!alts[@]}"; do
			if [[ -n ${alts[i]} && $line == *"${alts[i]}"* ]]; then hit=$i; break; fi
		done
		if [ "$hit" = -1 ]; then
			echo "a stderr line does not name ${1//$root/\$T}"
			return
		fi
		counts[hit]=$((${counts[hit]:-0} + 1))
		if [ "${counts[hit]}" -gt 1 ]; then
			echo "several stderr lines for ${alts[hit]//$root/\$T}"
			return
		fi
	done <"$cerr"
	[ "$lines" = 0 ] && echo "no message on stderr"
}

# skip CATEGORY/NAME REASON: a case that cannot run here (not counted).
skip() {
	[[ -n $only && $1 != *"$only"* ]] && return 0
	printf 'skip  %s: %s\n' "$1" "$2"
}

# Checks (run in the case directory after hark; $cout and $cerr are its output).
says_hello() { grep -qi 'hello' "$cout" || { echo "stdout does not say hello: $(head -c 200 "$cout")"; return 1; }; }
no_words() { ! grep -q '[^[:space:]]' "$cout" || { echo "words out of silence: $(head -c 200 "$cout")"; return 1; }; }
small_output() { [ "$(wc -c <"$cout")" -lt 100000 ] || { echo "stdout is $(wc -c <"$cout") bytes"; return 1; }; }
still_fifo() { [ -p out.npy ] || { echo "out.npy is no longer a FIFO"; return 1; }; }
still_link() { # $1: the link, $2: its target
	if [ ! -L "$1" ] || ! grep -q NUMPY "$2" 2>/dev/null; then
		echo "$1 is $(stat -c %F "$1"), $2 is $(stat -c %F "$2" 2>&1): want the link kept and its target written"
		return 1
	fi
}
link_kept() { still_link out.npy real.npy; }
dangling_link_kept() { still_link dangling.npy nowhere.npy; }
first_output_kept() { grep -qi hello out/x.txt || { echo "out/x.txt: $(head -c 100 out/x.txt 2>&1)"; return 1; }; }

# Setups (run in the case directory).
mk_fifo() { mkfifo fifo.wav out.npy lm.bin hot.txt repl.txt corpus.txt out.bin manifest.tsv hyp.tsv; }
mk_odd_names() { cp "$fx/audio/text.wav" $'\e[31mred\e[0m.wav' && cp "$fx/audio/text.wav" $'new\nline.wav'; }
long=$(printf 'L%.0s' {1..250}).wav
mk_long() { cp "$fx/audio/rate-8k.wav" "$long"; }
mk_links() { ln -s loop.wav loop.wav; ln -s nowhere.wav dangling.wav; }
mk_dirs() {
	mkdir -p x.wav mix/sub
	cp "$fx/audio/rate-8k.wav" mix/good.wav
	cp "$fx/audio/text.wav" mix/bad.wav
	cp "$fx/audio/empty.wav" mix/sub/empty.wav
	mkfifo mix/pipe.wav
}
mk_unreadable() { cp "$fx/audio/rate-8k.wav" locked.wav && chmod 000 locked.wav; }
mk_corpus() { cp "$fx/text/corpus-ok.txt" corpus.txt && ln -s corpus.txt alias.bin && mkdir outdir; }
mk_installed() { henv "$HARK" models import "$fx/models/tones"; }
mk_history() { # a good utterance, a corrupt sidecar, a garbage orphan WAV, a sidecar naming ../
	local h=data/hark/utterances
	mkdir -p "$h"
	cp "$repo/testdata/tones/hello.wav" "$h/20260101-000000-000.wav"
	printf '{"id":"20260101-000000-000","time":"2026-01-01T00:00:00Z","status":"decoded","seconds":2.8,"raw":"hello world"}\n' >"$h/20260101-000000-000.json"
	head -c 300 "$fx/audio/garbage.bin" >"$h/20260101-000001-000.json"
	cp "$fx/audio/text.wav" "$h/20260101-000002-000.wav"
	printf '{"id":"../../../victim","time":"2026-01-01T00:00:03Z","status":"pending","seconds":1}\n' >"$h/20260101-000003-000.json"
}
# The cache of optimised models ($XDG_CACHE_HOME/hark/onnxruntime): filled by one run, then
# damaged.
cache_entry() {
	henv "$HARK" transcribe "${tones[@]}" "$repo/testdata/tones/hello.wav" >/dev/null || return 1
	ls cache/hark/onnxruntime/*.optimised.onnx
}
mk_cache_garbage() { local f; f=$(cache_entry) && head -c 5000 "$fx/audio/garbage.bin" >"$f"; }
mk_cache_truncated() { local f; f=$(cache_entry) && truncate -s 5000 "$f"; }
mk_cache_flipped() { local f; f=$(cache_entry) && printf '\x7f\x7f' | dd of="$f" bs=1 seek=3000 conv=notrunc status=none; }
mk_cache_fifo() { local f; f=$(cache_entry) && rm "$f" && mkfifo "$f"; }
mk_cache_dir() { local f; f=$(cache_entry) && rm "$f" && mkdir "$f"; }
mk_cache_file() { mkdir -p cache && echo "not a directory" >cache/hark; }
mk_history_file() { mkdir -p data/hark && echo "not a directory" >data/hark/utterances; }
mk_history_status() { # a sidecar with a status Hark never writes
	local h=data/hark/utterances
	mkdir -p "$h"
	cp "$repo/testdata/tones/hello.wav" "$h/20260101-000000-000.wav"
	printf '{"status":"exploded","seconds":-5}\n' >"$h/20260101-000000-000.json"
}
mk_same_stem() {
	mkdir a b
	cp "$repo/testdata/tones/hello.wav" a/x.wav
	cp "$repo/testdata/tones/hark.wav" b/x.wav
}
mk_out_blockers() {
	mkdir -p out/dir-target/hello.txt out/fifo-target
	mkfifo out/fifo-target/hello.txt
	echo "a file" >out-is-a-file
	mkdir ro && chmod 555 ro
	echo "old features" >real.npy
	ln -s real.npy out.npy
	ln -s nowhere.npy dangling.npy
	ln -s nowhere-dir dangling-out
	mkdir realdir && ln -s realdir linkdir
}

# ------------------------------------------------------------------------ the categories

tones=(--model "$fx/models/tones")

audio_cases() {
	local f a=$fx/audio
	t() { local name=$1 expect=$2; shift 2; hc "audio/$name" "$expect" "$a/$name" transcribe "${tones[@]}" "$@" "$a/$name"; }
	t empty.wav must-fail
	t text.wav must-fail
	t garbage.bin must-fail
	for f in $(cd "$a" && ls -v trunc-*.wav); do t "$f" must-fail; done
	t rate-0.wav must-fail
	t rate-1.wav must-fail
	t rate-4g.wav must-fail
	t rate-192k.wav must-fail # the README promises 8-96 kHz
	check=says_hello t rate-8k.wav must-pass
	t channels-0.wav must-fail
	t channels-9.wav may-pass # the README says 1-8 channels, the decoder takes up to 32
	t channels-65535.wav must-fail
	t bits-0.wav must-fail
	t bits-7.wav may-pass
	t bits-65535.wav must-fail
	t align-0.wav may-pass
	t data-size-4g.wav may-pass
	t data-size-0.wav may-pass
	t data-size-odd.wav may-pass
	t fmt-size-2g.wav must-fail
	t fmt-size-2.wav must-fail
	t riff-size-4.wav may-pass
	t riff-size-4g.wav may-pass
	t no-data-chunk.wav must-fail
	t no-fmt-chunk.wav must-fail
	t data-before-fmt.wav must-fail
	t list-chunk-4g.wav must-fail
	t 100k-chunks.wav may-pass
	t rifx-big-endian.wav may-pass
	t rf64.wav may-pass
	for f in pcm8 pcm24 pcm32 float32 float64 extensible-pcm; do check=says_hello t $f.wav must-pass; done
	t float-nan.wav may-pass
	t float-inf.wav may-pass
	t float-huge.wav may-pass
	t float-16bit.wav may-pass
	t extensible-bad-guid.wav must-fail
	t extensible-cb-size-short.wav must-fail
	t adpcm-garbage.wav must-fail
	t mp3-in-wav.wav must-fail
	t one-sample.wav may-pass
	check=says_hello t ok.flac must-pass
	t flac-trunc-header.flac must-fail
	t flac-trunc-half.flac must-fail # text for the half present, but exit 1 (as for WAV)
	t flac-garbage.flac must-fail
	t flac-streaminfo-zero.flac must-fail
	check=says_hello t ok.mp3 must-pass
	t mp3-garbage.mp3 must-fail
	t mp3-sync-garbage.mp3 must-fail
	t mp3-id3-only.mp3 must-fail
	t mp3-id3-size-huge.mp3 must-fail
	t mp3-trunc-half.mp3 may-pass
	t mp3-8khz.mp3 must-fail # MPEG 2.5: not supported, says the README
	t ogg.ogg must-fail
	check=no_words hc audio/silence-10min.wav must-pass "" transcribe "$a/silence-10min.wav"
	# Special files and names.
	setup=mk_dirs hc audio/directory-named-x.wav must-fail x.wav transcribe "${tones[@]}" x.wav
	setup=mk_fifo hc audio/fifo.wav must-fail fifo.wav transcribe "${tones[@]}" fifo.wav
	setup=mk_dirs check=says_hello hc audio/dir-with-bad-files must-fail "mix/bad.wav|mix/sub/empty.wav|mix/pipe.wav" transcribe "${tones[@]}" mix
	setup=mk_links hc audio/symlink-loop must-fail loop.wav transcribe "${tones[@]}" loop.wav
	setup=mk_links hc audio/symlink-dangling must-fail dangling.wav transcribe "${tones[@]}" dangling.wav
	if $as_root; then
		skip audio/unreadable "running as root: chmod 000 does not stop reads"
	else
		setup=mk_unreadable hc audio/unreadable must-fail locked.wav transcribe "${tones[@]}" locked.wav
	fi
	setup=mk_long hc audio/name-250-chars must-pass "" transcribe "${tones[@]}" "$long"
	hc audio/name-300-chars must-fail "LLLLLLLLLLLLLLLLLLLL" transcribe "${tones[@]}" "$(printf 'L%.0s' {1..300}).wav"
	hc audio/nonexistent must-fail nope.wav transcribe "${tones[@]}" nope.wav
	setup=mk_odd_names hc audio/name-with-esc must-fail "[31mred" transcribe "${tones[@]}" $'\e[31mred\e[0m.wav'
	setup=mk_odd_names hc audio/name-with-newline must-fail "line.wav" transcribe "${tones[@]}" $'new\nline.wav'
	in=$a/garbage.bin hc audio/stdin-garbage must-fail "standard input|stdin" transcribe "${tones[@]}" -
	hc audio/stdin-empty must-fail "standard input|stdin" transcribe "${tones[@]}" -
	in=$a/ok.flac hc audio/stdin-flac may-pass "standard input|stdin" transcribe "${tones[@]}" -
	in=$a/trunc-40.wav hc audio/stdin-truncated-header must-fail "standard input|stdin" transcribe "${tones[@]}" -
	in=$repo/testdata/tones/hello.wav check=says_hello hc audio/stdin-wav must-pass "" transcribe "${tones[@]}" -
	in=$repo/testdata/tones/hello.wav hc audio/stdin-twice must-fail "more than once" transcribe "${tones[@]}" - -
	hc audio/features-garbage must-fail "$a/text.wav" features "$a/text.wav" out.npy
	hc audio/features-empty must-fail "$a/empty.wav" features "$a/empty.wav" out.npy
	hc audio/features-truncated must-fail "$a/trunc-mid-data.wav" features "$a/trunc-mid-data.wav" out.npy
	hc audio/features-mels-100000 must-fail "--mels|-mels" features --mels 100000 "$a/rate-8k.wav" out.npy
	keep_ok=out.npy hc audio/features-one-sample may-pass "$a/one-sample.wav" features "$a/one-sample.wav" out.npy
}

import_cases() {
	local f i=$fx/import d=$fx/import/dirs
	t() { local expect=$1 src=$2; shift 2; keep_ok='data/hark/models/*' hc "import/${src##*/}${*:+ $*}" "$expect" "$src" models import "$@" "$src"; }
	for f in traversal.tar.gz traversal.zip traversal-deep.tar.gz traversal-backslash.zip \
		absolute.tar.gz absolute.zip symlink-passwd.tar.gz symlink-passwd.zip \
		symlink-write-through.tar.gz hardlink-outside.tar.gz hardlink-dotdot.tar.gz \
		fifo-entry.tar.gz device-entry.tar.gz many-files.zip declared-6GiB.tar.gz size-lie.zip \
		truncated.tar.gz garbage.tar.gz garbage.zip garbage.tar.bz2 truncated.tar.xz text.tar.gz \
		empty.tar.gz no-model.tar.gz transducer.tar.gz nested-5.tar.gz; do
		t must-fail "$i/$f"
	done
	t must-fail "$i/zeros-20MB.zip" --max-size 1M
	t must-fail "$i/ok.tar.gz" --max-files 2
	for f in ok.tar.gz ok.zip ok.tar.bz2 ok.tar.xz nested-1.tar.gz; do t must-pass "$i/$f"; done
	for f in no-tokens no-onnx tokens-dup-id tokens-gap tokens-binary tokens-empty \
		json-pad-to-2e9 json-n-mels-100000 json-blank-id-minus-1 json-blank-id-1e6 \
		json-lm-weight-minus-5 json-sample-rate-0x7fffffff json-invalid json-n-mels-string \
		onnx-garbage onnx-empty onnx-is-wav onnx-truncated link-outside; do
		t must-fail "$d/$f"
	done
	t must-fail "$d/sparse-3GiB" --max-size 100M
	t must-pass "$d/good"
	t may-pass "$d/tokens-empty-lines"
	t may-pass "$d/link-inside"
	t may-pass "$d/link-dangling"
	t must-fail "$d/onnx-garbage/model.onnx"
	setup=mk_installed hc "import/models remove ../config" must-fail "../config" models remove ../config
	setup=mk_installed hc "import/models remove a missing model" must-fail "nope" models remove nope
	setup=mk_installed hc "import/models default ../evil" must-fail "../evil" models default ../evil
	setup=mk_installed keep_ok='config/hark/*' hc "import/models default a missing model" must-fail "nope" models default nope
	hc "import/models info onnx-garbage" must-fail "$d/onnx-garbage" models info "$d/onnx-garbage"
	hc "import/models info json-n-mels-100000" must-fail "$d/json-n-mels-100000" models info "$d/json-n-mels-100000"
	setup=mk_installed hc import/same-name-twice must-fail "$fx/models/tones" models import "$fx/models/tones"
	setup=mk_installed hc import/force-broken-over-good must-fail "$d/onnx-garbage" models import --force --name tones "$d/onnx-garbage"
	hc import/name-dotdot must-fail "evil|--name" models import --name ../evil "$d/good"
	hc import/name-slash must-fail "a/b|--name" models import --name a/b "$d/good"
	setup=mk_fifo hc import/fifo must-fail fifo.wav models import fifo.wav
	hc import/dev-zero must-fail /dev/zero models import --name zero /dev/zero
	hc import/nonexistent must-fail nope.tar.gz models import nope.tar.gz
	# The same broken directories as models for transcribe.
	for f in no-tokens tokens-dup-id tokens-binary json-pad-to-2e9 json-invalid onnx-garbage onnx-is-wav; do
		hc "import/transcribe --model $f" must-fail "$d/$f" transcribe --model "$d/$f" "$repo/testdata/tones/hello.wav"
	done
}

text_cases() {
	local f x=$fx/text hello=$repo/testdata/tones/hello.wav
	lmt() { local expect=$1 lm=$2; hc "text/--lm ${lm##*/}" "$expect" "$lm|--lm" transcribe "${tones[@]}" --lm "$lm" "$hello"; }
	for f in lm-garbage.bin lm-empty.bin lm-head-4.bin lm-head-16.bin lm-head-64.bin lm-head-4096.bin \
		lm-head-1000000.bin lm-head-7999900.bin lm-gzip-garbage.arpa.gz arpa-bad-line.arpa \
		arpa-count-lie.arpa arpa-nan.arpa; do
		lmt must-fail "$x/$f"
	done
	lmt must-fail "$x"
	lmt must-fail "$x/nope.bin"
	lmt may-pass "$x/ok.arpa"
	setup=mk_fifo hc "text/--lm fifo" must-fail "lm.bin|--lm" transcribe "${tones[@]}" --lm lm.bin "$hello"
	hc "text/lm-head-1000000 with the default model" must-fail "$x/lm-head-1000000.bin|--lm" transcribe --lm "$x/lm-head-1000000.bin" "$hello"
	hwt() { local expect=$1 file=$2; hc "text/--hotwords ${file##*/}" "$expect" "$file|--hotwords" transcribe "${tones[@]}" --hotwords "$file" "$hello"; }
	hwt may-pass "$x/hotwords-garbage.txt"
	hwt may-pass "$x/hotwords-huge-line.txt"
	hwt must-fail "$x/hotwords-nan.txt"
	hwt must-fail "$x/hotwords-inf.txt"
	hwt may-pass "$x/hotwords-100k.txt"
	hwt must-fail "$x"
	setup=mk_fifo hc "text/--hotwords fifo" must-fail "hot.txt|--hotwords" transcribe "${tones[@]}" --hotwords hot.txt "$hello"
	rt() { local expect=$1 file=$2; check=small_output hc "text/--replacements ${file##*/}" "$expect" "$file|--replacements" transcribe "${tones[@]}" --replacements "$file" "$hello"; }
	rt may-pass "$x/repl-cycle.txt"
	rt may-pass "$x/repl-doubling.txt"
	rt may-pass "$x/repl-chain-100k.txt"
	rt may-pass "$x/repl-non-utf8.txt"
	rt may-pass "$x/repl-empty-lhs.txt"
	setup=mk_fifo hc "text/--replacements fifo" must-fail "repl.txt|--replacements" transcribe "${tones[@]}" --replacements repl.txt "$hello"
	bt() { local expect=$1 corpus=$2; keep_ok=lm.bin hc "text/lm build ${corpus##*/}" "$expect" "$corpus" lm build -o lm.bin "$corpus"; }
	bt may-pass "$x/corpus-digits.txt"
	bt may-pass "$x/corpus-garbage.txt"
	bt may-pass "$x/corpus-one-huge-line.txt"
	bt must-fail "$x/corpus-gzip-truncated.txt.gz"
	bt must-fail "$x/nope.txt"
	bt must-fail "$x"
	setup=mk_fifo hc "text/lm build fifo corpus" must-fail "corpus.txt" lm build -o lm.bin corpus.txt
	setup=mk_corpus hc "text/lm build -o the input" must-fail "corpus.txt" lm build -o corpus.txt corpus.txt
	setup=mk_corpus hc "text/lm build -o a link to the input" must-fail "corpus.txt|alias.bin" lm build -o alias.bin corpus.txt
	setup=mk_corpus hc "text/lm build -o a directory" must-fail "outdir" lm build -o outdir "$x/corpus-ok.txt"
	hc "text/lm build --order 99" must-fail "--order" lm build --order 99 -o lm.bin "$x/corpus-ok.txt"
	for f in lm-garbage.bin lm-head-4096.bin arpa-bad-line.arpa; do
		hc "text/lm info $f" must-fail "$x/$f" lm info "$x/$f"
	done
	hc "text/lm convert lm-garbage.bin" must-fail "$x/lm-garbage.bin" lm convert "$x/lm-garbage.bin" out.arpa
	setup=mk_fifo hc "text/lm info --ppl fifo" must-fail "corpus.txt|--ppl" lm info --ppl corpus.txt "$x/ok.arpa"
	# The subject: the manifest, or the audio file a line names.
	et() { local expect=$1 m=$2; hc "text/eval ${m##*/}" "$expect" "$m|${3:-$m}" eval "${tones[@]}" "$m"; }
	for f in manifest-no-tab.tsv manifest-empty.tsv manifest-binary.tsv; do
		et must-fail "$x/$f"
	done
	et must-fail "$x/manifest-missing-audio.tsv" "$x/nope/missing.wav"
	et must-fail "$x/manifest-garbage-audio.tsv" "$fx/audio/text.wav"
	et must-pass "$x/manifest-ok.tsv"
	setup=mk_fifo hc "text/eval fifo manifest" must-fail "manifest.tsv" eval "${tones[@]}" manifest.tsv
	# Live dictation takes the same decoding files (issue 18).
	lt() { local expect=$1 flag=$2 file=$3; hc "text/listen $flag ${file##*/}" "$expect" "$file|$flag" listen "${tones[@]}" --vad energy --fast --input "$hello" "$flag" "$file"; }
	lt must-fail --lm "$x/lm-garbage.bin"
	lt must-fail --lm "$x/nope.bin"
	lt must-fail --hotwords "$x/hotwords-nan.txt"
	lt must-fail --hotwords "$x"
	setup=mk_fifo hc "text/listen --hotwords fifo" must-fail "hot.txt|--hotwords" listen "${tones[@]}" --vad energy --fast --input "$hello" --hotwords hot.txt
	hc "text/bench --cold a missing file" must-fail "$x/nope.wav" bench --cold --runs 1 "${tones[@]}" "$x/nope.wav"
	hc "text/bench --cold a text file" must-fail "$fx/audio/text.wav" bench --cold --runs 1 "${tones[@]}" "$fx/audio/text.wav"
}

cache_cases() {
	local hello=$repo/testdata/tones/hello.wav
	c() { setup=$1 check=says_hello hc "cache/$2" "$3" "cache/hark|optimised" transcribe "${tones[@]}" "$hello"; }
	c mk_cache_garbage "garbage entry" must-pass
	c mk_cache_truncated "truncated entry" must-pass
	c mk_cache_flipped "two bytes changed in an entry" must-pass
	c mk_cache_fifo "entry is a fifo" may-pass
	c mk_cache_dir "entry is a directory" must-pass
	c mk_cache_file "cache/hark is a file" must-pass
}

# The utterance history (XDG_DATA_HOME/hark/utterances): sidecars and WAVs are input too.
history_cases() {
	local h=data/hark/utterances
	setup=mk_history hc "history/list with a corrupt sidecar" must-fail "$h/20260101-000001-000.json|20260101-000001-000" history list
	setup=mk_history keep="$h/20260101-000002-000.json" hc "history/redecode a garbage WAV" must-fail "20260101-000002-000" history redecode "${tones[@]}" 20260101-000002-000
	setup=mk_history keep="$h/*.json" hc "history/redecode pending" must-fail "20260101-000001-000|20260101-000002-000|20260101-000003-000|victim" history redecode "${tones[@]}" pending
	setup=mk_history hc "history/rm ../../victim" must-fail "victim" history rm ../../../victim
	setup=mk_history hc "history/rm a missing ID" must-fail "20991231-000000-000" history rm 20991231-000000-000
	setup=mk_history_file hc "history/list, the store is a file" must-fail "utterances" history list
	setup=mk_fifo hc "history/list --dir a fifo" must-fail "fifo.wav|--dir" history list --dir fifo.wav
	setup=mk_history_status hc "history/list, a sidecar with an unknown status" must-fail "$h/20260101-000000-000.json" history list
}

output_cases() {
	local hello=$repo/testdata/tones/hello.wav a=$fx/audio
	setup=mk_out_blockers hc "output/-o is a file" must-fail "out-is-a-file" transcribe "${tones[@]}" -o out-is-a-file "$hello"
	if $as_root; then
		skip "output/-o unwritable directory" "running as root: permissions do not stop writes"
	else
		setup=mk_out_blockers hc "output/-o unwritable directory" must-fail "ro/sub" transcribe "${tones[@]}" -o ro/sub "$hello"
	fi
	setup=mk_same_stem keep=out/x.txt check=first_output_kept hc "output/-o two inputs with one stem" must-fail "b/x.wav" \
		transcribe "${tones[@]}" -o out a/x.wav b/x.wav
	setup=mk_out_blockers hc "output/-o target is a directory" must-fail "hello.txt|$hello" transcribe "${tones[@]}" -o out/dir-target "$hello"
	setup=mk_out_blockers hc "output/-o target is a fifo" must-fail "hello.txt|$hello" transcribe "${tones[@]}" -o out/fifo-target "$hello"
	keep=out/hello.txt hc "output/-o with a failing input" must-fail "$a/text.wav" transcribe "${tones[@]}" -o out "$hello" "$a/text.wav"
	keep=out/hello.json hc "output/-o json with a failing input" must-fail "$a/text.wav" transcribe "${tones[@]}" --format json -o out "$hello" "$a/text.wav"
	setup=mk_out_blockers keep_ok='realdir/hello.txt' hc "output/-o through a link" may-pass "linkdir" transcribe "${tones[@]}" -o linkdir "$hello"
	setup=mk_out_blockers keep_ok='nowhere-dir/hello.txt' hc "output/-o dangling link" may-pass "dangling-out" transcribe "${tones[@]}" -o dangling-out "$hello"
	hc "output/--format srt, several inputs, no -o" must-fail "--format" transcribe "${tones[@]}" --format srt "$hello" "$a/rate-8k.wav"
	hc "output/--format vtt, several inputs, no -o" must-fail "--format" transcribe "${tones[@]}" --format vtt "$hello" "$a/rate-8k.wav"
	hc "output/--format bogus" must-fail "--format" transcribe "${tones[@]}" --format bogus "$hello"
	hc "output/--jobs 0" must-fail "--jobs" transcribe "${tones[@]}" --jobs 0 "$hello"
	to=/dev/full hc "output/stdout is /dev/full" must-fail "standard output" transcribe "$hello"
	to=/dev/full hc "output/stdout is /dev/full, jsonl" must-fail "standard output" transcribe "${tones[@]}" --format jsonl "$hello"
	to=/dev/full hc "output/stdout is /dev/full, lm info" must-fail "standard output" lm info "$fx/text/ok.arpa"
	# Debatable: Go's runtime opens /dev/null on a closed descriptor 1 before main, so the
	# output goes there and hark cannot tell this from `>/dev/null`.
	to=- hc "output/stdout closed" may-pass "standard output" transcribe "${tones[@]}" "$hello"
	setup=mk_fifo check=still_fifo hc "output/features into a fifo" must-fail "out.npy" features "$hello" out.npy
	setup=mk_out_blockers hc "output/features into a directory" must-fail "out/dir-target" features "$hello" out/dir-target
	setup=mk_out_blockers keep_ok=real.npy check=link_kept hc "output/features through a link" must-pass "" features "$hello" out.npy
	# The documented rule is "a link is followed: its target is replaced, the link stays".
	setup=mk_out_blockers keep_ok='nowhere.npy' check=dangling_link_kept hc "output/features through a dangling link" may-pass "dangling.npy" features "$hello" dangling.npy
	hc "output/features into a missing directory" must-fail "missing/out.npy" features "$hello" missing/out.npy
	setup=mk_fifo hc "output/lm build -o fifo" must-fail "out.bin" lm build -o out.bin "$fx/text/corpus-ok.txt"
	setup=mk_fifo hc "output/lm convert into a fifo" must-fail "out.bin" lm convert "$fx/text/ok.arpa" out.bin
	setup=mk_fifo hc "output/eval --hyp fifo" must-fail "hyp.tsv|--hyp" eval "${tones[@]}" --hyp hyp.tsv "$fx/text/manifest-ok.tsv"
	setup=mk_fifo hc "output/eval --hyp fifo, 100 kB of hypotheses" must-fail "hyp.tsv|--hyp" eval "${tones[@]}" --hyp hyp.tsv "$fx/text/manifest-long-paths.tsv"
	setup=mk_out_blockers hc "output/eval --hyp directory" must-fail "out/dir-target|--hyp" eval "${tones[@]}" --hyp out/dir-target "$fx/text/manifest-ok.tsv"
	hc "output/eval --hyp with a failing manifest" must-fail "$fx/text/manifest-missing-audio.tsv|$fx/text/nope/missing.wav" eval "${tones[@]}" --hyp hyp.tsv "$fx/text/manifest-missing-audio.tsv"
}

# ------------------------------------------------------------------------------- main

# Fingerprints of what lies outside the temporary root and must stay as it is: the user's
# own Hark store, settings and cache, and the repository's test data and default model.
outside() {
	local d
	for d in "$HOME/.local/share/hark" "$HOME/.config/hark" "${XDG_DATA_HOME:-$HOME/.local/share}/hark" \
		"${XDG_CONFIG_HOME:-$HOME/.config}/hark" "$repo/testdata" "$repo/models/default" "$@"; do
		[ -e "$d" ] && find "$d" -printf '%y %s %T@ %p\n'
	done 2>/dev/null | sort
}
outside_before=$(outside)
# The user's cache is watched too, but any other hark on the machine may write there.
usercache=${XDG_CACHE_HOME:-$HOME/.cache}/hark
cache_before=$(outside "$usercache" | grep -F "$usercache")

mkdir -p "$fx" "$root/log"
echo "a canary: a hard link or write from an archive would change it" >"$root/victim"
echo "hostile: $HARK; fixtures in $root"
"$py" scripts/lib/hostile/fixtures.py "$repo" "$fx" || { echo "hostile: making the fixtures failed" >&2; exit 2; }
audio_cases
import_cases
text_cases
history_cases
cache_cases
output_cases

status=0
if [ "$(outside)" != "$outside_before" ]; then
	echo "FAIL  files outside the temporary root changed:"
	diff <(printf '%s\n' "$outside_before") <(outside) | head -20
	status=1
fi
if [ "$(outside "$usercache" | grep -F "$usercache")" != "$cache_before" ]; then
	echo "warn  $usercache changed during the run (by this suite, or by another hark process):"
	diff <(printf '%s\n' "$cache_before") <(outside "$usercache" | grep -F "$usercache") | head -10
fi
if [ "$ort_litter" -gt 0 ]; then
	# Every hark process that loads ONNX Runtime leaves $TMPDIR/.ses and an empty
	# $TMPDIR/mat-debug-PID.log: one finding, not one per case.
	echo "FAIL  global/tmpdir-litter: hark runs left $ort_litter files (.ses, mat-debug-PID.log) in \$TMPDIR"
	status=1
fi
if [ "$ort_db" -gt 0 ]; then
	echo "note  global/ort-database: $ort_db cases wrote \$XDG_CACHE_HOME/Microsoft/DeveloperTools/.onnxruntime/ (deviceid, onnxruntime.db)"
fi
echo "hostile: took $((SECONDS - t_start)) s"
echo "hostile: $n cases, $clear clear errors, $accepted accepted, $panics panics, $hangs hangs, $partial partial files, $unclear unclear"
if [ ${#broken[@]} -gt 0 ]; then
	printf 'hostile: %d cases broke their expectation:' "${#broken[@]}"
	printf ' %s;' "${broken[@]}"
	echo
	status=1
fi
[ $((panics + hangs + partial + unclear)) -gt 0 ] && status=1
exit $status
