package features

import (
	"math"
	"slices"
	"testing"

	"hark/asr"
)

func TestFinishMatchesCompute(t *testing.T) {
	x := make([]float32, 16000)
	for i := range x {
		x[i] = float32(0.3*math.Sin(float64(i)*0.05) + 0.01*math.Sin(float64(i)*1.7))
	}
	for _, cfg := range []Config{{}, {Normalize: true}, {PadTo: 16}, {Normalize: true, PadTo: 8}, {Preset: Kaldi, Normalize: true}} {
		e, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		s := e.NewStream()
		var frames []float32
		for i := 0; i < len(x); i += 700 {
			frames = s.Write(frames, x[i:min(i+700, len(x))])
		}
		frames = s.Flush(frames)
		m := e.Finish(matrix(frames, e.NumMels()))
		want := e.Compute(x)
		if m.Rows != want.Rows || !slices.Equal(m.Data, want.Data) {
			t.Errorf("%+v: Finish(stream) differs from Compute (%d vs %d rows)", cfg, m.Rows, want.Rows)
		}
	}
}

func matrix(data []float32, cols int) asr.Matrix {
	return asr.Matrix{Rows: len(data) / cols, Cols: cols, Data: data}
}
