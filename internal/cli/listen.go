package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"golang.org/x/term"

	"hark/asr/stream"
	"hark/audio"
	"hark/audio/portaudio"
	"hark/dictation"
	"hark/dictation/history"
	"hark/internal/ctl"
	"hark/internal/live"
)

func init() {
	register(command{"listen", "[flags]", "live transcription from the microphone (or a replayed file), no window", runListen})
}

func runListen(ctx context.Context, env *Env, args []string) int {
	const name = "listen"
	fs := newFlags(env, name, "[flags]", "Transcribes speech from the microphone as it is spoken, one line per utterance.\nCtrl-C stops, after finishing the utterance in progress.")
	device := fs.String("device", "", "input device `NAME|INDEX` (see `hark devices`; default: the system's default)")
	input := fs.String("input", "", "replay audio `FILE` instead of capturing (in real time unless --fast)")
	fast := fs.Bool("fast", false, "with --input: replay as fast as possible")
	format := fs.String("format", "txt", "output `format`: txt or jsonl")
	partials := fs.Bool("partials", false, "with jsonl: also print partial results (\"final\":false)")
	model := addModelFlag(fs, "")
	vadKind := fs.String("vad", live.VADSilero, "voice activity detector: silero or energy")
	silence := fs.Duration("silence", 800*time.Millisecond, "trailing silence that ends an utterance")
	provisional := fs.Duration("provisional", 0, "after a pause this `long` (e.g. 120ms), send the words so far before the utterance ends (the rest continues the sentence, the full stop comes at its end): text ~150 ms after you stop instead of after --silence, at some cost in accuracy; 0 (default) turns this off, as does a pause not shorter than --silence")
	maxUtt := fs.Duration("max-utterance", 30*time.Second, "longest utterance before a forced cut")
	keep := fs.Bool("history", false, "save each utterance's audio (before decoding) and text in the history (default: on for a microphone, off with --input; see `hark history`)")
	histDir := fs.String("history-dir", "", "history `DIR` (default: $XDG_DATA_HOME/hark/utterances)")
	typeText := fs.Bool("type", false, "also type each utterance's text into the focused window (xdotool on X11, wtype/ydotool on Wayland)")
	control := fs.Bool("control", false, "accept `hark ctl` commands on the control socket (stop/start pause and resume, cancel drops the utterance)")
	dec := addDecodeFlags(fs, "ONNX Runtime threads `N`")
	post := addPostFlags(fs)
	pos, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	switch {
	case len(pos) > 0:
		return usageErr(env, name, "unexpected argument %q", pos[0])
	case *format != "txt" && *format != "jsonl":
		return usageErr(env, name, "unknown --format %q (want txt or jsonl)", *format)
	case *input != "" && *device != "":
		return usageErr(env, name, "--input and --device exclude each other")
	case *fast && *input == "":
		return usageErr(env, name, "--fast needs --input FILE")
	case *silence < 100*time.Millisecond || *silence > 10*time.Second:
		return usageErr(env, name, "--silence %v out of range 100ms..10s", *silence)
	case *provisional != 0 && (*provisional < 64*time.Millisecond || *provisional > 10*time.Second):
		return usageErr(env, name, "--provisional %v out of range 64ms..10s (or 0: off)", *provisional)
	case *maxUtt < 2*time.Second || *maxUtt > 30*time.Second:
		return usageErr(env, name, "--max-utterance %v out of range 2s..30s", *maxUtt)
	case *vadKind != live.VADSilero && *vadKind != live.VADEnergy:
		return usageErr(env, name, "unknown --vad %q (want silero or energy)", *vadKind)
	}
	fail := func(err error) int {
		fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(err))
		return ExitFailed
	}
	cfg, err := dec.config()
	if err != nil {
		return usageErr(env, name, "%v", err)
	}
	formatter, err := post.formatter(&cfg)
	if err != nil {
		return fail(err)
	}
	// Live dictation listens for spoken commands ("comma", "new line"): the search is biased
	// towards them where they are written as marks (not with --raw).
	if !flagSet(fs, "commands") {
		cfg.Commands = formatter != nil && !formatter.NoCommands
	}
	sc := stream.Config{TrailingSilence: *silence, MaxUtterance: *maxUtt, ProvisionalSilence: *provisional}
	if *provisional == 0 {
		sc.ProvisionalSilence = -1
	}
	// Partials are decoded only where someone sees them: a terminal, or --partials with jsonl.
	// Redirected output got them decoded every 500 ms for nothing (issue 19: 38-40% of a core
	// while speaking, 9% without partials).
	if !(*format == "jsonl" && *partials) && !isTerminal(env.Stdout) {
		sc.PartialInterval = -1
	}
	eng, err := live.Load(live.Options{Model: *model, Decode: cfg, VAD: *vadKind, Stream: sc})
	if err != nil {
		return fail(err)
	}
	defer eng.Close()
	var typer dictation.Keyboard
	if *typeText {
		if typer, err = findListenTyper(); err != nil {
			return fail(err)
		}
	}
	first, err := listenOpen(live.Input{Device: *device, File: *input, Fast: *fast})
	if err != nil {
		return fail(err)
	}
	warn := func(err error) { fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(err)) }
	// Typing goes through the dictation core's delivery, as in the window (no clipboard here).
	delivery := &dictation.Delivery{Options: func() dictation.DeliveryOptions { return dictation.DeliveryOptions{Type: typer != nil} },
		FindTyper: func() (dictation.Keyboard, error) { return typer, nil }}
	view := &listenView{w: env.Stdout, jsonl: *format == "jsonl", partials: *partials, tty: isTerminal(env.Stdout), warn: warn}

	// The dictation core does the rest, as in the window: pieces into sentences, history,
	// pause and cancel, delivery. `hark listen` prints its updates and types what it delivers.
	dcfg := dictation.Config{Continuous: true, UndoPhrases: []string{}, // printed text cannot be taken back
		Deliver: func(u dictation.Utterance) (string, error) {
			where, err := delivery.Deliver(u)
			if err != nil {
				warn(err) // printed all the same; typing goes on with the next
			}
			return strings.Join(append([]string{"hark listen output"}, where), ", "), nil
		}}
	if formatter != nil {
		dcfg.Format = func(raw string, final bool) string {
			f := *formatter
			f.NoFinalStop = f.NoFinalStop || !final
			return f.Format(raw)
		}
	}
	if *keep || (!flagSet(fs, "history") && *input == "") {
		hs, err := openHistory(*histDir)
		if err != nil {
			return fail(err)
		}
		k := &dictation.Keeper{Store: func() *history.Store { return hs }, Model: eng.ModelName,
			Failed: func(err error) { view.update(dictation.Update{Kind: dictation.Failed, Err: err}) }}
		dcfg.Keep, dcfg.KeepMore, dcfg.Record = k.Keep, k.KeepMore, k.Record
	}
	next := first // the source the next session listens to
	dc := dictation.New(func() (audio.Source, error) { return next, nil }, eng.NewStreamer, dcfg, view.update)
	// Ctrl-C and SIGTERM stop dictation: the source is closed, which unblocks a waiting
	// Read, and the utterance in progress is finished.
	stop := context.AfterFunc(ctx, dc.Stop)
	defer stop()

	if env.StderrIsTTY {
		fmt.Fprintf(env.Stderr, "Listening to %s with %s (VAD: %s). Ctrl-C to stop.\n", first.Describe(), eng.ModelName(), eng.VADName())
	}
	if *control {
		srv, err := ctl.Listen(ctl.SocketPath(), listenControl(dc))
		if err != nil {
			first.Close()
			return fail(err)
		}
		defer srv.Close()
	}
	var capErr error
	for {
		src := next
		view.capture = nil
		if err := dc.Start(); err != nil {
			src.Close()
			return fail(err)
		}
		if ctx.Err() != nil {
			dc.Stop()
		}
		dc.Wait()
		src.Close()
		if s, ok := src.(interface{ Stats() portaudio.Stats }); ok {
			if st := s.Stats(); st.Overflows+st.Dropped > 0 {
				fmt.Fprintf(env.Stderr, "%s %s: %d input overflows, %d samples dropped\n", programName, name, st.Overflows, st.Dropped)
			}
		}
		capErr = view.capture
		if *input != "" || !errors.Is(capErr, portaudio.ErrDeviceLost) || ctx.Err() != nil {
			break
		}
		// The microphone went away (the utterance in progress was finished): wait for the
		// same device to be listed again, as the window does, and go on listening there.
		label := deviceLabel(*device)
		fmt.Fprintf(env.Stderr, "%s %s: the %s stopped (unplugged?); waiting for it to come back…\n", programName, name, label)
		reopened, rerr := dictation.Reopen(ctx, listenDevices, *device, listenReplugEvery, func() (live.Source, error) {
			return listenOpen(live.Input{Device: *device})
		})
		if rerr != nil || ctx.Err() != nil {
			if reopened != nil {
				reopened.Close()
			}
			capErr = nil
			break
		}
		next = reopened
		fmt.Fprintf(env.Stderr, "%s %s: the %s is back: listening again.\n", programName, name, label)
	}
	view.done()
	if capErr != nil && !errors.Is(capErr, context.Canceled) {
		return fail(capErr)
	}
	if len(view.histErrs) > 0 {
		return fail(fmt.Errorf("utterance history: %w", errors.Join(view.histErrs...)))
	}
	if view.failed {
		return ExitFailed
	}
	return ExitOK
}

// listenControl answers `hark ctl` for `hark listen --control`: stop and start pause and
// resume (the device stays open; there is no window to start dictation from), cancel drops
// the utterance in progress.
func listenControl(c *dictation.Controller) func(cmd string) (string, error) {
	return func(cmd string) (string, error) {
		switch cmd {
		case "start":
			c.SetPaused(false)
		case "stop":
			c.SetPaused(true)
		case "toggle", "pause":
			c.SetPaused(!c.Paused())
		case "cancel":
			c.Cancel()
		case "undo":
			return "", errors.New("hark listen prints text and cannot take it back")
		case "show":
			return "", errors.New("hark listen runs in a terminal and has no window to show")
		}
		if c.Paused() {
			return "paused", nil
		}
		return "listening", nil
	}
}

// Seams for tests: how inputs are opened and listed, how often a lost device is looked for,
// and the typing tool.
var (
	listenOpen        = live.Open
	listenDevices     = deviceNames
	listenReplugEvery = 2 * time.Second
	findListenTyper   = dictation.FindKeyboard
)

func deviceNames() ([]string, error) {
	devs, err := portaudio.Devices()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(devs))
	for _, d := range devs {
		names = append(names, d.Name)
	}
	return names, nil
}

func deviceLabel(name string) string {
	if name == "" {
		return "default input device"
	}
	return fmt.Sprintf("input device %q", name)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// listenView prints the dictation core's updates as `hark listen` shows them.
type listenView struct {
	w        io.Writer
	jsonl    bool
	partials bool
	tty      bool        // rewrite the current line with partials
	warn     func(error) // reports a failure at once, on stderr

	shown    bool    // tty: a partial is on the current line
	inLine   bool    // the current line holds pieces of an utterance, not yet ended by a newline
	failed   bool    // an utterance could not be decoded
	capture  error   // what ended the last session (a *dictation.CaptureError's cause)
	histErrs []error // the history could not be written
}

type listenLine struct {
	Text  string  `json:"text"`
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	Final bool    `json:"final"`
	// Utterances that come in pieces: Text is the utterance so far (all of it on its last
	// line), Append what this line adds to the text printed before (a provisional line's
	// piece, the last line's full stop); absent for utterances in one piece.
	Append      *string `json:"append,omitempty"`
	Provisional bool    `json:"provisional,omitempty"`
	Error       string  `json:"error,omitempty"`
}

// update is the controller's listener: it is called one update at a time.
func (v *listenView) update(up dictation.Update) {
	if (up.Kind == dictation.FinalAdded || up.Kind == dictation.FinalExtended) && os.Getenv(hangEnv) != "" {
		select {} // the crash test kills Hark here: the audio saved, the outcome not yet recorded
	}
	switch up.Kind {
	case dictation.PartialChanged:
		v.partial(up)
	case dictation.FinalAdded, dictation.FinalExtended:
		v.final(up.Utterance, up.Kind == dictation.FinalExtended)
	case dictation.Failed:
		var ce *dictation.CaptureError
		switch {
		case errors.As(up.Err, &ce):
			v.capture = ce.Err
		case up.Utterance.Err != nil:
			v.undecoded(up.Utterance)
		default: // the history: the audio or the outcome could not be saved
			v.histErrs = append(v.histErrs, up.Err)
			v.clear()
			v.warn(fmt.Errorf("utterance history: %w", up.Err))
		}
	}
}

// partial shows the hypothesis for the rest of the utterance.
func (v *listenView) partial(up dictation.Update) {
	if up.Partial == "" {
		v.clear()
		return
	}
	u := up.Utterance
	before, rest := u.Text, u.Append
	switch {
	case v.jsonl && v.partials:
		v.json(listenLine{Text: before + rest, Start: round3(u.Start), End: round3(u.End)})
	case !v.jsonl && v.tty:
		// Grey italic, on the current line, after the pieces already there — cut to the
		// terminal's width, keeping the newest words: a partial that wrapped onto a second
		// line could not be rewritten in place and stayed behind (issue 17).
		before, rest = fitWidth(before, rest, v.width())
		fmt.Fprintf(v.w, "\r\x1b[K%s\x1b[2;3m%s\x1b[0m", before, rest)
		v.shown, v.inLine = true, false
	}
}

// final prints an utterance in one piece (added, not open), or the pieces of one that comes
// in pieces: each as it comes (open), then what ends it (extended, not open).
func (v *listenView) final(u dictation.Utterance, extended bool) {
	whole := !extended && !u.Open
	switch {
	case v.jsonl && whole:
		v.json(listenLine{Text: u.Text, Start: round3(u.Start), End: round3(u.End), Final: true})
	case v.jsonl:
		app := u.Append
		v.json(listenLine{Text: u.Text, Append: &app, Start: round3(u.Start), End: round3(u.End), Final: true, Provisional: u.Open})
	case v.tty:
		v.clear()
		if v.inLine {
			fmt.Fprint(v.w, "\r\x1b[K")
		}
		fmt.Fprint(v.w, u.Text)
		v.inLine = u.Open
		if !u.Open {
			fmt.Fprintln(v.w)
		}
	case whole:
		fmt.Fprintln(v.w, u.Text)
	default:
		fmt.Fprint(v.w, u.Append)
		v.inLine = u.Open
		if !u.Open {
			fmt.Fprintln(v.w)
		}
	}
}

// width is the terminal's width in columns (80 when it cannot be told).
func (v *listenView) width() int {
	if f, ok := v.w.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return 80
}

// fitWidth shortens before+rest to at most width-1 columns (one rune a column) by dropping
// runes from the front, marked with "…"; rest (the partial part) is kept before before is.
func fitWidth(before, rest string, width int) (string, string) {
	max := width - 1
	b, r := []rune(before), []rune(rest)
	if max < 2 || len(b)+len(r) <= max {
		return before, rest
	}
	keep := max - 1 // room for the "…"
	if len(r) >= keep {
		return "", "…" + string(r[len(r)-keep:])
	}
	b = b[len(b)-(keep-len(r)):]
	return "…" + string(b), rest
}

// undecoded reports an utterance, or a piece of one, that could not be decoded (its audio
// is kept).
func (v *listenView) undecoded(u dictation.Utterance) {
	v.failed = true
	if v.jsonl {
		v.json(listenLine{Start: round3(u.Start), End: round3(u.End), Final: true, Provisional: u.Open, Error: oneLine(u.Err)})
		return
	}
	v.clear()
	if v.inLine {
		fmt.Fprintln(v.w)
		v.inLine = false
	}
	fmt.Fprintf(v.w, "[utterance at %.1f s could not be recognised: %s]\n", u.Start, oneLine(u.Err))
}

// clear takes a partial off the terminal's line (and with it the pieces before it, which
// the next partial or piece writes again).
func (v *listenView) clear() {
	if v.shown {
		fmt.Fprint(v.w, "\r\x1b[K")
		v.shown, v.inLine = false, false
	}
}

func (v *listenView) done() {
	v.clear()
	if v.inLine {
		fmt.Fprintln(v.w)
		v.inLine = false
	}
}

func (v *listenView) json(l listenLine) { writeJSON(v.w, l, false) }
