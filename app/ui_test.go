package app

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hark/asr"
	"hark/asr/stream"
	"hark/asr/vad"
	"hark/asr/vad/vadtest"
	"hark/audio"
	"hark/dictation"
	"hark/dictation/history"
)

// toneDecoder "recognizes" a word per loud stretch: "low" below 1 kHz, "high" above, timed.
type toneDecoder struct{}

func (toneDecoder) Recognize(ctx context.Context, x []float32) (asr.Result, error) {
	var words []string
	var timed []asr.Word
	const win = 320
	loud := false
	for i := 0; i+win <= len(x); i += win {
		l := audio.RMS(x[i:i+win]) > 0.02
		if l && !loud {
			zc := 0
			for j := i + 1; j < i+win; j++ {
				if (x[j-1] < 0) != (x[j] < 0) {
					zc++
				}
			}
			w := "high"
			if zc*25 < 1000 { // crossings per 20 ms ×50 /2 = Hz
				w = "low"
			}
			words = append(words, w)
			timed = append(timed, asr.Word{Word: w, Start: float64(i) / 16000, Confidence: 1})
		}
		if l {
			timed[len(timed)-1].End = float64(i+win) / 16000
		}
		loud = l
	}
	return asr.Result{Text: strings.Join(words, " "), Words: timed, Duration: float64(len(x)) / 16000}, nil
}

// finished reports whether the transcript holds n utterances and the last one is over (an
// utterance that comes in pieces is in the list from its first piece on).
func finished(u *UI, n int) bool {
	return len(u.utts) == n && (n == 0 || !u.utts[n-1].Open)
}

type fakeEngine struct {
	closed bool
	sc     stream.Config // the endpointing of the settings it was loaded with
}

func (e *fakeEngine) NewStreamer() (*stream.Streamer, error) {
	return stream.New(toneDecoder{}, vad.NewEnergy(vad.EnergyConfig{}), e.sc), nil
}
func (e *fakeEngine) Decoder() stream.Decoder { return toneDecoder{} }
func (e *fakeEngine) ModelName() string       { return "fake" }
func (e *fakeEngine) VADName() string         { return "energy" }
func (e *fakeEngine) Close() error            { e.closed = true; return nil }

// fakeMic plays chunks, then blocks until closed (or ends with err when set).
type fakeMic struct {
	feed   chan []float32
	cur    []float32
	end    error
	closed chan struct{}
	once   sync.Once
}

func newFakeMic(end error, chunks ...[]float32) *fakeMic {
	m := &fakeMic{feed: make(chan []float32, 16), end: end, closed: make(chan struct{})}
	for _, c := range chunks {
		m.feed <- c
	}
	return m
}

func (m *fakeMic) SampleRate() int { return 16000 }
func (m *fakeMic) Read(p []float32) (int, error) {
	for len(m.cur) == 0 {
		if len(m.feed) == 0 && m.end != nil {
			return 0, m.end
		}
		select {
		case m.cur = <-m.feed:
		case <-m.closed:
			return 0, io.EOF
		}
	}
	n := copy(p, m.cur)
	m.cur = m.cur[n:]
	return n, nil
}
func (m *fakeMic) Close() error { m.once.Do(func() { close(m.closed) }); return nil }

func phrase(freqs ...float64) []float32 {
	parts := [][]float32{vadtest.White(0.8, 1e-4, 1)}
	for _, f := range freqs {
		parts = append(parts, vadtest.Tone(0.3, f, 0.3), vadtest.White(0.15, 1e-4, 2))
	}
	parts = append(parts, vadtest.White(1.2, 1e-4, 3))
	return vadtest.Concat(parts...)
}

// harness runs the UI with the test goroutine as its UI goroutine: functions sent to do
// run only inside pump.
type harness struct {
	t     *testing.T
	u     *UI
	queue chan func()
	mics  chan audio.Source
	eng   *fakeEngine
	hist  string // utterance history directory
}

func newHarness(t *testing.T, loadErr error) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	w := a.NewWindow("Hark")
	h := &harness{t: t, queue: make(chan func(), 100000), mics: make(chan audio.Source, 4), eng: &fakeEngine{}, hist: t.TempDir()}
	deps := Deps{
		LoadEngine: func(s Settings) (Engine, error) {
			if loadErr != nil {
				return nil, loadErr
			}
			h.eng.sc = streamConfig(s)
			return h.eng, nil
		},
		OpenInput: func(Settings) (audio.Source, error) {
			select {
			case m := <-h.mics:
				return m, nil
			default:
				return nil, errors.New("no audio input device found")
			}
		},
		Devices: func() ([]string, error) { return []string{"Mic A", "USB Mic B"}, nil },
		History: func(Settings) (*history.Store, error) { return history.Open(h.hist, -1) },
	}
	h.u = newUI(a, w, deps, func(f func()) { h.queue <- f })
	w.Resize(fyne.NewSize(800, 500))
	t.Cleanup(func() {
		h.u.ctl.Stop()
		done := make(chan struct{})
		go func() { h.u.ctl.Wait(); close(done) }()
		for {
			select {
			case f := <-h.queue:
				f()
			case <-done:
				return
			}
		}
	})
	return h
}

// pump runs queued UI functions until cond holds.
func (h *harness) pump(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case f := <-h.queue:
			f()
		case <-deadline:
			h.t.Fatalf("timed out waiting for %s (state %v, status %q)", what, h.u.ctl.State(), h.u.status.Text)
		}
	}
}

func (h *harness) loaded() {
	h.t.Helper()
	h.u.start()
	h.pump("the model", func() bool { return strings.Contains(h.u.status.Text, "Model fake") })
}

func TestWindowDictates(t *testing.T) {
	h := newHarness(t, nil)
	u := h.u
	h.loaded()
	if u.record.Text != "Record" {
		t.Fatalf("button %q before recording", u.record.Text)
	}
	h.mics <- newFakeMic(io.EOF, phrase(600, 2000), phrase(2500))
	test.Tap(u.record)
	h.pump("recording", func() bool { return u.record.Text == "Stop" })
	sawPartial := false
	h.pump("two finals", func() bool {
		if u.partialText() != "" {
			sawPartial = true
			seg := u.partial.Segments[0].(*widget.TextSegment)
			if !seg.Style.TextStyle.Italic || seg.Style.ColorName != theme.ColorNamePlaceHolder {
				t.Errorf("partial shown as %+v, want grey italics", seg.Style)
			}
		}
		return len(u.utts) == 2
	})
	h.pump("idle", func() bool { return u.ctl.State() == dictation.Idle && u.record.Text == "Record" })
	if !sawPartial {
		t.Error("no partial was shown")
	}
	if got, want := u.transcript.Text, "Low high.\nHigh."; got != want {
		t.Errorf("transcript %q, want %q", got, want)
	}
	if u.history.Length() != 2 {
		t.Errorf("history has %d rows", u.history.Length())
	}
	if !strings.Contains(u.status.Text, "latency") || !strings.Contains(u.status.Text, "RTF") {
		t.Errorf("status %q lacks latency and RTF", u.status.Text)
	}
	if u.partialText() != "" {
		t.Errorf("partial %q left after the end", u.partialText())
	}

	// The transcript is editable, and Copy, Save and Clear act on the edited text.
	test.Type(u.transcript, " (edited)")
	u.copyAll()
	if got := u.app.Clipboard().Content(); !strings.HasSuffix(got, "(edited)") {
		t.Errorf("clipboard %q", got)
	}
	path := filepath.Join(t.TempDir(), "t.txt")
	u.saveTo = func() (string, error) { return path, nil }
	u.save()
	b, err := os.ReadFile(path)
	if err != nil || !strings.HasSuffix(string(b), "(edited)\n") {
		t.Errorf("saved %q, %v", b, err)
	}
	u.clear()
	if u.transcript.Text != "" || u.history.Length() != 0 || len(u.ctl.Utterances()) != 0 {
		t.Error("Clear left text or history")
	}
}

func TestShortcutStopsAndFinalises(t *testing.T) {
	h := newHarness(t, nil)
	u := h.u
	h.loaded()
	// Speech still going on when the user presses Ctrl+R again.
	h.mics <- newFakeMic(nil, vadtest.Concat(vadtest.White(0.8, 1e-4, 1), vadtest.Tone(0.6, 600, 0.3)))
	u.win.Canvas().(fyne.Shortcutable).TypedShortcut(recordShortcut)
	h.pump("speech", func() bool { return u.stateLabel.Text == "Hearing speech…" })
	u.win.Canvas().(fyne.Shortcutable).TypedShortcut(recordShortcut)
	h.pump("idle", func() bool { return u.ctl.State() == dictation.Idle && u.record.Text == "Record" })
	if u.transcript.Text != "Low." {
		t.Errorf("transcript %q: the utterance in progress must be kept", u.transcript.Text)
	}
}

func TestErrorsAreShownNotFatal(t *testing.T) {
	h := newHarness(t, nil)
	u := h.u
	h.loaded()
	// No microphone: an error dialog, still idle, and the button works again.
	test.Tap(u.record)
	h.pump("error", func() bool { return len(u.win.Canvas().Overlays().List()) > 0 && !u.record.Disabled() })
	if n := len(u.win.Canvas().Overlays().List()); u.ctl.State() != dictation.Idle || n != 1 {
		t.Errorf("state %v, %d dialogs", u.ctl.State(), n)
	}
	if !strings.Contains(u.status.Text, "no audio input device") {
		t.Errorf("status %q", u.status.Text)
	}
	// The device disappears mid-utterance: the words so far are kept.
	u.win.Canvas().Overlays().Top().Hide()
	h.mics <- newFakeMic(errors.New("input device lost"), phrase(600))
	test.Tap(u.record)
	h.pump("idle again", func() bool { return u.record.Text == "Record" && len(u.utts) == 1 })
	h.pump("the error", func() bool { return strings.Contains(u.status.Text, "input device lost") })
	if u.transcript.Text != "Low." {
		t.Errorf("status %q, transcript %q", u.status.Text, u.transcript.Text)
	}
}

func TestModelLoadFailure(t *testing.T) {
	h := newHarness(t, errors.New("model.onnx: not a valid ONNX model"))
	u := h.u
	u.start()
	h.pump("the error", func() bool { return strings.Contains(u.status.Text, "No model loaded") })
	h.mics <- newFakeMic(io.EOF, phrase(600))
	test.Tap(u.record)
	h.pump("refusal", func() bool { return strings.Contains(u.status.Text, "no model is loaded") })
	if u.ctl.State() != dictation.Idle {
		t.Errorf("state %v", u.ctl.State())
	}
}

func TestSettingsPersist(t *testing.T) {
	h := newHarness(t, nil)
	u := h.u
	h.loaded()
	f, items := u.newSettingsForm(u.settings)
	if len(items) < 5 {
		t.Fatalf("%d settings", len(items))
	}
	if got := f.device.Options; len(got) != 3 || got[2] != "USB Mic B" {
		t.Errorf("device options %q", got)
	}
	f.device.SetSelected("USB Mic B")
	f.beam.SetSelectedIndex(0)
	f.copyClip.SetChecked(true)
	f.continuous.SetChecked(false)
	u.applySettings(f.settings())
	h.pump("reload", func() bool { return strings.Contains(u.status.Text, "Model fake") && !u.loading })
	got := LoadSettings(u.app.Preferences())
	if got.Device != "USB Mic B" || got.Beam != 1 || !got.Copy || got.Continuous {
		t.Errorf("saved settings %+v", got)
	}
	// A fresh form shows what was saved.
	f2, _ := u.newSettingsForm(got)
	if f2.device.Selected != "USB Mic B" || f2.beam.SelectedIndex() != 0 || !f2.copyClip.Checked {
		t.Error("the form does not show the saved settings")
	}
	// Copy-to-clipboard delivers each final.
	h.mics <- newFakeMic(io.EOF, phrase(2500))
	test.Tap(u.record)
	h.pump("final", func() bool { return len(u.utts) == 1 && u.ctl.State() == dictation.Idle })
	h.pump("clipboard", func() bool { return u.app.Clipboard().Content() == "High." })
}

func TestLevelFraction(t *testing.T) {
	for db, want := range map[float64]float64{-120: 0, -60: 0, -30: 0.5, 0: 1, 6: 1} {
		if got := levelFraction(db); got != want {
			t.Errorf("levelFraction(%v) = %v, want %v", db, got, want)
		}
	}
}
