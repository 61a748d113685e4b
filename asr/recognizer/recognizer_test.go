package recognizer

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"hark/asr"
	"hark/asr/ctc"
	"hark/asr/features"
	"hark/audio"
)

// loudEngine emits token "a" for every output frame whose input frames are loud and blank
// otherwise, and counts its calls, so segmenting and word timing can be checked.
type loudEngine struct{ calls, maxRows int }

func (e *loudEngine) Run(_ context.Context, f asr.Matrix) (asr.Matrix, error) {
	e.calls++
	e.maxRows = max(e.maxRows, f.Rows)
	rows := (f.Rows + 3) / 4
	out := asr.Matrix{Rows: rows, Cols: 3, Data: make([]float32, rows*3)}
	for t := 0; t < rows; t++ {
		var m float32 = -100
		for _, v := range f.Row(min(4*t, f.Rows-1)) {
			m = max(m, v)
		}
		row := out.Row(t)
		for j := range row {
			row[j] = float32(math.Log(0.01))
		}
		if m > -5 {
			row[1] = float32(math.Log(0.98))
		} else {
			row[2] = float32(math.Log(0.98))
		}
	}
	return out, nil
}

func (e *loudEngine) Close() error { return nil }

func newTest(t *testing.T) (*Recognizer, *loudEngine) {
	t.Helper()
	v, err := ctc.NewVocabulary([]string{"▁", "a", "<blk>"}, -1)
	if err != nil {
		t.Fatal(err)
	}
	fe, err := features.New(features.Config{})
	if err != nil {
		t.Fatal(err)
	}
	e := &loudEngine{}
	r, err := New(e, v, fe, 4, asr.Config{Beam: 1})
	if err != nil {
		t.Fatal(err)
	}
	return r, e
}

// bursts makes n seconds of silence with a 0.2 s tone burst every 2 s.
func bursts(seconds int) []float32 {
	x := make([]float32, seconds*SampleRate)
	for s := 1; s < seconds; s += 2 {
		for i := 0; i < SampleRate/5; i++ {
			x[s*SampleRate+i] = 0.3 * float32(math.Sin(2*math.Pi*440*float64(i)/SampleRate))
		}
	}
	return x
}

func TestLongAudioIsSegmented(t *testing.T) {
	r, e := newTest(t)
	res, err := r.Recognize(context.Background(), bursts(75))
	if err != nil {
		t.Fatal(err)
	}
	if e.calls < 3 || e.maxRows > int(MaxSegment*100)+1 {
		t.Errorf("%d engine calls, longest %d frames: want ≥ 3 segments of ≤ %v s", e.calls, e.maxRows, MaxSegment)
	}
	if math.Abs(res.Duration-75) > 1e-6 {
		t.Errorf("duration %v", res.Duration)
	}
	// One "a" per burst, 37 bursts: segment cuts fall in silence, so none is split or lost;
	// each segment is one word (the fake engine never emits a separator).
	if n := strings.Count(res.Text, "a"); n != 37 || len(res.Words) != e.calls {
		t.Errorf("text %q (%d a's), %d words from %d segments; want 37 a's, one word per segment", res.Text, n, len(res.Words), e.calls)
	}
	for _, w := range res.Words {
		if w.Start < 0 || w.End > 75 || w.End < w.Start {
			t.Errorf("word %+v out of range", w)
		}
	}
}

func TestEmptyAudio(t *testing.T) {
	r, _ := newTest(t)
	if _, err := r.RecognizeSource(context.Background(), audio.NewSliceSource(nil, SampleRate)); !errors.Is(err, asr.ErrNoAudio) {
		t.Errorf("got %v, want ErrNoAudio", err)
	}
}

func TestQuietestCut(t *testing.T) {
	x := make([]float32, 10*SampleRate)
	for i := range x {
		x[i] = 0.5
	}
	for i := 7 * SampleRate; i < 7*SampleRate+800; i++ {
		x[i] = 0
	}
	c := quietestCut(x, 8*SampleRate)
	if c < 7*SampleRate || c > 7*SampleRate+800 {
		t.Errorf("cut at %d, want inside the silence at %d", c, 7*SampleRate)
	}
}
