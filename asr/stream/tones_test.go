//go:build cgo

package stream

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hark/asr"
	"hark/asr/vad"
	"hark/asr/vad/vadtest"
	"hark/audio"
	"hark/audio/audiofile"
	"hark/internal/loader"
)

// These tests run the real pipeline (features → ONNX Runtime → CTC search) on the tone
// fixture model, whose output is known exactly (testdata/models/gen_fixtures.py).

func loadTones(t *testing.T) *loader.Loaded {
	t.Helper()
	m, err := loader.Find("../../testdata/models/tones")
	if err != nil {
		t.Fatal(err)
	}
	ld, err := loader.Load(m, asr.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ld.Close() })
	return ld
}

type toneFile struct {
	name, text string
	x          []float32
}

func toneFiles(t *testing.T) []toneFile {
	t.Helper()
	paths, _ := filepath.Glob("../../testdata/tones/*.wav")
	if len(paths) == 0 {
		t.Fatal("no tone recordings in testdata/tones")
	}
	var out []toneFile
	for _, p := range paths {
		x, err := audiofile.Load(p, SampleRate)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(strings.TrimSuffix(p, ".wav") + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, toneFile{filepath.Base(p), strings.TrimSpace(string(b)), x})
	}
	return out
}

// samplesOnly hides the recognizer's feature methods, forcing re-decoding from samples.
type samplesOnly struct{ Decoder }

func TestStreamingMatchesBatchOnRecordings(t *testing.T) {
	ld := loadTones(t)
	for _, f := range toneFiles(t) {
		batch, err := ld.Recognizer.Recognize(context.Background(), f.x)
		if err != nil {
			t.Fatal(err)
		}
		if batch.Text != f.text {
			t.Fatalf("%s: batch %q, want %q", f.name, batch.Text, f.text)
		}
		for _, cfg := range []Config{classic, early} {
			for _, dec := range []Decoder{ld.Recognizer, samplesOnly{ld.Recognizer}} {
				s := New(dec, vad.NewEnergy(vad.EnergyConfig{}), cfg)
				evs, err := collect(t, s, audio.NewSliceSource(f.x, SampleRate))
				if err != nil {
					t.Fatal(err)
				}
				name := fmt.Sprintf("%s (%T, provisional %v)", f.name, dec, cfg.Provisional())
				if got := sentences(t, evs); !slices.Equal(got, []string{batch.Text}) {
					t.Errorf("%s: streaming %q, batch %q", name, got, batch.Text)
				}
				var partials []string
				provisional := 0
				for _, e := range evs {
					switch {
					case e.Kind == Partial:
						partials = append(partials, e.Text)
					case e.Kind == Final && e.Provisional:
						provisional++
					}
				}
				if len(partials) < 2 {
					t.Errorf("%s: partials %q, want several", name, partials)
				}
				// With provisional finals on, the text comes at the pause after the last
				// word, before the utterance ends.
				if cfg.Provisional() != (provisional > 0) {
					t.Errorf("%s: %d provisional finals", name, provisional)
				}
				// Words: the same words as batch at the same times (utterances and their
				// pieces start on the model's frame grid).
				var words []asr.Word
				for _, e := range evs {
					if e.Kind == Final {
						words = append(words, e.Words...)
					}
				}
				if len(words) != len(batch.Words) {
					t.Fatalf("%s: %d words streaming, %d batch", name, len(words), len(batch.Words))
				}
				for i, w := range words {
					b := batch.Words[i]
					if w.Word != b.Word || abs(w.Start-b.Start) > 1e-9 || abs(w.End-b.End) > 1e-9 {
						t.Errorf("%s: word %d streaming %+v, batch %+v", name, i, w, b)
					}
				}
			}
		}
	}
}

func TestStreamingSessionOfRecordings(t *testing.T) {
	ld := loadTones(t)
	files := toneFiles(t)
	var parts [][]float32
	var want []string
	for _, f := range files {
		parts = append(parts, f.x, vadtest.White(1.0, 1e-4, 1))
		want = append(want, f.text)
	}
	// Noise between them must not add anything.
	parts = append(parts, vadtest.Typing(3, 0.3, 2), vadtest.Pink(3, 0.02, 3))
	x := vadtest.Concat(parts...)
	for _, cfg := range []Config{classic, early} {
		evs, err := collect(t, New(ld.Recognizer, vad.NewEnergy(vad.EnergyConfig{}), cfg), audio.NewSliceSource(x, SampleRate))
		if err != nil {
			t.Fatal(err)
		}
		if got := sentences(t, evs); !slices.Equal(got, want) {
			t.Errorf("provisional %v: finals %q, want %q (%s)", cfg.Provisional(), got, want, kinds(evs))
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func BenchmarkStreamTones(b *testing.B) {
	m, err := loader.Find("../../testdata/models/tones")
	if err != nil {
		b.Fatal(err)
	}
	ld, err := loader.Load(m, asr.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer ld.Close()
	x, err := audiofile.Load("../../testdata/tones/hark.wav", SampleRate)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := New(ld.Recognizer, vad.NewEnergy(vad.EnergyConfig{}), Config{})
		if err := s.Run(context.Background(), audio.NewSliceSource(x, SampleRate), func(Event) {}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(x))/SampleRate*float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
}
