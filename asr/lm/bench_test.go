package lm

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"hark/asr"
	"hark/asr/ctc"
)

// benchModelPath is the default model's LM, used by the benchmarks when it has been built
// (see README.md); otherwise they use a model built from toy text.
const benchModelPath = "../../models/default/lm.bin"

func benchModel(b *testing.B) ([]byte, *Model) {
	b.Helper()
	if data, err := os.ReadFile(benchModelPath); err == nil {
		m, err := ReadBinary(bytes.NewReader(data), int64(len(data)), benchModelPath)
		if err != nil {
			b.Fatal(err)
		}
		return data, m
	}
	var c Corpus
	c.AddText(toyText(3000, 3) + strings.Join(benchSentences, "\n"))
	m, _, err := Build(&c, BuildOptions{Order: 4})
	if err != nil {
		b.Fatal(err)
	}
	return binaryOf(b, m), m
}

func BenchmarkLoad(b *testing.B) {
	data, _ := benchModel(b)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := ReadBinary(bytes.NewReader(data), int64(len(data)), "lm.bin"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data))/(1<<20), "MiB")
}

var benchSentences = []string{
	"the quick brown fox jumps over the lazy dog",
	"i would like to book a table for two people tonight",
	"please call me back when you get this message",
	"the meeting has been moved to thursday afternoon",
	"she said that she would be here at nine o'clock",
	"we have to finish the report before the end of the week",
	"can you tell me how to get to the station",
	"it was the best of times it was the worst of times",
	"there is nothing either good or bad but thinking makes it so",
	"the weather will be cold and wet for the rest of the day",
}

// benchPosteriors spells sentences as a character CTC model would see them: one frame per
// letter (correct with probability 0.5-0.95, a confusable letter taking part of the rest),
// one or two mostly-blank frames after it. Output frames are 40 ms apart.
func benchPosteriors(v *ctc.Vocabulary, seconds float64, seed uint64) asr.Matrix {
	r := rand.New(rand.NewPCG(seed, 2))
	n := v.Size()
	m := asr.Matrix{Cols: n}
	row := make([]float64, n)
	emit := func(tok int, p float64) {
		other := 1 + r.IntN(n-2)
		for i := range row {
			row[i] = (1 - p) * 0.3 / float64(n)
		}
		row[tok] += p
		row[other] += (1 - p) * 0.7
		for _, x := range row {
			m.Data = append(m.Data, float32(math.Log(x)))
		}
		m.Rows++
	}
	blank := v.Blank()
	for float64(m.Rows)*0.04 < seconds {
		s := benchSentences[r.IntN(len(benchSentences))]
		for _, ch := range s + " " {
			tok := string(ch)
			if ch == ' ' {
				tok = "▁"
			}
			id, _ := v.ID(tok)
			emit(id, 0.5+0.45*r.Float64())
			for k := 0; k < 1+r.IntN(2); k++ {
				emit(blank, 0.9+0.09*r.Float64())
			}
		}
	}
	return m
}

func BenchmarkBeamSearchLM(b *testing.B) {
	_, m := benchModel(b)
	toks := []string{"▁"}
	for c := 'a'; c <= 'z'; c++ {
		toks = append(toks, string(c))
	}
	toks = append(toks, "'", "<blk>")
	v, err := ctc.NewVocabulary(toks, -1)
	if err != nil {
		b.Fatal(err)
	}
	post := benchPosteriors(v, 20, 1)
	audio := float64(post.Rows) * 0.04
	for _, c := range []struct {
		name string
		cfg  ctc.BeamConfig
	}{
		{"beam8-noLM", ctc.BeamConfig{Beam: 8}},
		{"beam8-LM", ctc.BeamConfig{Beam: 8, Scorer: NewScorer(m), LMWeight: 0.5, WordBonus: 1, UnknownPenalty: -2}},
		{"beam16-noLM", ctc.BeamConfig{Beam: 16}},
		{"beam16-LM", ctc.BeamConfig{Beam: 16, Scorer: NewScorer(m), LMWeight: 0.5, WordBonus: 1, UnknownPenalty: -2}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var total time.Duration
			for b.Loop() {
				t0 := time.Now()
				if _, err := v.BeamSearch(post, c.cfg); err != nil {
					b.Fatal(err)
				}
				total += time.Since(t0)
			}
			b.ReportMetric(audio*float64(b.N)/total.Seconds(), "x-realtime")
		})
	}
}

func BenchmarkScore(b *testing.B) {
	_, m := benchModel(b)
	s := NewScorer(m)
	words := strings.Fields(strings.Join(benchSentences, " "))
	st := s.Start()
	i := 0
	for b.Loop() {
		_, st = s.Score(st, words[i%len(words)])
		i++
	}
}
