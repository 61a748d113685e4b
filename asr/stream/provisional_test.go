package stream

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"hark/asr"
	"hark/asr/vad"
	"hark/asr/vad/vadtest"
	"hark/audio"
)

// timedEvent is an event and the stream time at which it was sent (the end of the VAD frame
// being handled).
type timedEvent struct {
	Event
	at float64
}

func collectTimed(t *testing.T, s *Streamer, x []float32) []timedEvent {
	t.Helper()
	var evs []timedEvent
	now := 0.0
	err := s.Run(context.Background(), audio.NewSliceSource(x, SampleRate), func(e Event) {
		if e.Kind == Level {
			now = e.Start + vad.FrameSeconds
			return
		}
		evs = append(evs, timedEvent{e, now})
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func plain(evs []timedEvent) []Event {
	out := make([]Event, len(evs))
	for i, e := range evs {
		out[i] = e.Event
	}
	return out
}

func TestProvisionalFinalsContinueTheUtterance(t *testing.T) {
	// Two words with a 0.15 s pause, a 0.4 s pause, a last word, then silence: pauses
	// shorter than the 0.8 s that ends an utterance.
	lead := quiet(1)
	sp := vadtest.Concat(phrase(700, 1100), quiet(0.4), word(1500))
	x := vadtest.Concat(lead, sp, quiet(1.5))
	evs := collectTimed(t, newStreamer(&toneDecoder{}, early), x)
	all := plain(evs)

	// One utterance: one Start, every event numbered 1, its pieces joined give the words.
	if got, want := sentences(t, all), []string{toneWords(sp).Text}; !slices.Equal(got, want) {
		t.Fatalf("sentences %q, want %q (%s)", got, want, kinds(all))
	}
	var starts, provisional int
	var ends []Event
	var words []asr.Word
	var last Event
	for _, e := range all {
		if e.Utterance != 1 {
			t.Errorf("%s event of utterance %d", e.Kind, e.Utterance)
		}
		switch e.Kind {
		case Start:
			starts++
		case End:
			ends = append(ends, e)
		case Final:
			words = append(words, e.Words...)
			if e.Provisional {
				provisional++
			}
			last = e
		}
	}
	if starts != 1 || provisional < 2 {
		t.Errorf("%d starts, %d provisional finals (%s): want 1 start and a provisional final at each pause", starts, provisional, kinds(all))
	}
	if last.Provisional || last.Text != "" {
		t.Errorf("last final %+v: want the non-provisional end of the utterance, with no words left", last)
	}
	// The pieces' audio follows on without a gap or an overlap, and each End but the
	// last is provisional.
	for i := 1; i < len(ends); i++ {
		prev := ends[i-1]
		if gap := ends[i].AudioStart - (prev.AudioStart + float64(len(prev.Audio))/SampleRate); math.Abs(gap) > 1e-9 {
			t.Errorf("pieces %d and %d: gap of %.4f s between their audio", i-1, i, gap)
		}
		if !prev.Provisional {
			t.Errorf("End %d is not provisional but another piece follows", i-1)
		}
	}
	if ends[len(ends)-1].Provisional {
		t.Error("the last End is provisional")
	}
	// Each piece starts on the utterance's 80 ms grid (its model frames are those of a
	// batch transcript) and ends after its words.
	for _, e := range ends {
		if off := math.Round((e.AudioStart - ends[0].AudioStart) * SampleRate); math.Mod(off, grid) != 0 {
			t.Errorf("piece at %.4f s is %v samples into the utterance, off the %d-sample grid", e.AudioStart, off, grid)
		}
	}
	for i, e := range all {
		if e.Kind == Final && e.Provisional && len(e.Words) > 0 {
			end := all[i-1] // its End
			if cut := end.AudioStart + float64(len(end.Audio))/SampleRate; e.Words[len(e.Words)-1].End > cut {
				t.Errorf("piece %q ends at %.3f s, inside its last word %+v", e.Text, cut, e.Words[len(e.Words)-1])
			}
		}
	}
	// The words are those of the whole utterance decoded at once, at the same times.
	whole := toneWords(sp)
	if len(words) != len(whole.Words) {
		t.Fatalf("words %+v, want %+v", words, whole.Words)
	}
	off := float64(len(lead)) / SampleRate
	for i, w := range words {
		b := whole.Words[i]
		if w.Word != b.Word || math.Abs(w.Start-(b.Start+off)) > 0.025 || math.Abs(w.End-(b.End+off)) > 0.025 {
			t.Errorf("word %d %+v, want %+v (+%.2f s)", i, w, b, off)
		}
	}
	// Each provisional final is sent once the voice detector has heard ProvisionalSilence of
	// silence (within a frame), long before the 0.8 s that end the utterance: the decoding
	// that makes it sure was done during the pause.
	for _, e := range evs {
		if e.Kind == Final && e.Provisional {
			if wait := e.at - e.End; wait < 0.12-1e-9 || wait > 0.12+vad.FrameSeconds+1e-9 {
				t.Errorf("provisional final %q sent %.3f s after the end of its speech, want 0.12 s (within a frame)", e.Text, wait)
			}
		}
		if e.Kind == Final && !e.Provisional {
			if wait := e.at - e.End; wait < 0.8-1e-9 {
				t.Errorf("utterance ended %.3f s after the end of its speech, want 0.8 s", wait)
			}
		}
	}
}

func TestProvisionalSetting(t *testing.T) {
	x := vadtest.Concat(quiet(1), phrase(700, 1100), quiet(1.5))
	for _, tc := range []struct {
		cfg  Config
		want bool
	}{
		{Config{}, false}, // off unless asked for
		{Config{ProvisionalSilence: DefaultProvisionalSilence}, true},
		{Config{ProvisionalSilence: 200 * time.Millisecond}, true},
		{Config{ProvisionalSilence: -1}, false},
		{Config{ProvisionalSilence: time.Second}, false}, // not shorter than the trailing silence
	} {
		evs := collectTimed(t, newStreamer(&toneDecoder{}, tc.cfg), x)
		n := 0
		for _, e := range evs {
			if e.Kind == Final && e.Provisional {
				n++
				if tc.cfg.ProvisionalSilence > 0 {
					if wait, want := e.at-e.End, tc.cfg.ProvisionalSilence.Seconds(); wait < want-1e-9 || wait > want+vad.FrameSeconds+1e-9 {
						t.Errorf("%v: provisional final after %.3f s of silence, want %.3f", tc.cfg.ProvisionalSilence, wait, want)
					}
				}
			}
		}
		if got := n > 0; got != tc.want || tc.cfg.Provisional() != tc.want {
			t.Errorf("ProvisionalSilence %v: %d provisional finals, Provisional() %v", tc.cfg.ProvisionalSilence, n, tc.cfg.Provisional())
		}
		if got := sentences(t, plain(evs)); !slices.Equal(got, []string{"t7 t11"}) {
			t.Errorf("ProvisionalSilence %v: %q", tc.cfg.ProvisionalSilence, got)
		}
	}
}

// levelVAD hears speech only above an RMS level, so quieter sounds that the decoder still
// recognizes pass for silence.
type levelVAD struct{ level float64 }

func (v levelVAD) Frame(x []float32) float32 {
	if audio.RMS(x) > v.level {
		return 1
	}
	return 0
}
func (levelVAD) Reset() {}

func TestProvisionalNeverSplitsAWord(t *testing.T) {
	// A soft word that the voice detector takes for silence starts 20 ms after a loud one
	// and lasts 0.2 s, within the end padding. No piece may end inside it: the cut must
	// wait until the best path ends in blanks.
	soft := vadtest.Tone(0.2, 900, 0.05) // RMS 0.035: a word to the decoder, silence to the VAD
	lead := quiet(1)
	x := vadtest.Concat(lead, word(700), quiet(0.02), soft, quiet(1.5), word(1300), quiet(0.1), soft, quiet(1.5))
	softAt := []float64{1.32, 1.32 + 0.2 + 1.5 + 0.3 + 0.1}
	for _, cfg := range []Config{classic, early} {
		s := New(&toneDecoder{}, levelVAD{0.1}, cfg)
		evs, err := collect(t, s, audio.NewSliceSource(x, SampleRate))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"t7 t9", "t13 t9"}
		if got := sentences(t, evs); !slices.Equal(got, want) {
			t.Errorf("provisional %v: %q, want %q (%s)", cfg.Provisional(), got, want, kinds(evs))
		}
		for _, e := range evs {
			if e.Kind != End || !e.Provisional {
				continue
			}
			cut := e.AudioStart + float64(len(e.Audio))/SampleRate
			for _, at := range softAt {
				if cut > at+0.01 && cut < at+0.2-0.01 {
					t.Errorf("a piece ends at %.3f s, inside the soft word at %.2f–%.2f s", cut, at, at+0.2)
				}
			}
		}
	}
}

func TestProvisionalThenDiscard(t *testing.T) {
	// A piece is sent at the pause; the speaker goes on and then cancels: the piece stands,
	// the rest of that utterance is dropped, and the utterance is over.
	x := vadtest.Concat(quiet(1), word(700), quiet(0.3), phrase(900, 1100, 1300, 1500), quiet(1.5))
	s := newStreamer(&toneDecoder{}, early)
	var evs []Event
	acted := false
	err := s.Run(context.Background(), audio.NewSliceSource(x, SampleRate), func(e Event) {
		if e.Kind == Level {
			if e.Start >= 2.0 && !acted {
				s.Discard()
				acted = true
			}
			return
		}
		evs = append(evs, e)
	})
	if err != nil {
		t.Fatal(err)
	}
	got := sentences(t, evs)
	if len(got) == 0 || !strings.HasPrefix(got[0], "t7") {
		t.Fatalf("sentences %q (%s)", got, kinds(evs))
	}
	var first []string
	for _, e := range evs {
		if e.Utterance == 1 && e.Kind != Partial {
			k := e.Kind.String()
			if e.Provisional {
				k += "*"
			}
			first = append(first, k)
		}
	}
	if k := strings.Join(first, " "); !strings.HasPrefix(k, "start end* final*") || !strings.HasSuffix(k, "final* dropped") {
		t.Errorf("utterance 1: events %q, want provisional pieces, then dropped", k)
	}
}

func TestProvisionalEndPaddingDecodedAfterTheLastPiece(t *testing.T) {
	// After a piece, the voice detector hears nothing more: the rest of the utterance is its
	// end padding. It is decoded after the last piece (as left context), never on its own.
	x := vadtest.Concat(quiet(1), phrase(700, 1100), quiet(1.5))
	dec := &toneDecoder{}
	evs := collectTimed(t, newStreamer(dec, Config{PartialInterval: -1, ProvisionalSilence: DefaultProvisionalSilence}), x)
	var lens []int
	for _, e := range evs {
		if e.Kind == End {
			lens = append(lens, len(e.Audio))
		}
	}
	if len(lens) < 2 || lens[len(lens)-1] == 0 {
		t.Fatalf("End audio lengths %v: want pieces and the end padding after them", lens)
	}
	pad, prev := lens[len(lens)-1], lens[len(lens)-2]
	decs := dec.Lens()
	if !slices.Contains(decs, prev+pad) || slices.Contains(decs, pad) {
		t.Errorf("decodes %v: want the last piece with the padding (%d+%d samples), not the padding alone", decs, prev, pad)
	}
}

// movingDecoder is toneDecoder, but given 0.2 s or more of quiet after the last word it
// moves that word 0.4 s later, as a model may place a word differently with more context.
type movingDecoder struct{ toneDecoder }

func (d *movingDecoder) Recognize(ctx context.Context, x []float32) (asr.Result, error) {
	res, err := d.toneDecoder.Recognize(ctx, x)
	if n := len(res.Words); n > 0 && res.Duration-res.Words[n-1].End >= 0.2 {
		res.Words[n-1].Start += 0.4
		res.Words[n-1].End += 0.4
	}
	return res, err
}

func TestProvisionalEndPaddingNeverRepeatsAWord(t *testing.T) {
	// Decoded with the end padding, the last piece's word moves past the cut: it is not
	// taken for a new word.
	x := vadtest.Concat(quiet(1), word(700), quiet(1.5))
	evs, err := collect(t, newStreamer(&movingDecoder{}, early), audio.NewSliceSource(x, SampleRate))
	if err != nil {
		t.Fatal(err)
	}
	if got := sentences(t, evs); !slices.Equal(got, []string{"t7"}) {
		t.Errorf("sentences %q (%s)", got, kinds(evs))
	}
}

// joinDecoder is toneDecoder, but it hears no word boundary in pauses shorter than 0.5 s:
// such words come out as one ("t7t11"), as a character model may write two words it heard
// with too little pause between them.
type joinDecoder struct{ toneDecoder }

func (d *joinDecoder) Recognize(ctx context.Context, x []float32) (asr.Result, error) {
	res, err := d.toneDecoder.Recognize(ctx, x)
	var words []asr.Word
	for _, w := range res.Words {
		if n := len(words); n > 0 && w.Start-words[n-1].End < 0.5 {
			words[n-1].Word += w.Word
			words[n-1].End = w.End
			continue
		}
		words = append(words, w)
	}
	var texts []string
	for _, w := range words {
		texts = append(texts, w.Word)
	}
	res.Words, res.Text = words, strings.Join(texts, " ")
	return res, err
}

func TestProvisionalWordJoinedAcrossThePause(t *testing.T) {
	// "t7" is sent at the pause; the words after it are a piece of their own, "t11".
	// Nothing is lost or repeated.
	x := vadtest.Concat(quiet(1), word(700), quiet(0.3), word(1100), quiet(1.5))
	evs, err := collect(t, newStreamer(&joinDecoder{}, early), audio.NewSliceSource(x, SampleRate))
	if err != nil {
		t.Fatal(err)
	}
	var pieces []string
	for _, e := range evs {
		if e.Kind == Final && e.Text != "" {
			pieces = append(pieces, e.Text)
		}
	}
	if !slices.Equal(pieces, []string{"t7", "t11"}) {
		t.Errorf("pieces %q, want \"t7\" then \"t11\" (%s)", pieces, kinds(evs))
	}
	// In one piece it is the decoder's own word.
	evs, err = collect(t, newStreamer(&joinDecoder{}, classic), audio.NewSliceSource(x, SampleRate))
	if err != nil {
		t.Fatal(err)
	}
	if got := sentences(t, evs); !slices.Equal(got, []string{"t7t11"}) {
		t.Errorf("in one piece: %q", got)
	}
}

func TestProvisionalEndPaddingJoinedToTheLastPiece(t *testing.T) {
	// A soft word in the end padding, which the voice detector takes for silence, and which
	// the decoder joins to the piece's last word ("t7t9"): its own part is still new.
	soft := vadtest.Tone(0.1, 900, 0.05)
	x := vadtest.Concat(quiet(1), word(700), quiet(0.15), soft, quiet(1.5))
	evs, err := collect(t, New(&joinDecoder{}, levelVAD{0.1}, early), audio.NewSliceSource(x, SampleRate))
	if err != nil {
		t.Fatal(err)
	}
	if got := sentences(t, evs); !slices.Equal(got, []string{"t7 t9"}) {
		t.Errorf("sentences %q (%s)", got, kinds(evs))
	}
}
