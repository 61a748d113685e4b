package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"golang.org/x/term"

	"hark/app/dictation"
	"hark/app/history"
	"hark/app/live"
	"hark/asr"
	"hark/asr/stream"
	"hark/asr/text"
	"hark/audio"
	"hark/audio/portaudio"
	"hark/internal/ctl"
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
	model := fs.String("model", "", "model `NAME|DIR` (default: the one `hark models default` chose, else the embedded English model)")
	beam := fs.Int("beam", 0, "beam width `N` (1 = greedy; default 8)")
	threads := fs.Int("threads", 1, "ONNX Runtime threads `N`")
	vadKind := fs.String("vad", live.VADSilero, "voice activity detector: silero or energy")
	silence := fs.Duration("silence", 800*time.Millisecond, "trailing silence that ends an utterance")
	provisional := fs.Duration("provisional", 0, "after a pause this `long` (e.g. 120ms), send the words so far before the utterance ends (the rest continues the sentence, the full stop comes at its end): text ~150 ms after you stop instead of after --silence, at some cost in accuracy; 0 (default) turns this off, as does a pause not shorter than --silence")
	maxUtt := fs.Duration("max-utterance", 30*time.Second, "longest utterance before a forced cut")
	keep := fs.Bool("history", false, "save each utterance's audio (before decoding) and text in the history (default: on for a microphone, off with --input; see `hark history`)")
	histDir := fs.String("history-dir", "", "history `DIR` (default: $XDG_DATA_HOME/hark/utterances)")
	typeText := fs.Bool("type", false, "also type each utterance's text into the focused window (xdotool on X11, wtype/ydotool on Wayland)")
	control := fs.Bool("control", false, "accept `hark ctl` commands on the control socket (stop/start pause and resume, cancel drops the utterance)")
	post := addPostFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
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
	case *beam < 0 || *beam > 1024:
		return usageErr(env, name, "--beam %d out of range 0..1024", *beam)
	case *vadKind != live.VADSilero && *vadKind != live.VADEnergy:
		return usageErr(env, name, "unknown --vad %q (want silero or energy)", *vadKind)
	}
	fail := func(err error) int {
		fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(err))
		return ExitFailed
	}
	var cfg asr.Config
	formatter, err := post.formatter(&cfg)
	if err != nil {
		return fail(err)
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
	eng, err := live.Load(live.Options{Model: *model, Beam: *beam, Threads: *threads, VAD: *vadKind, Stream: sc})
	if err != nil {
		return fail(err)
	}
	defer eng.Close()
	st, err := eng.NewStreamer()
	if err != nil {
		return fail(err)
	}
	var typer listenTyper
	if *typeText {
		if typer, err = findListenTyper(); err != nil {
			return fail(err)
		}
	}
	first, err := listenOpen(live.Input{Device: *device, File: *input, Fast: *fast})
	if err != nil {
		return fail(err)
	}
	src := &swappable{cur: first}
	defer src.Close()
	// Ctrl-C and SIGTERM cancel ctx; closing the source unblocks a waiting Read, and Run
	// then finishes the utterance in progress.
	stop := context.AfterFunc(ctx, func() { src.Close() })
	defer stop()

	out := &listenOutput{w: env.Stdout, jsonl: *format == "jsonl", partials: *partials,
		tty: isTerminal(env.Stdout), format: formatter}
	if typer != nil {
		out.typed = startTyping(typer, func(err error) {
			fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(err))
		})
	}
	keepSet := false
	fs.Visit(func(f *flag.Flag) { keepSet = keepSet || f.Name == "history" })
	if *keep || (!keepSet && *input == "") {
		hs, err := openHistory(*histDir)
		if err != nil {
			return fail(err)
		}
		out.hist = &listenHistory{st: hs, entries: map[int]history.Entry{}, model: eng.ModelName(),
			warn: func(err error) {
				fmt.Fprintf(env.Stderr, "%s %s: utterance history: %s\n", programName, name, oneLine(err))
			}}
	}
	if env.StderrIsTTY {
		fmt.Fprintf(env.Stderr, "Listening to %s with %s (VAD: %s). Ctrl-C to stop.\n", first.Describe(), eng.ModelName(), eng.VADName())
	}
	var in audio.Source = src
	if *control {
		p := &pausable{Source: src}
		in = p
		srv, err := ctl.Listen(ctl.SocketPath(), func(cmd string) (string, error) {
			switch cmd {
			case "start":
				p.set(false)
			case "stop":
				p.set(true)
			case "toggle", "pause":
				p.set(!p.isPaused())
			case "cancel":
				st.Discard()
			case "undo":
				return "", errors.New("hark listen prints text and cannot take it back")
			case "show":
				return "", errors.New("hark listen runs in a terminal and has no window to show")
			}
			if p.isPaused() {
				return "paused", nil
			}
			return "listening", nil
		})
		if err != nil {
			return fail(err)
		}
		defer srv.Close()
	}
	for {
		err = st.Run(ctx, in, out.event)
		if s, ok := src.current().(interface{ Stats() portaudio.Stats }); ok {
			if st := s.Stats(); st.Overflows+st.Dropped > 0 {
				fmt.Fprintf(env.Stderr, "%s %s: %d input overflows, %d samples dropped\n", programName, name, st.Overflows, st.Dropped)
			}
		}
		if *input != "" || !errors.Is(err, portaudio.ErrDeviceLost) || ctx.Err() != nil {
			break
		}
		// The microphone went away (the utterance in progress was finished): wait for the
		// same device to be listed again, as the window does, and go on listening there.
		label := deviceLabel(*device)
		fmt.Fprintf(env.Stderr, "%s %s: the %s stopped (unplugged?); waiting for it to come back…\n", programName, name, label)
		src.current().Close()
		next, rerr := dictation.Reopen(ctx, listenDevices, *device, listenReplugEvery, func() (live.Source, error) {
			return listenOpen(live.Input{Device: *device})
		})
		if rerr != nil || !src.swap(next) {
			err = ctx.Err()
			break
		}
		fmt.Fprintf(env.Stderr, "%s %s: the %s is back: listening again.\n", programName, name, label)
	}
	out.done()
	if err != nil && !errors.Is(err, context.Canceled) {
		return fail(err)
	}
	if out.hist != nil && len(out.hist.errs) > 0 {
		return fail(fmt.Errorf("utterance history: %w", errors.Join(out.hist.errs...)))
	}
	if out.failed {
		return ExitFailed
	}
	return ExitOK
}

// Seams for tests: how inputs are opened and listed, how often a lost device is looked for,
// and the typing tool.
var (
	listenOpen        = live.Open
	listenDevices     = deviceNames
	listenReplugEvery = 2 * time.Second
	findListenTyper   = func() (listenTyper, error) { return dictation.FindTyper() }
)

// listenTyper types text, exactly as given, into the focused window (dictation.Typer).
type listenTyper interface {
	Insert(text string) error
}

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

// swappable is the input being listened to; after a device loss the reopened device takes
// its place. Close (Ctrl-C) closes the current one and any that would come later.
type swappable struct {
	mu     sync.Mutex
	cur    live.Source
	closed bool
}

func (s *swappable) current() live.Source {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

func (s *swappable) SampleRate() int               { return s.current().SampleRate() }
func (s *swappable) Read(p []float32) (int, error) { return s.current().Read(p) }

// swap replaces the source; false (and next closed) once Close was called.
func (s *swappable) swap(next live.Source) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		next.Close()
		return false
	}
	s.cur = next
	return true
}

func (s *swappable) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return s.cur.Close()
}

// typing delivers finals to the typer in order, off the recognizer's goroutine.
type typing struct {
	texts chan string
	done  chan struct{}
}

func startTyping(t listenTyper, report func(error)) *typing {
	ty := &typing{texts: make(chan string, 64), done: make(chan struct{})}
	go func() {
		defer close(ty.done)
		for text := range ty.texts {
			if err := t.Insert(text); err != nil {
				report(err)
			}
		}
	}()
	return ty
}

// finish waits until everything sent has been typed.
func (ty *typing) finish() {
	close(ty.texts)
	<-ty.done
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// listenOutput prints stream events as `hark listen` shows them.
type listenOutput struct {
	w        io.Writer
	jsonl    bool
	partials bool
	tty      bool // rewrite the current line with partials
	shown    bool // a partial is on the current line
	failed   bool
	format   *text.Formatter // nil: print the recognizer's raw words
	hist     *listenHistory  // nil: utterances are not saved
	typed    *typing         // nil: finals are not typed

	// An utterance that comes in pieces (provisional finals): its text so far is on the
	// current line, and in sent.
	sent   *listenSentence
	inLine bool // txt: the current line holds pieces, not yet ended by a newline
}

// listenSentence is an utterance whose first pieces were printed.
type listenSentence struct {
	n     int // stream utterance number
	s     text.Sentence
	start float64
	end   float64
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

// formatPiece formats raw words for a sentence in pieces: final is false until it ends.
func (o *listenOutput) formatPiece(raw string, final bool) string {
	if o.format == nil {
		return strings.Join(strings.Fields(raw), " ")
	}
	f := *o.format
	f.NoFinalStop = f.NoFinalStop || !final
	return f.Format(raw)
}

func (o *listenOutput) event(e stream.Event) {
	open := o.sent != nil && o.sent.n == e.Utterance
	switch e.Kind {
	case stream.End:
		if o.hist != nil {
			o.hist.end(e.Utterance, e.Audio)
		}
	case stream.Partial:
		o.partial(e, open)
	case stream.Final:
		switch {
		case e.Err != nil:
			o.fail(e)
			if !e.Provisional && open {
				o.endSentence(e, "")
			}
		case e.Provisional:
			o.piece(e)
		case open:
			o.endSentence(e, e.Text)
		default:
			o.whole(e)
		}
	case stream.Dropped:
		if open {
			o.endSentence(e, "")
			return
		}
		if o.hist != nil {
			o.hist.final(e.Utterance, "", "", nil, false)
		}
		o.clear()
	}
}

// partial shows the hypothesis for the rest of the utterance.
func (o *listenOutput) partial(e stream.Event, open bool) {
	before, rest, start := "", "", e.Start
	if open {
		before, rest, start = o.sent.s.Text(), o.sent.s.Peek(e.Text), o.sent.start
	} else if o.format != nil {
		// Formatted like a final, less the full stop an unfinished sentence has not earned.
		rest = strings.TrimSuffix(o.format.Format(e.Text), ".")
	} else {
		rest = e.Text
	}
	switch {
	case o.jsonl && o.partials:
		o.json(listenLine{Text: before + rest, Start: round3(start), End: round3(e.End)})
	case !o.jsonl && o.tty:
		// Grey italic, on the current line, after the pieces already there — cut to the
		// terminal's width, keeping the newest words: a partial that wrapped onto a second
		// line could not be rewritten in place and stayed behind (issue 17).
		before, rest = fitWidth(before, rest, o.width())
		fmt.Fprintf(o.w, "\r\x1b[K%s\x1b[2;3m%s\x1b[0m", before, rest)
		o.shown = true
	}
}

// width is the terminal's width in columns (80 when it cannot be told).
func (o *listenOutput) width() int {
	if f, ok := o.w.(*os.File); ok {
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

// whole prints an utterance that came in one piece.
func (o *listenOutput) whole(e stream.Event) {
	raw := e.Text
	if o.format != nil {
		e.Text = o.format.Result(asr.Result{Text: e.Text, Words: e.Words}).Text
	}
	if o.hist != nil {
		o.hist.final(e.Utterance, raw, e.Text, nil, false)
	}
	if o.typed != nil && e.Text != "" {
		o.typed.texts <- e.Text + " "
	}
	if o.jsonl {
		o.json(listenLine{Text: e.Text, Start: round3(e.Start), End: round3(e.End), Final: true})
		return
	}
	o.clear()
	fmt.Fprintln(o.w, e.Text)
}

// piece prints a provisional final: the words so far, at once; the utterance goes on.
func (o *listenOutput) piece(e stream.Event) {
	if o.sent == nil || o.sent.n != e.Utterance {
		o.sent = &listenSentence{n: e.Utterance, s: text.Sentence{Format: o.formatPiece}, start: e.Start}
	}
	sn := o.sent
	add := sn.s.Add(e.Text)
	sn.end = max(sn.end, e.End)
	if o.hist != nil {
		o.hist.final(e.Utterance, sn.s.Raw(), sn.s.Text(), nil, true)
	}
	if add == "" {
		return
	}
	if o.typed != nil {
		o.typed.texts <- add
	}
	switch {
	case o.jsonl:
		o.json(listenLine{Text: sn.s.Text(), Append: &add, Start: round3(sn.start), End: round3(sn.end), Final: true, Provisional: true})
	case o.tty:
		fmt.Fprintf(o.w, "\r\x1b[K%s", sn.s.Text())
		o.shown = false
		o.inLine = true
	default:
		fmt.Fprint(o.w, add)
		o.inLine = true
	}
}

// endSentence ends an utterance that came in pieces: the words after the last piece, if
// any, and what ends the sentence.
func (o *listenOutput) endSentence(e stream.Event, last string) {
	sn := o.sent
	o.sent = nil
	add := sn.s.Add(last)
	raw, written := sn.s.Raw(), sn.s.Text()
	add += sn.s.End()
	whole := written + add
	if e.Kind == stream.Final && e.Err == nil {
		sn.end = max(sn.end, e.End)
	}
	if o.hist != nil {
		o.hist.final(e.Utterance, raw, whole, e.Err, false)
	}
	if o.typed != nil && whole != "" {
		o.typed.texts <- add + " "
	}
	switch {
	case o.jsonl:
		o.json(listenLine{Text: whole, Append: &add, Start: round3(sn.start), End: round3(sn.end), Final: true})
	case o.tty:
		fmt.Fprintf(o.w, "\r\x1b[K%s\n", whole)
		o.shown, o.inLine = false, false
	default:
		fmt.Fprintln(o.w, add)
		o.inLine = false
	}
}

// fail reports a piece or an utterance that could not be decoded (its audio is kept).
func (o *listenOutput) fail(e stream.Event) {
	o.failed = true
	if o.hist != nil {
		if sn := o.sent; sn != nil && sn.n == e.Utterance {
			o.hist.final(e.Utterance, sn.s.Raw(), sn.s.Text(), e.Err, true) // endSentence follows at the end
		} else {
			o.hist.final(e.Utterance, "", "", e.Err, e.Provisional)
		}
	}
	if o.jsonl {
		o.json(listenLine{Start: round3(e.Start), End: round3(e.End), Final: true, Provisional: e.Provisional, Error: oneLine(e.Err)})
		return
	}
	o.clear()
	if o.inLine {
		fmt.Fprintln(o.w)
		o.inLine = false
	}
	fmt.Fprintf(o.w, "[utterance at %.1f s could not be recognised: %s]\n", e.Start, oneLine(e.Err))
}

func (o *listenOutput) clear() {
	if o.shown {
		fmt.Fprint(o.w, "\r\x1b[K")
		o.shown = false
	}
}

func (o *listenOutput) done() {
	o.clear()
	if o.inLine {
		fmt.Fprintln(o.w)
		o.inLine = false
	}
	if o.typed != nil {
		o.typed.finish()
		o.typed = nil
	}
}

func (o *listenOutput) json(l listenLine) { writeJSON(o.w, l, false) }
