package dictation

import (
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"hark/asr/stream"
	"hark/asr/text"
	"hark/asr/vad/vadtest"
	"hark/audio"
)

// Utterances that come in pieces: the stream sends the text so far at a short pause
// (provisional finals) and the utterance goes on.

// levelVAD hears speech above an RMS level (steady test tones would pass for hum with the
// energy detector after a while).
type levelVAD struct{}

func (levelVAD) Frame(x []float32) float32 {
	if audio.RMS(x) > 0.05 {
		return 1
	}
	return 0
}
func (levelVAD) Reset() {}

func quietS(s float64) []float32 { return vadtest.White(s, 1e-4, uint64(s*1000)) }

func tone(hz float64) []float32 { return vadtest.Tone(0.3, hz, 0.3) }

func newPiecesController(d pitchDecoder, src audio.Source, cfg Config, rec *recorder) *Controller {
	mk := func() (*stream.Streamer, error) {
		return stream.New(d, levelVAD{}, stream.Config{ProvisionalSilence: stream.DefaultProvisionalSilence}), nil
	}
	return New(func() (audio.Source, error) { return src, nil }, mk, cfg, rec.update)
}

func textFormat(f text.Formatter) func(string, bool) string {
	return func(raw string, final bool) string {
		g := f
		g.NoFinalStop = g.NoFinalStop || !final
		return g.Format(raw)
	}
}

var phrases = pitchDecoder{500: "first line", 800: "scratch that", 1200: "is fine", 1600: "third"}

func TestPiecesMakeOneUtterance(t *testing.T) {
	st, target, rec := newStore(), &fakeTarget{}, newRecorder()
	x := vadtest.Concat(quietS(1), tone(500), quietS(0.3), tone(1200), quietS(1.5))
	c := newPiecesController(phrases, newMic(x, io.EOF), Config{Continuous: true, Deliver: target.deliver,
		Retract: target.retract, Keep: st.keep, KeepMore: st.keepMore, Record: st.record,
		Format: textFormat(text.Formatter{})}, rec)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	// Each piece was typed as it came, the full stop and the space at the end.
	if want := []string{"First line|", " is fine|", ". "}; !slices.Equal(target.calls, want) {
		t.Errorf("deliveries %q, want %q", target.calls, want)
	}
	if target.text != "First line is fine. " {
		t.Errorf("target has %q", target.text)
	}
	us := c.Utterances()
	if len(us) != 1 || us[0].Text != "First line is fine." || us[0].Raw != "first line is fine" || us[0].Open {
		t.Fatalf("transcript %+v", us)
	}
	if !slices.Equal(rec.finals, []string{"First line is fine."}) || len(rec.ns) != 1 {
		t.Errorf("finals as shown %q", rec.finals)
	}
	if got := stateNames(rec.states); got != "listening speech finalising listening idle" {
		t.Errorf("states %q", got)
	}
	// The rest of the utterance was shown as a partial in the sentence's context.
	if !slices.Contains(rec.partial, "is fine") {
		t.Errorf("partials %q", rec.partial)
	}
	// History: one entry with the whole utterance's audio, and its whole text.
	if len(st.order) != 1 {
		t.Fatalf("history entries %q", st.order)
	}
	a := st.audio["a"]
	first, last := -1, -1
	for i, v := range a {
		if math.Abs(float64(v)) > 0.05 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if loud := float64(last-first) / 16000; loud < 0.9-0.01 || float64(first)/16000 < 0.5 || float64(len(a)-last)/16000 < 0.25 {
		t.Errorf("kept audio: %d samples, loud from %d to %d: want both words, pre-roll and padding", len(a), first, last)
	}
	if u := st.records["a"]; u.Text != "First line is fine." || u.Raw != "first line is fine" || u.Delivered == "" || u.Open {
		t.Errorf("history record %+v", u)
	}
	if len(rec.errs) != 0 {
		t.Errorf("errors %v", rec.errs)
	}
}

func TestScratchThatAfterAPause(t *testing.T) {
	// "first line" … "scratch that" … "third": the command undoes the utterance so far, and
	// what follows starts a new sentence.
	st, target, rec := newStore(), &fakeTarget{}, newRecorder()
	x := vadtest.Concat(quietS(1), tone(500), quietS(0.3), tone(800), quietS(0.3), tone(1600), quietS(1.5))
	c := newPiecesController(phrases, newMic(x, io.EOF), Config{Continuous: true, Deliver: target.deliver,
		Retract: target.retract, Keep: st.keep, KeepMore: st.keepMore, Record: st.record,
		Format: textFormat(text.Formatter{})}, rec)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	if target.text != "Third. " {
		t.Errorf("target has %q (deliveries %q)", target.text, target.calls)
	}
	var texts []string
	for _, u := range c.Utterances() {
		texts = append(texts, u.Text)
	}
	if !slices.Equal(texts, []string{"Third."}) {
		t.Errorf("transcript %q", texts)
	}
	if len(rec.errs) != 0 {
		t.Errorf("errors %v", rec.errs)
	}
}

func TestPiecesThenCancel(t *testing.T) {
	// A piece is typed at the pause; the speaker goes on, then cancels: what was typed
	// stays and is ended as a sentence; the rest is dropped.
	target, rec := &fakeTarget{}, newRecorder()
	m := newMic(vadtest.Concat(quietS(1), tone(500), quietS(0.3)), nil)
	c := newPiecesController(phrases, m, Config{Continuous: true, Deliver: target.deliver,
		Format: textFormat(text.Formatter{})}, rec)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "the first piece", func() bool { return len(rec.finals) == 1 })
	m.push(tone(1200))
	// Cancel once the tone has been heard: every whole frame pushed so far was read.
	frames := (16000*1 + 3*4800) / 512
	rec.waitFor(t, "the tone to be read", func() bool { return rec.levels >= frames })
	c.Cancel()
	m.push(quietS(1.5))
	rec.waitFor(t, "listening again", func() bool { return rec.states[len(rec.states)-1] == Listening })
	c.Stop()
	c.Wait()
	if target.text != "First line. " {
		t.Errorf("target has %q (deliveries %q)", target.text, target.calls)
	}
	if us := c.Utterances(); len(us) != 1 || us[0].Text != "First line." {
		t.Errorf("transcript %+v", us)
	}
}

func TestUndoWhileTheUtteranceGoesOn(t *testing.T) {
	// The undo key after the first piece: it is taken back, and the rest of the utterance
	// starts afresh (capitalised, not after the undone words).
	target, rec := &fakeTarget{}, newRecorder()
	m := newMic(vadtest.Concat(quietS(1), tone(500), quietS(0.3)), nil)
	c := newPiecesController(phrases, m, Config{Continuous: true, Deliver: target.deliver, Retract: target.retract,
		Format: textFormat(text.Formatter{})}, rec)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "the first piece", func() bool { return len(rec.finals) == 1 })
	if u, err := c.Undo(); err != nil || u.Text != "First line" || !u.Open {
		t.Fatalf("Undo: %+v, %v", u, err)
	}
	m.push(vadtest.Concat(tone(1200), quietS(1.5)))
	rec.waitFor(t, "the utterance's end", func() bool {
		return len(rec.states) > 0 && rec.states[len(rec.states)-1] == Listening && len(rec.finals) == 2
	})
	c.Stop()
	c.Wait()
	if target.text != "Is fine. " {
		t.Errorf("target has %q (deliveries %q)", target.text, target.calls)
	}
	if us := c.Utterances(); len(us) != 1 || us[0].Text != "Is fine." {
		t.Errorf("transcript %+v", us)
	}
	if !strings.HasPrefix(strings.Join(target.calls, ""), "First line") {
		t.Errorf("deliveries %q", target.calls)
	}
}

func TestUndoneUtteranceStaysUndone(t *testing.T) {
	// Undone after its first piece, and nothing more said: its history entry stays undone.
	st, target, rec := newStore(), &fakeTarget{}, newRecorder()
	m := newMic(vadtest.Concat(quietS(1), tone(500), quietS(0.3)), nil)
	c := newPiecesController(phrases, m, Config{Continuous: true, Deliver: target.deliver, Retract: target.retract,
		Keep: st.keep, KeepMore: st.keepMore, Record: st.record, Format: textFormat(text.Formatter{})}, rec)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "the first piece", func() bool { return len(rec.finals) == 1 })
	if _, err := c.Undo(); err != nil {
		t.Fatal(err)
	}
	m.push(quietS(1.5))
	rec.waitFor(t, "the utterance's end", func() bool { return rec.states[len(rec.states)-1] == Listening })
	c.Stop()
	c.Wait()
	st.mu.Lock()
	defer st.mu.Unlock()
	if u := st.records["a"]; !u.Undone || u.Raw != "first line" || target.text != "" {
		t.Errorf("record %+v, target %q", u, target.text)
	}
}
