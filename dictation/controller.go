package dictation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"hark/asr/stream"
	"hark/asr/text"
	"hark/audio"
)

// Opener opens the capture source when dictation starts. The source may implement
// io.Closer; Stop closes it to end a blocking Read.
type Opener func() (audio.Source, error)

// NewStreamer makes the streaming recognizer for one capture session.
type NewStreamer func() (*stream.Streamer, error)

// Config holds the controller's settings. The zero value stops after each utterance.
type Config struct {
	// Continuous keeps listening after each utterance; otherwise dictation returns to Idle
	// once an utterance has been finalised.
	Continuous bool
	// Deliver, when set, sends each final utterance to another application (types it or
	// copies it) and says where it went ("typed with xdotool"); that is kept in
	// Utterance.Delivered. Its error is reported as a Failed update; dictation goes on.
	Deliver func(u Utterance) (where string, err error)
	// Keep, when set, saves an utterance's audio (16 kHz, pre-roll and end padding
	// included) before it is decoded and returns its history ID (Utterance.ID). Its error is
	// reported as a Failed update.
	Keep func(samples []float32) (id string, err error)
	// KeepMore appends more of an utterance's audio to what Keep saved: what was heard since
	// (the stream's Heard events), and the next piece of an utterance that comes in pieces
	// (provisional finals), before it is decoded. It goes with Keep: when it is nil, the rest
	// is saved with Keep as entries of their own, which stay pending (nothing is lost, but
	// they are not linked to the utterance's text).
	KeepMore func(id string, samples []float32) error
	// Record, when set, is told how every kept utterance ended: decoded (delivered or a
	// command), failed (Err), recognised as nothing, or undone (Undone).
	Record func(u Utterance)
	// Retract, when set, removes a delivered utterance from the application it went to
	// (Undo): backspaces for typed text, the previous clipboard for a copy.
	Retract func(u Utterance) error
	// UndoPhrases are raw texts that undo the last utterance instead of being inserted;
	// nil means DefaultUndoPhrases.
	UndoPhrases []string
	// Format, when set, turns the recognizer's raw words into written text (casing,
	// punctuation, spoken commands); final is false for partial results and for the words
	// of an utterance that is still going on (its provisional pieces, which get no final
	// full stop yet). Format(raw, false) should be Format(raw, true) less what ends it.
	Format func(raw string, final bool) string
}

// Controller runs the dictation state machine. Its methods may be called from any goroutine;
// the listener is called from the controller's goroutines, one update at a time, in order.
type Controller struct {
	open     Opener
	streamer NewStreamer
	cfg      Config
	listen   func(Update)

	mu         sync.Mutex
	state      State
	partial    string
	utterances []Utterance
	seq        int // utterances finalised so far (Utterance.N)
	lastErr    error
	session    *session

	emitMu  sync.Mutex // serialises listener calls
	finalMu sync.Mutex // orders delivering a final and undoing it
	paused  atomic.Bool
}

// pausedSource hands out silence instead of the input while dictation is paused: the
// device stays open, and an utterance in progress ends as if the speaker had stopped.
type pausedSource struct {
	audio.Source
	paused *atomic.Bool
}

func (p pausedSource) Read(x []float32) (int, error) {
	n, err := p.Source.Read(x)
	if p.paused.Load() {
		clear(x[:n])
	}
	return n, err
}

// SetPaused pauses (the input is replaced by silence) or resumes dictation.
func (c *Controller) SetPaused(on bool) { c.paused.Store(on) }

// Paused reports whether dictation is paused.
func (c *Controller) Paused() bool { return c.paused.Load() }

type session struct {
	kept     map[int]string // history IDs by stream utterance number, first Heard or End to Final (run goroutine)
	sentence *sentence      // the utterance that is coming in pieces (run goroutine)
	cancel   context.CancelFunc
	src      audio.Source
	st       *stream.Streamer
	done     chan struct{}
	start    time.Time
	stopping bool // Stop was called (guarded by Controller.mu)
}

// New returns an idle Controller. listen receives every update (nil: none).
func New(open Opener, streamer NewStreamer, cfg Config, listen func(Update)) *Controller {
	if listen == nil {
		listen = func(Update) {}
	}
	return &Controller{open: open, streamer: streamer, cfg: cfg, listen: listen}
}

// State returns the current state.
func (c *Controller) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Partial returns the current partial text.
func (c *Controller) Partial() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.partial
}

// Utterances returns the final utterances so far, oldest first.
func (c *Controller) Utterances() []Utterance {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Utterance(nil), c.utterances...)
}

// Err returns the last error reported, if any.
func (c *Controller) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastErr
}

// SetContinuous changes whether dictation keeps listening after an utterance.
func (c *Controller) SetContinuous(on bool) {
	c.mu.Lock()
	c.cfg.Continuous = on
	c.mu.Unlock()
}

// ClearTranscript forgets the utterances.
func (c *Controller) ClearTranscript() {
	c.mu.Lock()
	c.utterances = nil
	c.mu.Unlock()
}

// Toggle starts dictation when idle and stops it otherwise.
func (c *Controller) Toggle() error {
	if c.State() == Idle {
		return c.Start()
	}
	c.Stop()
	return nil
}

// Start opens the source and starts listening. It fails (staying Idle) when the source or
// the recognizer cannot be opened; starting while already started does nothing.
func (c *Controller) Start() error {
	c.mu.Lock()
	if c.session != nil {
		c.mu.Unlock()
		return nil
	}
	// Reserve the session slot while opening, so a second Start does nothing.
	s := &session{done: make(chan struct{}), start: time.Now(), kept: map[int]string{}}
	c.session = s
	c.mu.Unlock()

	fail := func(err error) error {
		c.mu.Lock()
		c.session = nil
		c.mu.Unlock()
		close(s.done)
		c.fail(err)
		return err
	}
	st, err := c.streamer()
	if err != nil {
		return fail(fmt.Errorf("cannot start the recognizer: %w", err))
	}
	src, err := c.open()
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.mu.Lock()
	if s.stopping {
		// Stop was called while the source was opening: do not start at all.
		c.session = nil
		c.mu.Unlock()
		cancel()
		if cl, ok := src.(io.Closer); ok {
			_ = cl.Close()
		}
		close(s.done)
		return nil
	}
	s.cancel, s.src, s.st = cancel, src, st
	c.mu.Unlock()
	c.setState(Listening, s)
	go c.run(ctx, s)
	return nil
}

// Stop ends capture. An utterance in progress is finalised first (the state passes through
// Finalising); Stop returns without waiting: Wait does that.
func (c *Controller) Stop() {
	c.mu.Lock()
	s := c.session
	speaking := c.state == Speech
	if s != nil {
		s.stopping = true
	}
	c.mu.Unlock()
	if s == nil || s.cancel == nil {
		return
	}
	if speaking {
		c.setState(Finalising, s)
	}
	s.cancel()
	if cl, ok := s.src.(io.Closer); ok {
		_ = cl.Close()
	}
}

// Cancel drops the utterance in progress without decoding it; capture goes on.
func (c *Controller) Cancel() {
	c.mu.Lock()
	s := c.session
	c.mu.Unlock()
	if s != nil && s.st != nil {
		s.st.Discard()
	}
}

// EndUtterance finalises the utterance in progress now instead of waiting for silence.
func (c *Controller) EndUtterance() {
	c.mu.Lock()
	s := c.session
	c.mu.Unlock()
	if s != nil && s.st != nil {
		s.st.EndUtterance()
	}
}

// Wait blocks until the current session (if any) has ended.
func (c *Controller) Wait() {
	c.mu.Lock()
	s := c.session
	c.mu.Unlock()
	if s != nil {
		<-s.done
	}
}

func (c *Controller) run(ctx context.Context, s *session) {
	defer close(s.done)
	err := s.st.Run(ctx, pausedSource{s.src, &c.paused}, func(e stream.Event) { c.event(s, e) })
	if cl, ok := s.src.(io.Closer); ok {
		_ = cl.Close()
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		c.fail(&CaptureError{Err: err})
	}
	c.mu.Lock()
	if c.session == s {
		c.session = nil
	}
	c.mu.Unlock()
	c.setPartial("")
	c.setState(Idle, nil)
}

func (c *Controller) event(s *session, e stream.Event) {
	switch e.Kind {
	case stream.Level:
		c.send(Update{Kind: LevelChanged, State: c.State(), Level: e.Level, Prob: e.Prob})
	case stream.Start:
		c.setState(Speech, s)
	case stream.Partial:
		if sen := s.sentence; sen != nil && sen.utt == e.Utterance {
			// The rest of an utterance whose first pieces are in the transcript.
			rest := sen.text.Peek(e.Text)
			c.setPartialAt(strings.TrimLeft(rest, " "), Utterance{Text: sen.text.Text(), Append: rest, Start: sen.u.Start, End: e.End, Open: true})
		} else {
			p := c.format(e.Text, false)
			c.setPartialAt(p, Utterance{Append: p, Start: e.Start, End: e.End, Open: true})
		}
	case stream.Heard:
		c.keep(s, e) // saved as it is heard: a crash mid-utterance keeps what came before it
	case stream.End:
		if !e.Provisional {
			c.setState(Finalising, s)
		}
		c.keep(s, e)
	case stream.Final, stream.Dropped:
		c.setPartial("")
		if e.Kind == stream.Final && e.Provisional {
			c.piece(s, e)
			return
		}
		id := s.kept[e.Utterance]
		delete(s.kept, e.Utterance)
		if sen := s.sentence; sen != nil && sen.utt == e.Utterance {
			s.sentence = nil
			c.endSentence(sen, e, id)
		} else {
			c.whole(e, id)
		}
		c.mu.Lock()
		continuous, stopping := c.cfg.Continuous, s.stopping
		c.mu.Unlock()
		switch {
		case stopping:
		case !continuous:
			c.Stop()
		default:
			c.setState(Listening, s)
		}
	}
}

// whole handles an utterance that came in one piece: its Final (or Dropped).
func (c *Controller) whole(e stream.Event, id string) {
	base := Utterance{ID: id, Raw: e.Text, Start: e.Start, End: e.End, At: time.Now(), Decode: e.Decode, Duration: e.Duration}
	switch {
	case e.Kind == stream.Final && e.Err != nil:
		base.Err = e.Err
		c.failUtt(fmt.Errorf("utterance %d could not be recognised (its audio is kept): %w", e.Utterance, e.Err), base)
		c.record(base)
	case e.Kind == stream.Dropped:
		c.record(base) // recognised as nothing
	case c.isUndo(e.Text):
		base.Command = true
		c.record(base)
		_, _ = c.Undo()
	default:
		c.final(base, c.format(e.Text, true))
	}
}

// sentence is an utterance that comes in pieces: its text so far and its transcript entry.
type sentence struct {
	utt     int // stream utterance number
	text    text.Sentence
	u       Utterance // in the transcript once u.N > 0
	command bool      // a piece was a spoken command
	undone  bool      // the text so far was undone (and recorded so)
	err     error     // a piece could not be decoded
}

// piece handles a provisional Final: the piece is appended to the utterance's text and
// delivered at once; the utterance goes on.
func (c *Controller) piece(s *session, e stream.Event) {
	sen := s.sentence
	if sen == nil || sen.utt != e.Utterance {
		sen = &sentence{utt: e.Utterance, text: text.Sentence{Format: c.format}}
		s.sentence = sen
	}
	switch {
	case e.Err != nil:
		sen.err = e.Err
		c.failUtt(fmt.Errorf("part of utterance %d could not be recognised (its audio is kept): %w", e.Utterance, e.Err),
			Utterance{ID: s.kept[e.Utterance], Start: e.Start, End: e.End, Open: true, Err: e.Err})
		return
	case c.isUndo(e.Text):
		// "Scratch that" after a pause undoes the last utterance: this one so far, if any.
		sen.command = true
		_, _ = c.Undo()
		return
	}
	c.finalMu.Lock()
	defer c.finalMu.Unlock()
	c.restartIfUndone(sen)
	app := sen.text.Add(e.Text)
	if app == "" {
		return
	}
	u := sen.u
	first := u.N == 0
	if first {
		u = Utterance{ID: s.kept[e.Utterance], Start: e.Start}
	}
	u.Raw, u.Text, u.Append, u.Open = sen.text.Raw(), sen.text.Text(), app, true
	u.End, u.At, u.Decode, u.Duration, u.Err = e.End, time.Now(), e.Decode, e.Duration, sen.err
	sen.u = c.publish(u, first)
}

// endSentence ends an utterance that came in pieces, with its last Final (words said after
// the last piece, or none) or Dropped.
func (c *Controller) endSentence(sen *sentence, e stream.Event, id string) {
	if e.Kind == stream.Final && e.Err != nil {
		sen.err = e.Err
		c.failUtt(fmt.Errorf("the end of utterance %d could not be recognised (its audio is kept): %w", e.Utterance, e.Err),
			Utterance{ID: id, Start: e.Start, End: e.End, Err: e.Err})
	}
	last := ""
	if e.Kind == stream.Final && e.Err == nil {
		last = e.Text
	}
	if last != "" && c.isUndo(last) {
		sen.command = true
		_, _ = c.Undo()
		last = ""
	}
	c.finalMu.Lock()
	c.restartIfUndone(sen)
	var app string
	if last != "" {
		app = sen.text.Add(last)
	}
	raw, written := sen.text.Raw(), sen.text.Text()
	app += sen.text.End()
	u := sen.u
	if u.N == 0 && raw == "" {
		// Nothing of it is in the transcript: commands, no words, or undone (which Undo
		// recorded already).
		c.finalMu.Unlock()
		if !sen.undone {
			c.record(Utterance{ID: id, Start: e.Start, End: e.End, At: time.Now(), Decode: e.Decode, Duration: e.Duration, Err: sen.err, Command: sen.command})
		}
		return
	}
	first := u.N == 0
	if first {
		u = Utterance{ID: id, Start: e.Start}
	}
	u.Raw, u.Text, u.Append, u.Open = raw, written+app, app, false
	u.At, u.Err = time.Now(), sen.err
	if e.Kind == stream.Final {
		u.End, u.Decode, u.Duration = max(u.End, e.End), e.Decode, e.Duration
	}
	c.publish(u, first)
	c.finalMu.Unlock()
}

// restartIfUndone starts the sentence afresh when its transcript entry was undone meanwhile
// (called with finalMu held).
func (c *Controller) restartIfUndone(sen *sentence) {
	if sen.u.N == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, u := range c.utterances {
		if u.N == sen.u.N {
			return
		}
	}
	sen.u = Utterance{}
	sen.text.Reset()
	sen.undone = true
}

// keep saves the utterance's audio before it is decoded, as it is heard (Heard events) and
// at its end; the later pieces of an utterance that comes in pieces are added to it.
func (c *Controller) keep(s *session, e stream.Event) {
	c.mu.Lock()
	keep, more := c.cfg.Keep, c.cfg.KeepMore
	c.mu.Unlock()
	id, ok := s.kept[e.Utterance]
	if ok && len(e.Audio) == 0 {
		return // an utterance's end without audio of its own
	}
	if ok && more != nil {
		if err := more(id, e.Audio); err != nil {
			c.fail(fmt.Errorf("utterance %d: cannot save its audio: %w", e.Utterance, err))
		}
		return
	}
	if keep == nil {
		return
	}
	nid, err := keep(e.Audio)
	if err != nil {
		c.fail(fmt.Errorf("utterance %d: cannot save its audio: %w", e.Utterance, err))
		return
	}
	if !ok {
		s.kept[e.Utterance] = nid
	}
}

// final appends a recognised utterance, delivers it and records where it went.
func (c *Controller) final(u Utterance, text string) {
	// An Undo from another goroutine waits until this utterance is delivered and recorded.
	c.finalMu.Lock()
	defer c.finalMu.Unlock()
	u.Text, u.Append = text, text
	c.publish(u, true)
}

// publish adds u to the transcript (first) or replaces its entry there, tells the
// listener, delivers u.Append and records the outcome. It is called with finalMu held.
func (c *Controller) publish(u Utterance, first bool) Utterance {
	c.mu.Lock()
	if first {
		c.seq++
		u.N = c.seq
		c.utterances = append(c.utterances, u)
	} else {
		for i := len(c.utterances) - 1; i >= 0; i-- {
			if c.utterances[i].N == u.N {
				u.Delivered = c.utterances[i].Delivered
				c.utterances[i] = u
				break
			}
		}
	}
	deliver := c.cfg.Deliver
	c.mu.Unlock()
	kind := FinalAdded
	if !first {
		kind = FinalExtended
	}
	c.send(Update{Kind: kind, State: c.State(), Utterance: u})
	// Once the text is out, the end of the utterance is delivered even when it adds no
	// text: the space that separates utterances comes with it.
	if deliver != nil && u.Text != "" && (u.Append != "" || !u.Open) {
		// A fallback (the clipboard when typing failed) reports where the text went and
		// the failure.
		where, err := deliver(u)
		if where != "" {
			u.Delivered = where
			c.mu.Lock()
			for i := len(c.utterances) - 1; i >= 0; i-- {
				if c.utterances[i].N == u.N {
					c.utterances[i].Delivered = where
					break
				}
			}
			c.mu.Unlock()
			c.send(Update{Kind: Delivered, State: c.State(), Utterance: u})
		}
		if err != nil {
			c.fail(err)
		}
	}
	c.record(u)
	return u
}

func (c *Controller) record(u Utterance) {
	c.mu.Lock()
	rec := c.cfg.Record
	c.mu.Unlock()
	if rec != nil && u.ID != "" {
		rec(u)
	}
}

// DefaultUndoPhrases undo the last utterance when said on their own.
var DefaultUndoPhrases = []string{"scratch that", "undo that", "delete that"}

func (c *Controller) isUndo(raw string) bool {
	c.mu.Lock()
	phrases := c.cfg.UndoPhrases
	c.mu.Unlock()
	if phrases == nil {
		phrases = DefaultUndoPhrases
	}
	norm := strings.Join(strings.Fields(strings.ToLower(strings.Map(func(r rune) rune {
		if unicode.IsPunct(r) {
			return -1
		}
		return r
	}, raw))), " ")
	return norm != "" && slices.Contains(phrases, norm)
}

// ErrNothingToUndo says the transcript is empty.
var ErrNothingToUndo = errors.New("nothing to undo")

// Undo removes the last utterance from the transcript and, through Retract, from the
// application it was delivered to. The Undone update carries it (with its raw text, so it
// can be restored).
func (c *Controller) Undo() (Utterance, error) {
	c.finalMu.Lock()
	defer c.finalMu.Unlock()
	c.mu.Lock()
	n := len(c.utterances)
	if n == 0 {
		c.mu.Unlock()
		return Utterance{}, ErrNothingToUndo
	}
	u := c.utterances[n-1]
	c.utterances = c.utterances[:n-1]
	retract := c.cfg.Retract
	c.mu.Unlock()
	var err error
	if retract != nil && u.Delivered != "" {
		err = retract(u)
	}
	u.Undone = true
	c.send(Update{Kind: Undone, State: c.State(), Utterance: u})
	c.record(u)
	if err != nil {
		err = fmt.Errorf("undo: %w", err)
		c.fail(err)
	}
	return u, err
}

func (c *Controller) format(raw string, final bool) string {
	if c.cfg.Format == nil {
		return raw
	}
	return c.cfg.Format(raw, final)
}

// setState moves to st if s is still the current session (nil: unconditionally).
func (c *Controller) setState(st State, s *session) {
	c.mu.Lock()
	if s != nil && c.session != s {
		c.mu.Unlock()
		return
	}
	if c.state == st {
		c.mu.Unlock()
		return
	}
	// Once Stop was pressed, stay Finalising until the session ends.
	if s != nil && s.stopping && st != Finalising {
		c.mu.Unlock()
		return
	}
	c.state = st
	c.mu.Unlock()
	c.send(Update{Kind: StateChanged, State: st})
}

func (c *Controller) setPartial(p string) { c.setPartialAt(p, Utterance{}) }

// setPartialAt shows p; at says where it is (Update.Utterance of a PartialChanged).
func (c *Controller) setPartialAt(p string, at Utterance) {
	c.mu.Lock()
	changed := c.partial != p
	c.partial = p
	st := c.state
	c.mu.Unlock()
	if changed {
		c.send(Update{Kind: PartialChanged, State: st, Partial: p, Utterance: at})
	}
}

func (c *Controller) fail(err error) { c.failUtt(err, Utterance{}) }

// failUtt reports err; u is the utterance (or piece) that could not be decoded, if any.
func (c *Controller) failUtt(err error, u Utterance) {
	c.mu.Lock()
	c.lastErr = err
	st := c.state
	c.mu.Unlock()
	c.send(Update{Kind: Failed, State: st, Err: err, Utterance: u})
}

// CaptureError ends a session: the input could not be read on (a lost device, a broken
// file). It comes in a Failed update; errors.Is sees through it to the input's error.
type CaptureError struct{ Err error }

func (e *CaptureError) Error() string { return "capture stopped: " + e.Err.Error() }
func (e *CaptureError) Unwrap() error { return e.Err }

func (c *Controller) send(u Update) {
	c.emitMu.Lock()
	defer c.emitMu.Unlock()
	c.listen(u)
}
