package lm

import (
	"math"
	"strings"

	"hark/asr/ctc"
)

// DefaultUnknownOffset is added to the log-probability of a word outside the model's
// vocabulary (natural log), on top of P(<unk> | context).
const DefaultUnknownOffset = -10.0

// Scorer adapts a Model to ctc.Scorer and ctc.EndScorer for shallow fusion. Scores are
// natural logarithms (the model's log10 values × ln 10). A word the model does not know
// scores ln P(<unk> | context) + UnknownOffset, or, in a model without <unk>, the lowest
// unigram log-probability + UnknownOffset; the context after it is <unk> (or empty).
// States are small values; a Scorer is safe for concurrent use.
type Scorer struct {
	m *Model
	// UnknownOffset is added for out-of-vocabulary words (natural log, normally negative).
	UnknownOffset float64
	minUni        float64   // lowest unigram log10 probability above the -99 sentinel
	uniMax        []float32 // segment tree of unigram log10 probabilities by word id (look-ahead)
}

var (
	_ ctc.Scorer       = (*Scorer)(nil)
	_ ctc.EndScorer    = (*Scorer)(nil)
	_ ctc.PrefixScorer = (*Scorer)(nil)
)

// state is the n-gram context: up to MaxOrder-1 word ids, most recent last.
type state struct {
	n uint8
	w [MaxOrder - 1]uint32
}

func (s state) ids() []uint32 { return s.w[:s.n] }

// NewScorer returns a Scorer for m with UnknownOffset = DefaultUnknownOffset.
func NewScorer(m *Model) *Scorer {
	s := &Scorer{m: m, UnknownOffset: DefaultUnknownOffset, minUni: 0}
	n := m.VocabSize()
	s.uniMax = make([]float32, 2*n)
	for i, p := range m.lv[0].prob {
		if p > noProb {
			s.minUni = min(s.minUni, float64(p))
		}
		if int32(i) == m.unk || int32(i) == m.bos || int32(i) == m.eos {
			p = noProb // never a word a prefix can grow into
		}
		s.uniMax[n+i] = p
	}
	for i := n - 1; i > 0; i-- {
		s.uniMax[i] = max(s.uniMax[2*i], s.uniMax[2*i+1])
	}
	return s
}

// PrefixScore returns ln of the largest unigram probability among the words that begin with
// partial (an optimistic estimate of what the word will score), and false when no word
// begins with it.
func (s *Scorer) PrefixScore(partial string) (float64, bool) {
	lo, hi := s.m.prefixRange(partial)
	if lo == hi && hasUpper(partial) {
		lo, hi = s.m.prefixRange(strings.ToLower(partial))
	}
	if lo == hi {
		return 0, false
	}
	best := float32(noProb)
	n := len(s.uniMax) / 2
	for l, r := lo+n, hi+n; l < r; l, r = l>>1, r>>1 {
		if l&1 == 1 {
			best = max(best, s.uniMax[l])
			l++
		}
		if r&1 == 1 {
			r--
			best = max(best, s.uniMax[r])
		}
	}
	if best <= noProb {
		return s.minUni * math.Ln10, true // only special words begin so
	}
	return float64(best) * math.Ln10, true
}

// Model returns the scorer's model.
func (s *Scorer) Model() *Model { return s.m }

// Start is the context at the start of an utterance: <s> if the model has it.
func (s *Scorer) Start() ctc.State {
	var st state
	if s.m.bos >= 0 && s.m.order > 1 {
		st.w[0], st.n = uint32(s.m.bos), 1
	}
	return st
}

func toState(x ctc.State) state {
	st, _ := x.(state)
	if int(st.n) > len(st.w) {
		st.n = 0
	}
	return st
}

// Score returns ln P(word | state) and the state after word.
func (s *Scorer) Score(x ctc.State, word string) (float64, ctc.State) {
	st := toState(x)
	m := s.m
	id := m.ID(word)
	if id < 0 && hasUpper(word) {
		id = m.ID(strings.ToLower(word))
	}
	var lp float64
	if id < 0 || int32(id) == m.bos {
		if m.unk < 0 {
			return (s.minUni)*math.Ln10 + s.UnknownOffset, state{}
		}
		id = int(m.unk)
		lp = m.logProb10(st.ids(), uint32(id))*math.Ln10 + s.UnknownOffset
	} else {
		lp = m.logProb10(st.ids(), uint32(id)) * math.Ln10
	}
	var next state
	var buf [MaxOrder]uint32
	ctx := m.nextContext(buf[:0], st.ids(), uint32(id))
	next.n = uint8(copy(next.w[:], ctx))
	return lp, next
}

// End returns ln P(</s> | state), or 0 if the model has no </s>.
func (s *Scorer) End(x ctc.State) float64 {
	if s.m.eos < 0 {
		return 0
	}
	return s.m.logProb10(toState(x).ids(), uint32(s.m.eos)) * math.Ln10
}

// IsPrefix reports whether partial begins some word of the vocabulary.
func (s *Scorer) IsPrefix(partial string) bool {
	if s.m.HasPrefix(partial) {
		return true
	}
	return hasUpper(partial) && s.m.HasPrefix(strings.ToLower(partial))
}

func hasUpper(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(w) != w
		}
	}
	return false
}
