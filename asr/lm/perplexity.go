package lm

import (
	"bytes"
	"math"
)

// Perplexity is the result of scoring a corpus with a model.
type Perplexity struct {
	Sentences int
	Words     int     // words scored, OOVs included
	OOVs      int     // words outside the model's vocabulary (not scored)
	LogProb10 float64 // total log10 probability of the scored words and sentence ends
}

// PPL is the perplexity per scored token (words that are in the vocabulary, plus one end
// of sentence per sentence), the SRILM convention.
func (p Perplexity) PPL() float64 {
	n := p.Words - p.OOVs + p.Sentences
	if n <= 0 {
		return math.NaN()
	}
	return math.Pow(10, -p.LogProb10/float64(n))
}

// OOVRate is the fraction of words outside the vocabulary.
func (p Perplexity) OOVRate() float64 {
	if p.Words == 0 {
		return 0
	}
	return float64(p.OOVs) / float64(p.Words)
}

// Perplexity scores every sentence of c (with <s> and </s>). Words outside the vocabulary,
// <unk> included, are counted as OOVs and not scored; the context after one is <unk>.
func (m *Model) Perplexity(c *Corpus) Perplexity {
	var p Perplexity
	ctx := make([]uint32, 0, MaxOrder)
	var buf [MaxOrder]uint32
	for i := range c.ends {
		p.Sentences++
		ctx = ctx[:0]
		if m.bos >= 0 && m.order > 1 {
			ctx = append(ctx, uint32(m.bos))
		}
		for w := range bytes.SplitSeq(c.sentence(i), []byte{' '}) {
			p.Words++
			id := m.ID(string(w))
			if id < 0 || int32(id) == m.unk || int32(id) == m.bos {
				p.OOVs++
				ctx = ctx[:0]
				if m.unk >= 0 {
					ctx = append(ctx, m.nextContext(buf[:0], nil, uint32(m.unk))...)
				}
				continue
			}
			p.LogProb10 += m.logProb10(ctx, uint32(id))
			next := m.nextContext(buf[:0], ctx, uint32(id))
			ctx = append(ctx[:0], next...)
		}
		if m.eos >= 0 {
			p.LogProb10 += m.logProb10(ctx, uint32(m.eos))
		}
	}
	return p
}
