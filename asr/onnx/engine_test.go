//go:build cgo

package onnx

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"hark/asr"
)

const fixtures = "../../testdata/models"

func requireORT(t testing.TB) {
	t.Helper()
	if err := Init(); err != nil {
		t.Fatalf("ONNX Runtime is required (run scripts/setup.sh): %v", err)
	}
}

// spelled builds log-mel features in which symbol k's band (bin 12+2k) is loud for 8 frames,
// followed by 8 quiet frames, for each symbol in seq.
func spelled(seq []int) asr.Matrix {
	const F = 80
	var data []float32
	for _, k := range seq {
		for i := 0; i < 16; i++ {
			row := make([]float32, F)
			for b := range row {
				row[b] = -16
			}
			if i < 8 {
				row[12+2*k] = 3
			}
			data = append(data, row...)
		}
	}
	return asr.Matrix{Rows: len(data) / F, Cols: F, Data: data}
}

func argmaxCollapse(m asr.Matrix, blank int) []int {
	var out []int
	prev := -1
	for t := 0; t < m.Rows; t++ {
		row := m.Row(t)
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		if best != prev && best != blank {
			out = append(out, best)
		}
		prev = best
	}
	return out
}

func TestInspectTones(t *testing.T) {
	requireORT(t)
	e, err := OpenFile(filepath.Join(fixtures, "tones", "model.onnx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	info := e.Info()
	if info.FeatureInput != "audio_signal" || info.LengthInput != "length" || info.LogProbs != "logprobs" || info.Lengths != "encoded_lengths" {
		t.Errorf("names: %+v", info)
	}
	if info.Layout != FeaturesByTime || info.NumFeatures != 80 || info.VocabSize != 29 {
		t.Errorf("layout %v features %d vocab %d", info.Layout, info.NumFeatures, info.VocabSize)
	}
	if info.Metadata["subsampling_factor"] != "4" || info.Metadata["model_type"] != "EncDecCTCModel" {
		t.Errorf("metadata %v", info.Metadata)
	}
}

func TestRunFloatAndInt8(t *testing.T) {
	requireORT(t)
	seq := []int{8, 9, 0, 1, 1, 27} // "hi▁aa'"
	feats := spelled(seq)
	var outs []asr.Matrix
	for _, name := range []string{"tones", "tones-int8"} {
		e, err := OpenFile(filepath.Join(fixtures, name, "model.onnx"), Options{Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		out, err := e.Run(context.Background(), feats)
		e.Close()
		if err != nil {
			t.Fatal(name, err)
		}
		if want := (feats.Rows + 3) / 4; out.Rows != want || out.Cols != 29 {
			t.Fatalf("%s: output %dx%d, want %dx29", name, out.Rows, out.Cols, want)
		}
		got := argmaxCollapse(out, 28)
		if len(got) != len(seq) {
			t.Fatalf("%s: decoded %v, want %v", name, got, seq)
		}
		for i := range seq {
			if got[i] != seq[i] {
				t.Fatalf("%s: decoded %v, want %v", name, got, seq)
			}
		}
		outs = append(outs, out)
	}
	var maxd float64
	for i := range outs[0].Data {
		maxd = math.Max(maxd, math.Abs(float64(outs[0].Data[i]-outs[1].Data[i])))
	}
	if maxd > 0.5 {
		t.Errorf("int8 and float outputs differ by %.3f", maxd)
	}
}

func TestConcurrentRuns(t *testing.T) {
	requireORT(t)
	e, err := OpenFile(filepath.Join(fixtures, "tones-int8", "model.onnx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			out, err := e.Run(context.Background(), spelled([]int{i % 27, 5}))
			if err == nil && len(argmaxCollapse(out, 28)) != 2 {
				err = errors.New("wrong decode")
			}
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestEmptyAndCancelled(t *testing.T) {
	requireORT(t)
	e, err := OpenFile(filepath.Join(fixtures, "tones", "model.onnx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	out, err := e.Run(context.Background(), asr.Matrix{Cols: 80})
	if err != nil || out.Rows != 0 {
		t.Errorf("empty input: %v %v", out, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Run(ctx, spelled([]int{1})); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := e.Run(context.Background(), asr.Matrix{Rows: 1, Cols: 40, Data: make([]float32, 40)}); err == nil || !strings.Contains(err.Error(), "80 features") {
		t.Errorf("wrong feature size: %v", err)
	}
}

func TestBadModels(t *testing.T) {
	requireORT(t)
	empty := filepath.Join(t.TempDir(), "empty.onnx")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ path, want string }{
		{filepath.Join(fixtures, "bad", "not-a-model.onnx"), "not a valid ONNX model"},
		{filepath.Join(fixtures, "bad", "rank2.onnx"), "raw audio samples"},
		{filepath.Join(fixtures, "bad", "rank4.onnx"), "not a CTC model"},
		{filepath.Join(fixtures, "bad", "missing.onnx"), "cannot read model"},
		{empty, "empty file"},
	}
	for _, c := range cases {
		_, err := OpenFile(c.path, Options{})
		if err == nil {
			t.Errorf("%s: no error", c.path)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, c.want) || !strings.HasPrefix(msg, c.path) || strings.Contains(msg, "\n") {
			t.Errorf("%s: error %q, want one line starting with the path and containing %q", c.path, msg, c.want)
		}
	}
}

func BenchmarkTonesInt8(b *testing.B) {
	requireORT(b)
	e, err := OpenFile(filepath.Join(fixtures, "tones-int8", "model.onnx"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	feats := spelled(make([]int, 63)) // ~10 s of frames
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.Run(context.Background(), feats); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(feats.Rows)*0.01*float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
}
