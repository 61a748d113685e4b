package ctc

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"hark/asr"
)

// benchMatrix is a peaky, model-like log-prob matrix: about 60% of frames are confidently
// blank, the rest favour a random token, with random noise on every logit.
func benchMatrix(frames, vocab int) asr.Matrix {
	rng := rand.New(rand.NewPCG(7, uint64(vocab)))
	m := asr.Matrix{Rows: frames, Cols: vocab, Data: make([]float32, frames*vocab)}
	for t := 0; t < frames; t++ {
		row := m.Row(t)
		for k := range row {
			row[k] = float32(rng.NormFloat64())
		}
		target := 0
		if rng.Float64() > 0.6 {
			target = 1 + rng.IntN(vocab-1)
		}
		row[target] += 8 + 8*float32(rng.Float64())
	}
	LogSoftmax(m)
	return m
}

func benchVocab(b *testing.B, n int) *Vocabulary {
	toks := make([]string, n)
	toks[0] = "<blk>"
	for i := 1; i < n; i++ {
		toks[i] = "t" + strconv.Itoa(i)
		if i%7 == 1 {
			toks[i] = WordStart + toks[i]
		}
	}
	v, err := NewVocabulary(toks, 0)
	if err != nil {
		b.Fatal(err)
	}
	return v
}

const benchFrames = 1500 // 60 s of audio at 40 ms per frame

func report(b *testing.B) {
	frames := float64(b.N) * benchFrames
	fps := frames / b.Elapsed().Seconds()
	b.ReportMetric(fps, "frames/s")
	b.ReportMetric(fps*0.04, "x-realtime")
}

func BenchmarkBeamSearch(b *testing.B) {
	for _, vocab := range []int{29, 500} {
		m := benchMatrix(benchFrames, vocab)
		v := benchVocab(b, vocab)
		for _, beam := range []int{8, 16} {
			for _, skip := range []float32{0, 0.999} {
				name := fmt.Sprintf("vocab=%d/beam=%d", vocab, beam)
				if skip > 0 {
					name += "/blankskip"
				}
				b.Run(name, func(b *testing.B) {
					cfg := BeamConfig{Beam: beam, BlankSkip: skip}
					for b.Loop() {
						if _, err := v.BeamSearch(m, cfg); err != nil {
							b.Fatal(err)
						}
					}
					report(b)
				})
			}
		}
	}
}

func BenchmarkGreedy(b *testing.B) {
	for _, vocab := range []int{29, 500} {
		m := benchMatrix(benchFrames, vocab)
		v := benchVocab(b, vocab)
		b.Run(fmt.Sprintf("vocab=%d", vocab), func(b *testing.B) {
			for b.Loop() {
				if _, err := v.Greedy(m); err != nil {
					b.Fatal(err)
				}
			}
			report(b)
		})
	}
}
