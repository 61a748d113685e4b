package dictation

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hark/asr"
	"hark/asr/stream"
	"hark/asr/vad"
	"hark/asr/vad/vadtest"
	"hark/audio"
)

// loudDecoder recognizes "hello" in any audio with a loud stretch, so only the VAD keeps
// noise out. The word spans the loud part.
type loudDecoder struct{}

func (loudDecoder) Recognize(ctx context.Context, x []float32) (asr.Result, error) {
	first, last := -1, -1
	for i := 0; i+320 <= len(x); i += 320 {
		if audio.RMS(x[i:i+320]) > 0.02 {
			if first < 0 {
				first = i
			}
			last = i + 320
		}
	}
	if first < 0 {
		return asr.Result{}, nil
	}
	w := asr.Word{Word: "hello", Start: float64(first) / 16000, End: float64(last) / 16000, Confidence: 1}
	return asr.Result{Text: "hello", Words: []asr.Word{w}, Duration: float64(len(x)) / 16000}, nil
}

// mic yields the chunks pushed to it, then (once ended) the given error, or blocks like a
// live device until closed.
type mic struct {
	feed   chan []float32
	cur    []float32
	err    error // returned after the samples; nil: block until Close
	closed chan struct{}
	idle   chan struct{} // signalled when Read has nothing left and waits
	once   sync.Once
}

// newMic returns a mic holding x; with err non-nil, it ends with err after x.
func newMic(x []float32, err error) *mic {
	m := &mic{feed: make(chan []float32, 16), err: err, closed: make(chan struct{}), idle: make(chan struct{}, 1)}
	m.push(x)
	if err != nil {
		close(m.feed)
	}
	return m
}

func (m *mic) push(x []float32) { m.feed <- x }

func (m *mic) SampleRate() int { return 16000 }
func (m *mic) Read(p []float32) (int, error) {
	for len(m.cur) == 0 {
		if len(m.feed) == 0 {
			select {
			case m.idle <- struct{}{}:
			default:
			}
		}
		select {
		case x, ok := <-m.feed:
			if !ok {
				return 0, m.err
			}
			m.cur = x
		case <-m.closed:
			return 0, io.EOF
		}
	}
	n := copy(p, m.cur)
	m.cur = m.cur[n:]
	return n, nil
}
func (m *mic) Close() error {
	m.once.Do(func() { close(m.closed) })
	return nil
}

func speech() []float32 {
	q := vadtest.White(1, 1e-4, 1)
	return vadtest.Concat(q, vadtest.Tone(0.6, 800, 0.3), vadtest.White(1.2, 1e-4, 2))
}

// recorder collects updates.
type recorder struct {
	mu      sync.Mutex
	states  []State
	finals  []string // by utterance, as they stand
	ns      []int    // the utterances' numbers
	errs    []error
	levels  int
	partial []string
	changed chan struct{}
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{}, 1000)} }

func (r *recorder) update(u Update) {
	r.mu.Lock()
	switch u.Kind {
	case StateChanged:
		r.states = append(r.states, u.State)
	case FinalAdded:
		r.finals = append(r.finals, u.Utterance.Text)
		r.ns = append(r.ns, u.Utterance.N)
	case FinalExtended:
		// The utterance grew: its text so far replaces what was there.
		for i, n := range r.ns {
			if n == u.Utterance.N {
				r.finals[i] = u.Utterance.Text
			}
		}
	case Failed:
		r.errs = append(r.errs, u.Err)
	case LevelChanged:
		r.levels++
	case PartialChanged:
		r.partial = append(r.partial, u.Partial)
	}
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// waitFor waits until cond holds (checked under the recorder's lock).
func (r *recorder) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		r.mu.Lock()
		ok := cond()
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.changed:
		case <-deadline:
			t.Fatalf("timed out waiting for %s (states %v, finals %q, errors %v)", what, r.states, r.finals, r.errs)
		}
	}
}

func stateNames(ss []State) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.String())
	}
	return strings.Join(out, " ")
}

func newController(src audio.Source, cfg Config, rec *recorder) *Controller {
	return newControllerWith(src, stream.Config{}, cfg, rec)
}

// classic turns provisional finals off: each utterance comes in one piece.
var classic = stream.Config{ProvisionalSilence: -1}

func newControllerWith(src audio.Source, sc stream.Config, cfg Config, rec *recorder) *Controller {
	open := func() (audio.Source, error) { return src, nil }
	mk := func() (*stream.Streamer, error) {
		return stream.New(loudDecoder{}, vad.NewEnergy(vad.EnergyConfig{}), sc), nil
	}
	return New(open, mk, cfg, rec.update)
}

func TestContinuousDictation(t *testing.T) {
	rec := newRecorder()
	m := newMic(vadtest.Concat(speech(), speech()), nil)
	c := newController(m, Config{Continuous: true}, rec)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "two finals", func() bool { return len(rec.finals) == 2 })
	rec.waitFor(t, "listening again", func() bool { return rec.states[len(rec.states)-1] == Listening })
	c.Stop()
	c.Wait()
	want := "listening speech finalising listening speech finalising listening idle"
	if got := stateNames(rec.states); got != want {
		t.Errorf("states %q, want %q", got, want)
	}
	if got := c.Utterances(); len(got) != 2 || got[0].Text != "hello" || got[1].N != 2 || got[1].Start <= got[0].End {
		t.Errorf("utterances %+v", got)
	}
	if rec.levels == 0 {
		t.Error("no level updates")
	}
	if c.State() != Idle {
		t.Errorf("state %v after Stop", c.State())
	}
}

func TestSingleUtteranceStopsByItself(t *testing.T) {
	rec := newRecorder()
	c := newController(newMic(vadtest.Concat(speech(), speech()), nil), Config{}, rec)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "idle", func() bool { return len(rec.states) > 0 && rec.states[len(rec.states)-1] == Idle })
	c.Wait()
	if got := stateNames(rec.states); got != "listening speech finalising idle" {
		t.Errorf("states %q", got)
	}
	if !slices.Equal(rec.finals, []string{"hello"}) {
		t.Errorf("finals %q, want one", rec.finals)
	}
}

func TestStopMidUtteranceFinalises(t *testing.T) {
	rec := newRecorder()
	// Speech that has not ended when the microphone runs dry (then blocks).
	x := vadtest.Concat(vadtest.White(1, 1e-4, 1), vadtest.Tone(0.6, 800, 0.3))
	c := newController(newMic(x, nil), Config{Continuous: true}, rec)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "speech", func() bool { return slices.Contains(rec.states, Speech) })
	c.Stop()
	c.Wait()
	if got := stateNames(rec.states); got != "listening speech finalising idle" {
		t.Errorf("states %q", got)
	}
	if !slices.Equal(rec.finals, []string{"hello"}) {
		t.Errorf("finals %q: the utterance in progress must be kept", rec.finals)
	}
}

func TestDeviceLostKeepsTranscript(t *testing.T) {
	rec := newRecorder()
	lost := errors.New("input device lost")
	x := vadtest.Concat(speech(), vadtest.White(1, 1e-4, 1), vadtest.Tone(0.6, 900, 0.3))
	c := newController(newMic(x, lost), Config{Continuous: true}, rec)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.errs) != 1 || !errors.Is(rec.errs[0], lost) {
		t.Errorf("errors %v, want the device loss", rec.errs)
	}
	if len(rec.finals) != 2 {
		t.Errorf("finals %q: the one before and the one cut by the loss", rec.finals)
	}
	if c.State() != Idle || !errors.Is(c.Err(), lost) {
		t.Errorf("state %v, Err %v", c.State(), c.Err())
	}
}

func TestNoDevice(t *testing.T) {
	rec := newRecorder()
	noDev := errors.New("no audio input device found")
	c := New(func() (audio.Source, error) { return nil, noDev },
		func() (*stream.Streamer, error) {
			return stream.New(loudDecoder{}, vad.NewEnergy(vad.EnergyConfig{}), stream.Config{}), nil
		}, Config{}, rec.update)
	if err := c.Start(); !errors.Is(err, noDev) {
		t.Fatalf("Start: %v", err)
	}
	if c.State() != Idle || len(rec.errs) != 1 || len(rec.states) != 0 {
		t.Errorf("state %v, errors %v, states %v", c.State(), rec.errs, rec.states)
	}
	// It can be retried.
	if err := c.Start(); !errors.Is(err, noDev) {
		t.Errorf("second Start: %v", err)
	}
}

func TestNoiseGivesNothing(t *testing.T) {
	rec := newRecorder()
	x := vadtest.Concat(vadtest.Typing(3, 0.4, 1), vadtest.Pink(3, 0.05, 2), vadtest.Hum(2, 50, 0.05))
	m := newMic(x, io.EOF)
	c := newController(m, Config{Continuous: true}, rec)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	if got := stateNames(rec.states); got != "listening idle" {
		t.Errorf("states %q", got)
	}
	if len(rec.finals)+len(rec.partial)+len(rec.errs) > 0 {
		t.Errorf("finals %q partials %q errors %v", rec.finals, rec.partial, rec.errs)
	}
}

func TestDeliver(t *testing.T) {
	rec := newRecorder()
	var got []string
	var mu sync.Mutex
	deliver := func(u Utterance) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if u.Open {
			return "typed", nil // the text so far; the test looks at whole utterances
		}
		got = append(got, u.Text)
		if len(got) == 2 {
			return "", errors.New("xdotool not installed")
		}
		return "typed", nil
	}
	c := newController(newMic(vadtest.Concat(speech(), speech()), io.EOF), Config{Continuous: true, Deliver: deliver}, rec)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(got, []string{"hello", "hello"}) {
		t.Errorf("delivered %q", got)
	}
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0].Error(), "xdotool") {
		t.Errorf("errors %v", rec.errs)
	}
}

func TestFormat(t *testing.T) {
	rec := newRecorder()
	format := func(raw string, final bool) string {
		if final {
			return strings.ToUpper(raw) + "."
		}
		return "~" + raw
	}
	// In one piece: Format is asked for the final text once (pieces are formatted as
	// unfinished text, see TestPiecesMakeOneUtterance).
	c := newControllerWith(newMic(speech(), io.EOF), classic, Config{Continuous: true, Format: format}, rec)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	u := c.Utterances()
	if len(u) != 1 || u[0].Text != "HELLO." || u[0].Raw != "hello" {
		t.Errorf("utterances %+v", u)
	}
	if !slices.Contains(rec.partial, "~hello") {
		t.Errorf("partials %q", rec.partial)
	}
}

func TestToggleAndCancel(t *testing.T) {
	rec := newRecorder()
	// The microphone delivers a second of quiet and the start of a word, then waits.
	// (A steady tone passes for silence with the energy detector after a while, which would
	// send it as a provisional piece before the Cancel; TestPiecesThenCancel covers that.)
	m := newMic(vadtest.Concat(vadtest.White(1, 1e-4, 1), vadtest.Tone(0.5, 800, 0.3)), nil)
	c := newControllerWith(m, classic, Config{Continuous: true}, rec)
	if err := c.Toggle(); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil { // already started: nothing happens
		t.Fatal(err)
	}
	rec.waitFor(t, "speech", func() bool { return slices.Contains(rec.states, Speech) })
	<-m.idle // everything so far has been read
	c.Cancel()
	m.push(vadtest.White(1.2, 1e-4, 2))
	rec.waitFor(t, "listening again", func() bool { return rec.states[len(rec.states)-1] == Listening && len(rec.states) > 2 })
	if err := c.Toggle(); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	if len(rec.finals) != 0 {
		t.Errorf("finals %q after Cancel", rec.finals)
	}
	if c.State() != Idle {
		t.Errorf("state %v", c.State())
	}
}
