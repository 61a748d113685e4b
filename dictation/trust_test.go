package dictation

import (
	"context"
	"errors"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"hark/asr"
	"hark/asr/stream"
	"hark/asr/text"
	"hark/asr/vad"
	"hark/asr/vad/vadtest"
	"hark/audio"
)

// pitchDecoder "recognises" the pitch of each loud stretch of the audio: each test tone
// stands for a phrase, one timed word.
type pitchDecoder map[int]string

func (d pitchDecoder) Recognize(ctx context.Context, x []float32) (asr.Result, error) {
	var res asr.Result
	res.Duration = float64(len(x)) / 16000
	var texts []string
	first, last := -1, -1
	flush := func() error {
		if first < 0 || last-first < 1600 {
			first, last = -1, -1
			return nil
		}
		cross := 0
		for i := first + 1; i <= last; i++ {
			if (x[i-1] < 0) != (x[i] < 0) {
				cross++
			}
		}
		hz := cross * 16000 / (last - first) / 2
		best, bestD := "", 1e9
		for f, txt := range d {
			if dd := math.Abs(float64(f - hz)); dd < bestD {
				best, bestD = txt, dd
			}
		}
		if best == "FAIL" {
			return errors.New("decoder exploded")
		}
		res.Words = append(res.Words, asr.Word{Word: best, Start: float64(first) / 16000, End: float64(last+1) / 16000, Confidence: 1})
		texts = append(texts, best)
		first, last = -1, -1
		return nil
	}
	for i, v := range x {
		if math.Abs(float64(v)) > 0.05 {
			if first >= 0 && i-last > 2400 { // 150 ms of quiet ends a stretch (a word)
				if err := flush(); err != nil {
					return asr.Result{}, err
				}
			}
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if err := flush(); err != nil {
		return asr.Result{}, err
	}
	res.Text = strings.Join(texts, " ")
	return res, nil
}

func word(hz float64) []float32 {
	return vadtest.Concat(vadtest.White(1, 1e-4, 1), vadtest.Tone(0.6, hz, 0.3), vadtest.White(1.2, 1e-4, 2))
}

// fakeTarget stands in for the application text is typed into: it receives what each
// update appends, and the space after an utterance once it is over.
type fakeTarget struct {
	mu    sync.Mutex
	text  string
	typed map[int]int // characters typed per utterance
	calls []string    // each delivery, "|" marking one that left the utterance open
}

func (f *fakeTarget) deliver(u Utterance) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ins := u.Append
	if !u.Open {
		ins += " "
	}
	f.text += ins
	if f.typed == nil {
		f.typed = map[int]int{}
	}
	f.typed[u.N] += len([]rune(ins))
	if u.Open {
		f.calls = append(f.calls, ins+"|")
	} else {
		f.calls = append(f.calls, ins)
	}
	return "typed into the fake", nil
}

func (f *fakeTarget) retract(u Utterance) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.typed[u.N] // backspaces, as many as were typed
	delete(f.typed, u.N)
	r := []rune(f.text)
	if n > len(r) {
		return errors.New("more backspaces than text")
	}
	f.text = string(r[:len(r)-n])
	return nil
}

// store is an in-memory history.
type store struct {
	mu      sync.Mutex
	audio   map[string][]float32
	records map[string]Utterance
	order   []string
}

func newStore() *store {
	return &store{audio: map[string][]float32{}, records: map[string]Utterance{}}
}

func (s *store) keep(x []float32) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := string(rune('a' + len(s.order)))
	s.audio[id] = x
	s.order = append(s.order, id)
	return id, nil
}

func (s *store) keepMore(id string, x []float32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.audio[id]; !ok {
		return errors.New("no such utterance")
	}
	s.audio[id] = append(s.audio[id], x...)
	return nil
}

func (s *store) record(u Utterance) {
	s.mu.Lock()
	s.records[u.ID] = u
	s.mu.Unlock()
}

func newPitchController(d pitchDecoder, src audio.Source, cfg Config, rec *recorder) *Controller {
	mk := func() (*stream.Streamer, error) {
		return stream.New(d, vad.NewEnergy(vad.EnergyConfig{}), stream.Config{}), nil
	}
	return New(func() (audio.Source, error) { return src, nil }, mk, cfg, rec.update)
}

func TestAudioKeptBeforeDecodingWithPreRollAndPadding(t *testing.T) {
	st := newStore()
	decoded := make(chan int, 256) // how many utterances were kept when each decode began
	d := pitchDecoder{800: "hello"}
	dec := decoderFunc(func(ctx context.Context, x []float32) (asr.Result, error) {
		st.mu.Lock()
		decoded <- len(st.order)
		st.mu.Unlock()
		return d.Recognize(ctx, x)
	})
	mk := func() (*stream.Streamer, error) {
		return stream.New(dec, vad.NewEnergy(vad.EnergyConfig{}), stream.Config{}), nil
	}
	rec := newRecorder()
	// Two syllables (a steady tone longer than that is taken for hum by the energy detector).
	syll := vadtest.Concat(vadtest.White(1, 1e-4, 1), vadtest.Tone(0.2, 800, 0.3), vadtest.White(0.1, 1e-4, 3),
		vadtest.Tone(0.2, 800, 0.3), vadtest.White(1.2, 1e-4, 2))
	c := New(func() (audio.Source, error) { return newMic(syll, io.EOF), nil }, mk,
		Config{Keep: st.keep, KeepMore: st.keepMore, Record: st.record}, rec.update)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	if len(st.order) != 1 {
		t.Fatalf("kept %d utterances", len(st.order))
	}
	// The final decode (the last one) started after the audio was kept.
	last := -1
	for len(decoded) > 0 {
		last = <-decoded
	}
	if last != 1 {
		t.Errorf("final decode began with %d utterances kept, want 1", last)
	}
	x := st.audio["a"]
	first, lastLoud := -1, -1
	for i, v := range x {
		if math.Abs(float64(v)) > 0.05 {
			if first < 0 {
				first = i
			}
			lastLoud = i
		}
	}
	pre, post := float64(first)/16000, float64(len(x)-1-lastLoud)/16000
	if pre < 0.5 || post < 0.25 {
		t.Errorf("pre-roll %.3f s (want ≥ 0.5), end padding %.3f s (want ≥ 0.25); %d samples, loud %d..%d", pre, post, len(x), first, lastLoud)
	}
	t.Logf("pre-roll %.3f s before the first loud sample, end padding %.3f s after the last", pre, post)
	u := st.records["a"]
	if u.Text != "hello" || u.Raw != "hello" || u.Err != nil {
		t.Errorf("record %+v", u)
	}
}

type decoderFunc func(ctx context.Context, x []float32) (asr.Result, error)

func (f decoderFunc) Recognize(ctx context.Context, x []float32) (asr.Result, error) {
	return f(ctx, x)
}

func TestDecodeFailureKeepsAudio(t *testing.T) {
	st := newStore()
	rec := newRecorder()
	c := newPitchController(pitchDecoder{800: "FAIL"}, newMic(word(800), io.EOF), Config{Keep: st.keep, KeepMore: st.keepMore, Record: st.record}, rec)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	u, ok := st.records["a"]
	if !ok || u.Err == nil || len(st.audio["a"]) < 16000 {
		t.Fatalf("record %+v (kept %d samples)", u, len(st.audio["a"]))
	}
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0].Error(), "audio is kept") {
		t.Errorf("errors %v", rec.errs)
	}
}

func TestScratchThatUndoesTheLastUtterance(t *testing.T) {
	st, target, rec := newStore(), &fakeTarget{}, newRecorder()
	d := pitchDecoder{500: "first line", 800: "second line", 1200: "scratch that", 1600: "third"}
	f := &text.Formatter{}
	c := newPitchController(d, newMic(vadtest.Concat(word(500), word(800), word(1200), word(1600)), io.EOF),
		Config{Continuous: true, Deliver: target.deliver, Retract: target.retract, Keep: st.keep, KeepMore: st.keepMore, Record: st.record,
			Format: func(raw string, final bool) string { return f.Format(raw) }}, rec)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	if want := "First line. Third. "; target.text != want {
		t.Errorf("target has %q, want %q", target.text, want)
	}
	var texts []string
	for _, u := range c.Utterances() {
		texts = append(texts, u.Text)
	}
	if !slices.Equal(texts, []string{"First line.", "Third."}) {
		t.Errorf("transcript %q", texts)
	}
	// History: the undone utterance is marked (raw text kept), the command recorded as one.
	if u := st.records["b"]; !u.Undone || u.Raw != "second line" || u.Delivered == "" {
		t.Errorf("undone record %+v", u)
	}
	if u := st.records["c"]; !u.Command {
		t.Errorf("command record %+v", u)
	}
	if len(rec.errs) != 0 {
		t.Errorf("errors %v", rec.errs)
	}
	// The undo key does the same; with nothing left, it says so.
	if u, err := c.Undo(); err != nil || u.Text != "Third." {
		t.Errorf("Undo: %+v %v", u, err)
	}
	if _, err := c.Undo(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Undo(); !errors.Is(err, ErrNothingToUndo) {
		t.Errorf("Undo on empty: %v", err)
	}
	if target.text != "" {
		t.Errorf("target has %q after undoing everything", target.text)
	}
}

func TestSpokenCommandsAndFormattingSettings(t *testing.T) {
	d := pitchDecoder{800: "hello comma world new line literal new line please"}
	for _, tc := range []struct {
		f    text.Formatter
		want string
	}{
		{text.Formatter{}, "Hello, world\nNew line please."},
		{text.Formatter{NoFinalStop: true}, "Hello, world\nNew line please"},
		{text.Formatter{NoCommands: true, NoCasing: true}, "hello comma world new line new line please"},
	} {
		target, rec := &fakeTarget{}, newRecorder()
		c := newPitchController(d, newMic(word(800), io.EOF), Config{Deliver: target.deliver,
			Format: func(raw string, final bool) string { return tc.f.Format(raw) }}, rec)
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		c.Wait()
		if target.text != tc.want+" " {
			t.Errorf("%+v: typed %q, want %q", tc.f, target.text, tc.want+" ")
		}
	}
}

func TestContinuousReArmsSingleStops(t *testing.T) {
	d := pitchDecoder{800: "one", 1200: "two"}
	for _, continuous := range []bool{true, false} {
		rec, target := newRecorder(), &fakeTarget{}
		c := newPitchController(d, newMic(vadtest.Concat(word(800), word(1200)), io.EOF),
			Config{Continuous: continuous, Deliver: target.deliver}, rec)
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		c.Wait()
		want := "one "
		if continuous {
			want = "one two "
		}
		if target.text != want {
			t.Errorf("continuous=%v: typed %q, want %q (states %s)", continuous, target.text, want, stateNames(rec.states))
		}
	}
}

func TestPauseHearsNothing(t *testing.T) {
	rec, target := newRecorder(), &fakeTarget{}
	m := newMic(nil, nil)
	c := newPitchController(pitchDecoder{800: "one", 1200: "two"}, m, Config{Continuous: true, Deliver: target.deliver}, rec)
	c.SetPaused(true)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	m.push(word(800))
	<-m.idle
	rec.waitFor(t, "the paused audio to be read", func() bool { return rec.levels >= 80 })
	c.SetPaused(false)
	if c.Paused() {
		t.Error("still paused")
	}
	m.push(word(1200))
	rec.waitFor(t, "a final", func() bool { return len(rec.finals) == 1 })
	c.Stop()
	c.Wait()
	if target.text != "two " {
		t.Errorf("typed %q, want only what was said after resuming", target.text)
	}
}
