package stream

import (
	"context"
	"errors"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"hark/asr/vad"
	"hark/asr/vad/vadtest"
	"hark/audio"
)

func quiet(s float64) []float32 { return vadtest.White(s, 1e-4, uint64(s*1000)) }

// word is a "spoken word" the fake decoder recognizes: 0.3 s of a tone at freq Hz.
func word(freq float64) []float32 { return vadtest.Tone(0.3, freq, 0.3) }

// phrase is words separated by short (0.15 s) pauses.
func phrase(freqs ...float64) []float32 {
	var parts [][]float32
	for i, f := range freqs {
		if i > 0 {
			parts = append(parts, quiet(0.15))
		}
		parts = append(parts, word(f))
	}
	return vadtest.Concat(parts...)
}

// collect runs a Streamer over x and returns every event except Level.
func collect(t *testing.T, s *Streamer, src audio.Source) ([]Event, error) {
	t.Helper()
	var evs []Event
	err := s.Run(context.Background(), src, func(e Event) {
		if e.Kind != Level {
			evs = append(evs, e)
		}
	})
	return evs, err
}

func newStreamer(dec Decoder, cfg Config) *Streamer {
	return New(dec, vad.NewEnergy(vad.EnergyConfig{}), cfg)
}

func kinds(evs []Event) string {
	var s []string
	for _, e := range evs {
		s = append(s, e.Kind.String())
	}
	return strings.Join(s, " ")
}

// sentences joins each utterance's Finals (its provisional pieces and its last one) into its
// text, one per utterance, and checks that every utterance ends with exactly one
// non-provisional Final (or Dropped) after its pieces.
func sentences(t *testing.T, evs []Event) []string {
	t.Helper()
	var out []string
	var cur []string
	open := 0 // utterance with provisional pieces so far
	for _, e := range evs {
		switch {
		case e.Kind == Final && e.Provisional:
			if open != 0 && open != e.Utterance {
				t.Errorf("utterance %d: provisional final while %d is still open", e.Utterance, open)
			}
			open = e.Utterance
			if e.Text == "" {
				t.Errorf("utterance %d: empty provisional final", e.Utterance)
			}
			cur = append(cur, e.Text)
		case e.Kind == Final || e.Kind == Dropped:
			if open != 0 && open != e.Utterance {
				t.Errorf("utterance %d ended while %d is still open", e.Utterance, open)
			}
			if e.Text != "" {
				cur = append(cur, e.Text)
			}
			if len(cur) > 0 {
				out = append(out, strings.Join(cur, " "))
			}
			cur, open = nil, 0
		}
	}
	if open != 0 {
		t.Errorf("utterance %d never ended", open)
	}
	return out
}

// classic turns provisional finals off: each utterance then has one End and one Final.
var classic = Config{ProvisionalSilence: -1}

// early turns provisional finals on (they are off by default).
var early = Config{ProvisionalSilence: DefaultProvisionalSilence}

func TestNoiseEmitsNothing(t *testing.T) {
	cases := map[string][]float32{
		"silence":              vadtest.Silence(6),
		"quiet room":           quiet(6),
		"white noise":          vadtest.White(6, 0.05, 1),
		"white noise onset":    vadtest.Concat(quiet(1), vadtest.White(5, 0.1, 2)),
		"pink noise":           vadtest.Pink(6, 0.05, 3),
		"pink noise onset":     vadtest.Concat(quiet(1), vadtest.Pink(5, 0.1, 4)),
		"keyboard typing":      vadtest.Typing(8, 0.5, 5),
		"typing over a fan":    vadtest.Mix(vadtest.Typing(8, 0.3, 6), vadtest.Pink(8, 0.01, 7)),
		"50 Hz hum":            vadtest.Hum(6, 50, 0.1),
		"60 Hz hum":            vadtest.Hum(6, 60, 0.1),
		"breathing":            vadtest.Concat(quiet(0.5), vadtest.Breathing(8, 0.03, 8)),
		"breathing near a fan": vadtest.Mix(vadtest.Breathing(8, 0.03, 9), vadtest.Pink(8, 0.005, 10)),
	}
	for name, x := range cases {
		dec := &toneDecoder{}
		evs, err := collect(t, newStreamer(dec, Config{}), audio.NewSliceSource(x, SampleRate))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(evs) > 0 || dec.Calls() > 0 {
			t.Errorf("%s: want no events and no decoding, got %q (%d decodes)", name, kinds(evs), dec.Calls())
		}
	}
}

func TestSpeechGivesPartialsThenOneFinal(t *testing.T) {
	sp := phrase(700, 1300, 2100, 900, 1700) // 2.1 s of "speech"
	x := vadtest.Concat(quiet(1), sp, quiet(1.5))
	dec := &toneDecoder{}
	evs, err := collect(t, newStreamer(dec, classic), audio.NewSliceSource(x, SampleRate))
	if err != nil {
		t.Fatal(err)
	}
	// The growing utterance is re-decoded at least every 0.5 s of audio.
	lens := dec.Lens()
	for i := 1; i < len(lens)-1; i++ {
		if d := lens[i] - lens[i-1]; d > SampleRate/2 {
			t.Errorf("decodes %d and %d are %.3f s of audio apart, want ≤ 0.5 s", i-1, i, float64(d)/SampleRate)
		}
	}
	if evs[0].Kind != Start || evs[len(evs)-2].Kind != End || evs[len(evs)-1].Kind != Final {
		t.Fatalf("events %q: want start, partials, end, final", kinds(evs))
	}
	var partials []Event
	for _, e := range evs[1 : len(evs)-2] {
		if e.Kind != Partial {
			t.Fatalf("events %q: only partials between start and end", kinds(evs))
		}
		partials = append(partials, e)
	}
	// A partial is decoded every 0.5 s of audio and sent when its text changed: here each
	// new word changes it.
	if len(partials) < 3 {
		t.Errorf("%d partials, want at least 3: %q", len(partials), kinds(evs))
	}
	for i := 1; i < len(partials); i++ {
		if !strings.HasPrefix(partials[i].Text, partials[i-1].Text) {
			t.Errorf("partial %q does not extend %q", partials[i].Text, partials[i-1].Text)
		}
	}
	if first := partials[0].End - 1.0; first > 0.3+1e-9 {
		t.Errorf("first partial after %.2f s of speech, want ≤ 0.3 s", first)
	}
	f := evs[len(evs)-1]
	if want := toneWords(sp).Text; f.Text != want {
		t.Errorf("final %q, want %q", f.Text, want)
	}
	if f.Text != "t7 t13 t21 t9 t17" {
		t.Errorf("final %q", f.Text)
	}
	// Times: speech from 1.0 s to 3.1 s, to within a VAD frame.
	if math.Abs(f.Start-1.0) > 0.07 || math.Abs(f.End-(1.0+float64(len(sp))/SampleRate)) > 0.07 {
		t.Errorf("final spans %.3f–%.3f s, want about 1.0–%.3f", f.Start, f.End, 1.0+float64(len(sp))/SampleRate)
	}
	if len(f.Words) != 5 || math.Abs(f.Words[0].Start-1.0) > 0.03 {
		t.Errorf("words %+v: want 5, the first at 1.0 s", f.Words)
	}
}

func TestPreRollAndEndPadding(t *testing.T) {
	// A soft onset: the first 0.2 s of the word is too quiet for the VAD, but it must be in
	// the utterance's audio all the same.
	soft := vadtest.Tone(0.2, 1000, 0.003)
	sp := vadtest.Concat(soft, phrase(1000, 1500))
	x := vadtest.Concat(quiet(1), sp, quiet(2))
	for _, cfg := range []Config{classic, early} {
		evs, err := collect(t, newStreamer(&toneDecoder{}, cfg), audio.NewSliceSource(x, SampleRate))
		if err != nil {
			t.Fatal(err)
		}
		// The utterance's audio: its pieces' End events, in order.
		var ends []Event
		for _, e := range evs {
			if e.Kind == End {
				ends = append(ends, e)
			}
		}
		if len(ends) == 0 {
			t.Fatalf("no end event: %q", kinds(evs))
		}
		first, last := ends[0], ends[len(ends)-1]
		var all []float32
		for _, e := range ends {
			all = append(all, e.Audio...)
		}
		if pre := first.Start - first.AudioStart; pre < 0.5-1e-9 {
			t.Errorf("provisional %v: pre-roll %.3f s, want ≥ 0.5 s", cfg.Provisional(), pre)
		}
		if first.AudioStart > 1.0-0.3 {
			t.Errorf("provisional %v: utterance audio starts at %.3f s, after the soft onset at 1.0 s", cfg.Provisional(), first.AudioStart)
		}
		audioEnd := first.AudioStart + float64(len(all))/SampleRate
		if pad := audioEnd - last.End; pad < 0.3-1e-9 || pad > 0.3+0.04 {
			t.Errorf("provisional %v: end padding %.3f s, want 0.3 s", cfg.Provisional(), pad)
		}
		// The audio is the stream's own samples.
		off := int(math.Round(first.AudioStart * SampleRate))
		if !slices.Equal(all, x[off:off+len(all)]) {
			t.Errorf("provisional %v: End audio is not the input's samples at AudioStart", cfg.Provisional())
		}
	}
}

func TestTrailingSilenceSetting(t *testing.T) {
	x := vadtest.Concat(quiet(1), phrase(800, 1200), quiet(0.5), phrase(1600), quiet(1.5))
	for _, tc := range []struct {
		silence time.Duration
		want    []string
	}{
		{0, []string{"t8 t12 t16"}},
		{300 * time.Millisecond, []string{"t8 t12", "t16"}},
	} {
		evs, err := collect(t, newStreamer(&toneDecoder{}, Config{TrailingSilence: tc.silence}), audio.NewSliceSource(x, SampleRate))
		if err != nil {
			t.Fatal(err)
		}
		if got := sentences(t, evs); !slices.Equal(got, tc.want) {
			t.Errorf("trailing silence %v: finals %q, want %q", tc.silence, got, tc.want)
		}
	}
}

func TestEndpointTiming(t *testing.T) {
	// The final comes after TrailingSilence of silence: measure in stream time where the End
	// event is sent (the Level event just before it).
	x := vadtest.Concat(quiet(1), phrase(900), quiet(2))
	var lastLevel float64
	var endAt float64
	s := newStreamer(&toneDecoder{}, Config{})
	err := s.Run(context.Background(), audio.NewSliceSource(x, SampleRate), func(e Event) {
		switch e.Kind {
		case Level:
			lastLevel = e.Start + vad.FrameSeconds
		case End:
			if !e.Provisional {
				endAt = lastLevel - e.End
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if endAt < 0.8-1e-9 || endAt > 0.8+vad.FrameSeconds+1e-9 {
		t.Errorf("endpoint %.3f s after the end of speech, want 0.8 s (within a frame)", endAt)
	}
}

func TestMaxUtteranceLosesNothing(t *testing.T) {
	// 7 s of speech without a pause longer than 0.15 s, cut at most every 2 s.
	var fs []float64
	for i := 0; i < 16; i++ {
		fs = append(fs, float64(600+100*(i%10)))
	}
	sp := phrase(fs...)
	x := vadtest.Concat(quiet(1), sp, quiet(1.5))
	var ends []Event
	var texts []string
	s := newStreamer(&toneDecoder{}, Config{MaxUtterance: 2 * time.Second})
	err := s.Run(context.Background(), audio.NewSliceSource(x, SampleRate), func(e Event) {
		switch e.Kind {
		case End:
			ends = append(ends, e)
		case Final:
			if e.Text != "" {
				texts = append(texts, e.Text)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ends) < 4 {
		t.Fatalf("%d pieces, want ≥ 4 for 7 s cut every 2 s", len(ends))
	}
	for i, e := range ends {
		if d := float64(len(e.Audio)) / SampleRate; d > 2.0+1e-9 {
			t.Errorf("piece %d is %.2f s long, over MaxUtterance", i, d)
		}
		if i > 0 {
			prev := ends[i-1]
			if gap := e.AudioStart - (prev.AudioStart + float64(len(prev.Audio))/SampleRate); math.Abs(gap) > 1e-9 {
				t.Errorf("pieces %d and %d: gap of %.4f s between their audio", i-1, i, gap)
			}
			if !prev.Forced && !prev.Provisional {
				t.Errorf("piece %d ended neither provisionally nor forced", i-1)
			}
		}
	}
	// Cuts fall in pauses, so every word survives whole.
	if got, want := strings.Join(texts, " "), toneWords(sp).Text; got != want {
		t.Errorf("finals %q, want %q", got, want)
	}
}

func TestEndOfInputFlushes(t *testing.T) {
	x := vadtest.Concat(quiet(1), phrase(700, 1100)) // input ends mid-utterance
	evs, err := collect(t, newStreamer(&toneDecoder{}, Config{}), audio.NewSliceSource(x, SampleRate))
	if err != nil {
		t.Fatal(err)
	}
	if got := sentences(t, evs); !slices.Equal(got, []string{"t7 t11"}) {
		t.Errorf("finals %q (%q)", got, kinds(evs))
	}
	for _, e := range evs {
		if e.Kind == End && !e.Forced && !e.Provisional {
			t.Error("end of input not marked forced")
		}
	}
}

// liveSource yields x frame by frame and then blocks like a microphone until cancelled or
// closed.
type liveSource struct {
	x      []float32
	pos    int
	closed chan struct{}
	atEnd  chan struct{}
	buffer int // what Buffered reports
}

func newLive(x []float32) *liveSource {
	return &liveSource{x: x, closed: make(chan struct{}), atEnd: make(chan struct{})}
}

func (l *liveSource) SampleRate() int { return SampleRate }
func (l *liveSource) Buffered() int   { return l.buffer }
func (l *liveSource) Read(p []float32) (int, error) {
	if l.pos < len(l.x) {
		n := copy(p, l.x[l.pos:])
		l.pos += n
		return n, nil
	}
	close(l.atEnd)
	<-l.closed
	return 0, io.EOF
}

func TestCancelFlushesUtterance(t *testing.T) {
	src := newLive(vadtest.Concat(quiet(1), phrase(700, 1100)))
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-src.atEnd
		cancel()
		close(src.closed) // the caller closes a live source to unblock Read
	}()
	var evs []Event
	err := newStreamer(&toneDecoder{}, Config{}).Run(ctx, src, func(e Event) {
		if e.Kind != Level {
			evs = append(evs, e)
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
	if got := sentences(t, evs); !slices.Equal(got, []string{"t7 t11"}) {
		t.Errorf("finals %q, want the utterance in progress", got)
	}
}

func TestDecodeErrorKeepsAudio(t *testing.T) {
	x := vadtest.Concat(quiet(1), phrase(700), quiet(1.5))
	evs, err := collect(t, newStreamer(&toneDecoder{err: errBroken}, Config{}), audio.NewSliceSource(x, SampleRate))
	if err != nil {
		t.Fatal(err)
	}
	if kinds(evs) != "start end final" {
		t.Fatalf("events %q", kinds(evs))
	}
	if len(evs[1].Audio) == 0 || !errors.Is(evs[2].Err, errBroken) {
		t.Errorf("end audio %d samples, final error %v", len(evs[1].Audio), evs[2].Err)
	}
}

func TestLaggingSourceSkipsPartials(t *testing.T) {
	src := newLive(vadtest.Concat(quiet(1), phrase(700, 900, 1100, 1300), quiet(1.5)))
	src.buffer = SampleRate // always a second behind
	close(src.closed)
	evs, err := collect(t, newStreamer(&toneDecoder{}, Config{}), src)
	if err != nil {
		t.Fatal(err)
	}
	if kinds(evs) != "start end final" {
		t.Errorf("events %q, want no partials while behind", kinds(evs))
	}
}

func TestEndUtteranceAndDiscard(t *testing.T) {
	x := vadtest.Concat(quiet(1), phrase(700, 900, 1100, 1300, 1500), quiet(1.5))
	for _, tc := range []struct {
		name string
		act  func(*Streamer)
		want string
	}{
		{"end", (*Streamer).EndUtterance, "start end final start end final"},
		{"discard", (*Streamer).Discard, "start dropped start end final"},
	} {
		s := newStreamer(&toneDecoder{}, Config{PartialInterval: -1, ProvisionalSilence: -1})
		var evs []Event
		acted := false
		err := s.Run(context.Background(), audio.NewSliceSource(x, SampleRate), func(e Event) {
			if e.Kind == Level {
				// One second into the speech, the user releases push-to-talk (or cancels).
				if e.Start >= 2.0 && !acted {
					tc.act(s)
					acted = true
				}
				return
			}
			evs = append(evs, e)
		})
		if err != nil {
			t.Fatal(err)
		}
		if kinds(evs) != tc.want {
			t.Errorf("%s: events %q, want %q", tc.name, kinds(evs), tc.want)
		}
	}
}

func TestResampledInput(t *testing.T) {
	x := vadtest.Concat(quiet(1), phrase(700, 1100), quiet(1.5))
	src := audio.Resample(audio.NewSliceSource(x, SampleRate), 44100)
	evs, err := collect(t, newStreamer(&toneDecoder{}, Config{}), src)
	if err != nil {
		t.Fatal(err)
	}
	if got := sentences(t, evs); !slices.Equal(got, []string{"t7 t11"}) {
		t.Errorf("finals %q", got)
	}
}

func TestSeveralUtterancesMatchBatch(t *testing.T) {
	a, b, c := phrase(700, 1000), phrase(1500), phrase(2000, 2500, 3000)
	x := vadtest.Concat(quiet(0.7), a, quiet(1.2), b, quiet(2), c, quiet(1))
	for _, cfg := range []Config{classic, early} {
		evs, err := collect(t, newStreamer(&toneDecoder{}, cfg), audio.NewSliceSource(x, SampleRate))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{toneWords(a).Text, toneWords(b).Text, toneWords(c).Text}
		if got := sentences(t, evs); !slices.Equal(got, want) {
			t.Errorf("provisional %v: finals %q, want %q", cfg.Provisional(), got, want)
		}
		// Utterances are numbered from 1, in order; the pieces of one share its number.
		n := 0
		for _, e := range evs {
			if e.Kind == Start {
				n++
			}
			if e.Utterance != n {
				t.Errorf("provisional %v: %s event numbered %d during utterance %d", cfg.Provisional(), e.Kind, e.Utterance, n)
			}
		}
		if n != 3 {
			t.Errorf("provisional %v: %d utterances, want 3", cfg.Provisional(), n)
		}
	}
}

// issue 17: an utterance's audio reached the caller only at its end, so a crash in the middle
// of a long one lost all of it. With HeardInterval it comes in Heard events as it is heard;
// each utterance's Heard and End audio, in order, is exactly the End audio of a run
// without them (plain utterances, provisional pieces, cuts at MaxUtterance).
func TestHeardAudioAddsUpToTheUtterance(t *testing.T) {
	var long []float64
	for i := 0; i < 30; i++ {
		long = append(long, float64(600+100*(i%10)))
	}
	x := vadtest.Concat(quiet(1), phrase(700, 1100, 900, 1300, 800, 1000, 1200), quiet(1.2), phrase(long...), quiet(0.4),
		phrase(700, 900), quiet(1.5))
	for _, cfg := range []Config{{}, early, {MaxUtterance: 6 * time.Second}} {
		audioOf := func(interval time.Duration) (map[int][]float32, map[int]float64, int) {
			c := cfg
			c.HeardInterval = interval
			byUtt, startOf, heard := map[int][]float32{}, map[int]float64{}, 0
			s := newStreamer(&toneDecoder{}, c)
			err := s.Run(context.Background(), audio.NewSliceSource(x, SampleRate), func(e Event) {
				if e.Kind != End && e.Kind != Heard {
					return
				}
				if e.Kind == Heard {
					heard++
				}
				if _, ok := startOf[e.Utterance]; !ok {
					startOf[e.Utterance] = e.AudioStart
				}
				// No gap and no overlap: each chunk starts where the last one ended.
				if want := startOf[e.Utterance] + float64(len(byUtt[e.Utterance]))/SampleRate; math.Abs(e.AudioStart-want) > 1e-9 {
					t.Errorf("%+v: utterance %d %s chunk at %.4f s, want %.4f s", cfg, e.Utterance, e.Kind, e.AudioStart, want)
				}
				byUtt[e.Utterance] = append(byUtt[e.Utterance], e.Audio...)
			})
			if err != nil {
				t.Fatal(err)
			}
			return byUtt, startOf, heard
		}
		want, wantStart, none := audioOf(0)
		got, gotStart, heard := audioOf(time.Second)
		// (With provisional finals every short pause ends a piece, whose End saves it.)
		if none != 0 || (!cfg.Provisional() && heard < 4) {
			t.Errorf("%+v: %d Heard events without HeardInterval, %d with it", cfg, none, heard)
		}
		if len(got) != len(want) || len(want) < 2 {
			t.Fatalf("%+v: %d utterances with Heard events, %d without", cfg, len(got), len(want))
		}
		for n, w := range want {
			if !slices.Equal(got[n], w) || gotStart[n] != wantStart[n] {
				t.Errorf("%+v: utterance %d: %d samples from %.3f s with Heard events, %d from %.3f s without", cfg, n, len(got[n]), gotStart[n], len(w), wantStart[n])
			}
		}
	}
}
