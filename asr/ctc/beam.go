package ctc

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"hark/asr"
)

// State is a language-model state; its meaning belongs to the Scorer that made it.
type State any

// Scorer is a word-level language model used for shallow fusion: when a hypothesis completes
// a word (at a separator token, a "▁"-initial SentencePiece token, or the end of the
// utterance) its score gains LMWeight × Score(...) + WordBonus. Scores are natural logarithms
// (multiply log10 values by ln 10). Implementations must be safe for concurrent use if the
// same BeamConfig is used concurrently.
type Scorer interface {
	// Start is the state at the beginning of an utterance.
	Start() State
	// Score returns log P(word | state) and the state after word.
	Score(state State, word string) (logp float64, next State)
	// IsPrefix reports whether partial is, or can still grow into, an in-vocabulary word; a
	// partial word for which it is false costs BeamConfig.UnknownPenalty once.
	IsPrefix(partial string) bool
}

// PrefixScorer is an optional Scorer extension for language-model look-ahead: PrefixScore
// returns the best log-probability of any in-vocabulary word that begins with partial, and
// false when no word does (then it answers what IsPrefix would). With BeamConfig.LookAhead the
// search charges LMWeight × PrefixScore while a word grows and swaps it for the word's real
// score when it ends, so that a hypothesis in the middle of a word is not compared, unpaid,
// with one that has paid for all of its words.
type PrefixScorer interface {
	PrefixScore(partial string) (logp float64, ok bool)
}

// EndScorer is an optional Scorer extension: End returns log P(end of sentence | state),
// added (× LMWeight) when the utterance ends.
type EndScorer interface {
	End(state State) float64
}

// Default values used when BeamConfig fields are zero.
const (
	DefaultBeam      = 8
	DefaultTokenTopK = 16
	DefaultLMWeight  = 0.5
	MaxBeam          = 4096 // largest accepted BeamConfig.Beam
)

// BeamConfig configures BeamSearch. The zero value gives the defaults.
type BeamConfig struct {
	// Beam is the number of prefixes kept after each frame (0 → DefaultBeam).
	Beam int
	// TokenTopK limits expansion to the k most probable non-blank tokens of each frame
	// (0 → DefaultTokenTopK, capped at the vocabulary size).
	TokenTopK int
	// TokenThreshold, if positive, also skips tokens whose log-prob is below the frame's
	// best log-prob minus TokenThreshold.
	TokenThreshold float32
	// BlankSkip, if positive, is a blank probability (e.g. 0.999) at or above which a frame
	// is not expanded: every prefix only absorbs the blank (and a repeat of its last
	// token). This is an approximation that ignores new tokens with probability at most
	// 1-BlankSkip in such frames, in exchange for speed on silence.
	BlankSkip float32

	// Scorer is an optional word-level language model for shallow fusion.
	Scorer Scorer
	// LMWeight is α, the weight of Scorer's log-probabilities (0 → DefaultLMWeight).
	LMWeight float64
	// WordBonus is β, added for each word scored by Scorer.
	WordBonus float64
	// UnknownPenalty is added (not weighted) once when a partial word stops being a prefix
	// of an in-vocabulary word (Scorer.IsPrefix false); normally negative. 0 disables.
	UnknownPenalty float64
	// UnknownPerChar is added (not weighted) for each character of a word that is not in the
	// vocabulary: for all its characters so far when it stops being a prefix of a word, then
	// for each character it grows by. Charged as the word grows, not when it ends, so that a
	// hypothesis gluing words into one long unknown word does not look cheaper than the split
	// one while its word is unfinished; normally negative. 0 disables.
	UnknownPerChar float64
	// LookAhead charges the best score a partial word can still reach (Scorer must be a
	// PrefixScorer; otherwise it has no effect).
	LookAhead bool

	// Hotwords is an optional token-level booster for contextual biasing.
	Hotwords Booster
}

func (c BeamConfig) normalize(vocab int) (BeamConfig, error) {
	switch {
	case c.Beam < 0 || c.Beam > MaxBeam:
		return c, fmt.Errorf("ctc: beam config: Beam %d is outside 0..%d", c.Beam, MaxBeam)
	case c.TokenTopK < 0:
		return c, fmt.Errorf("ctc: beam config: TokenTopK %d is negative", c.TokenTopK)
	case !(c.TokenThreshold >= 0):
		return c, fmt.Errorf("ctc: beam config: TokenThreshold %v is negative or NaN", c.TokenThreshold)
	case !(c.BlankSkip >= 0 && c.BlankSkip <= 1):
		return c, fmt.Errorf("ctc: beam config: BlankSkip %v is not a probability", c.BlankSkip)
	case math.IsNaN(c.LMWeight) || math.IsNaN(c.WordBonus) || math.IsNaN(c.UnknownPenalty) || math.IsNaN(c.UnknownPerChar):
		return c, fmt.Errorf("ctc: beam config: NaN LMWeight, WordBonus, UnknownPenalty or UnknownPerChar")
	}
	if c.Beam == 0 {
		c.Beam = DefaultBeam
	}
	if c.TokenTopK == 0 {
		c.TokenTopK = DefaultTokenTopK
	}
	c.TokenTopK = max(1, min(c.TokenTopK, vocab-1))
	if c.LMWeight == 0 {
		c.LMWeight = DefaultLMWeight
	}
	return c, nil
}

// node is one emitted token in the prefix tree. Nodes are immutable; a prefix is identified
// by the hash of its token sequence, so two nodes may spell the same prefix through
// different alignments (the search keeps the more probable one for timing).
type node struct {
	parent   int32 // -1: the empty prefix
	tok      int32
	frame    int32 // spike frame of tok
	prevLast int32 // last frame of the parent token's run, as of this alignment
}

const (
	rootNode    = -1
	pendingNode = -2 // a new prefix, not yet in the tree: parent+tok+frame+prevLast describe it
)

// hyp is a prefix in the beam (or a candidate for the next beam).
type hyp struct {
	hash      uint64
	phash     uint64 // hash of the prefix without its last token
	node      int32  // tree node, rootNode or pendingNode
	parent    int32  // for pendingNode
	tok       int32  // last token, -1 for the empty prefix
	frame     int32  // for pendingNode
	prevLast  int32  // for pendingNode
	lastFrame int32  // last frame of tok's run
	boost     int32  // Booster state
	partialOK bool   // current partial word may still become an in-vocabulary word
	pb, pnb   float64
	best      float64 // largest single contribution this frame: decides whose timing is kept
	extra     float64 // language model + hotword score
	smear     float64 // look-ahead charged in extra for the unfinished word
	score     float64
	lm        State
}

func logAdd(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(b, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// childHash is the identity of the prefix h extended by tok.
func childHash(h uint64, tok int32) uint64 {
	x := h ^ (uint64(tok)+1)*0x9E3779B97F4A7C15
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return x
}

const rootHash uint64 = 0x6A09E667F3BCC908

// table maps prefix hashes to candidate indices; slots are invalidated by bumping gen.
type table struct {
	keys []uint64
	idx  []int32
	gens []uint32
	gen  uint32
	mask uint64
}

func newTable(n int) *table {
	size := 16
	for size < 2*n {
		size *= 2
	}
	return &table{keys: make([]uint64, size), idx: make([]int32, size), gens: make([]uint32, size), mask: uint64(size - 1)}
}

func (t *table) reset() { t.gen++ }

// find returns the candidate index stored for key, or the slot to store it in (as -1-slot).
func (t *table) find(key uint64) int {
	for s := key & t.mask; ; s = (s + 1) & t.mask {
		if t.gens[s] != t.gen {
			return -1 - int(s)
		}
		if t.keys[s] == key {
			return int(t.idx[s])
		}
	}
}

func (t *table) put(slot int, key uint64, i int) {
	t.keys[slot], t.idx[slot], t.gens[slot] = key, int32(i), t.gen
}

type tokLP struct {
	id int32
	lp float64
}

// searcher holds the state of one BeamSearch call.
type searcher struct {
	v     *Vocabulary
	cfg   BeamConfig
	nodes []node
	buf   []byte
	stack []int32
	ranks []rank
	look  PrefixScorer // nil without LookAhead
}

// BeamSearch runs CTC prefix beam search over post (Rows = frames, Cols = Size(), values
// log-probabilities) and returns up to cfg.Beam hypotheses, best first. With no error the
// list holds at least one hypothesis (empty for an empty matrix). NaN inputs count as -Inf.
// Per frame the work is proportional to Beam × TokenTopK.
func (v *Vocabulary) BeamSearch(post asr.Matrix, cfg BeamConfig) ([]Hypothesis, error) {
	if err := v.checkMatrix(post); err != nil {
		return nil, err
	}
	cfg, err := cfg.normalize(len(v.tokens))
	if err != nil {
		return nil, err
	}
	s := &searcher{v: v, cfg: cfg, nodes: make([]node, 0, 64)}
	if ps, ok := cfg.Scorer.(PrefixScorer); ok && cfg.LookAhead {
		s.look = ps
	}
	beam := []hyp{{hash: rootHash, node: rootNode, tok: -1, lastFrame: -1, pnb: math.Inf(-1), partialOK: true}}
	if cfg.Scorer != nil {
		beam[0].lm = cfg.Scorer.Start()
	}
	maxCand := cfg.Beam * (cfg.TokenTopK + 1)
	cands := make([]hyp, 0, maxCand)
	tab := newTable(maxCand)
	top := make([]tokLP, 0, cfg.TokenTopK+1)
	skipLP := math.Inf(1)
	if cfg.BlankSkip > 0 {
		skipLP = math.Log(float64(cfg.BlankSkip))
	}
	blank := v.blank
	boosted := cfg.Hotwords != nil || cfg.Scorer != nil
	var hasChild []bool
	for t := 0; t < post.Rows; t++ {
		row := post.Row(t)
		lpBlank := clean(row[blank])
		t32 := int32(t)
		if lpBlank >= skipLP {
			for i := range beam {
				h := &beam[i]
				stayB := logAdd(h.pb, h.pnb) + lpBlank
				stayNB := math.Inf(-1)
				if h.tok >= 0 {
					stayNB = h.pnb + clean(row[h.tok])
				}
				if stayNB > stayB {
					h.lastFrame = t32
				}
				h.pb, h.pnb = stayB, stayNB
			}
			continue
		}
		top = s.topTokens(row, lpBlank, top[:0])
		cands = cands[:0]
		tab.reset()
		// Prefixes that stay the same: blank, or a repeat of the last token.
		bound := math.Inf(1) // lowest stay score: with a full beam, worse new prefixes cannot survive
		for i := range beam {
			h := beam[i]
			total := logAdd(h.pb, h.pnb)
			stayB := total + lpBlank
			stayNB := math.Inf(-1)
			if h.tok >= 0 {
				stayNB = h.pnb + clean(row[h.tok])
			}
			if stayNB > stayB {
				h.lastFrame = t32
			}
			h.pb, h.pnb, h.best = stayB, stayNB, max(stayB, stayNB)
			bound = min(bound, h.best+h.extra)
			tab.put(-1-tab.find(h.hash), h.hash, len(cands))
			cands = append(cands, h)
		}
		if len(beam) < cfg.Beam {
			bound = math.Inf(-1)
		}
		// A prefix whose one-token extension is also in the beam must keep feeding it.
		hasChild = hasChild[:0]
		for range beam {
			hasChild = append(hasChild, false)
		}
		for i := range beam {
			if beam[i].tok >= 0 {
				if j := tab.find(beam[i].phash); j >= 0 {
					hasChild[j] = true
				}
			}
		}
		// Prefixes extended by one token.
		for i := range beam {
			h := &beam[i]
			total := logAdd(h.pb, h.pnb)
			for _, c := range top {
				var sc float64
				if c.id == h.tok {
					sc = h.pb + c.lp // a repeat is a new token only after a blank
				} else {
					sc = total + c.lp
					if sc+h.extra < bound && !boosted && !hasChild[i] {
						break // tokens come best first: the rest are worse still
					}
				}
				if math.IsInf(sc, -1) {
					continue
				}
				key := childHash(h.hash, c.id)
				j := tab.find(key)
				if j >= 0 {
					e := &cands[j]
					e.pnb = logAdd(e.pnb, sc)
					if sc > e.best {
						e.best = sc
						e.node, e.parent, e.frame, e.prevLast, e.lastFrame = pendingNode, h.node, t32, h.lastFrame, t32
					}
					continue
				}
				if sc+h.extra < bound && !boosted {
					continue
				}
				n := hyp{
					hash: key, phash: h.hash, node: pendingNode, parent: h.node, tok: c.id, frame: t32,
					prevLast: h.lastFrame, lastFrame: t32, boost: h.boost, partialOK: h.partialOK,
					pb: math.Inf(-1), pnb: sc, best: sc, extra: h.extra, smear: h.smear, lm: h.lm,
				}
				s.extend(h, &n)
				if sc+n.extra < bound {
					continue // a new prefix gets no further probability this frame
				}
				tab.put(-1-j, key, len(cands))
				cands = append(cands, n)
			}
		}
		beam = s.prune(cands, beam[:0])
		for i := range beam {
			h := &beam[i]
			if h.node == pendingNode {
				h.node = int32(len(s.nodes))
				s.nodes = append(s.nodes, node{parent: h.parent, tok: h.tok, frame: h.frame, prevLast: h.prevLast})
			}
		}
	}
	return s.finish(beam), nil
}

// topTokens returns the TokenTopK most probable non-blank tokens of row, best first,
// dropping those below the threshold.
func (s *searcher) topTokens(row []float32, lpBlank float64, top []tokLP) []tokLP {
	k := s.cfg.TokenTopK
	blank := s.v.blank
	floor := float32(math.Inf(-1)) // a token must beat this to enter: NaN and -Inf never do
	for id, x := range row {
		if !(x > floor) || id == blank {
			continue
		}
		lp := clean(x)
		if len(top) < k {
			top = append(top, tokLP{})
		}
		j := len(top) - 1
		for j > 0 && top[j-1].lp < lp {
			top[j] = top[j-1]
			j--
		}
		top[j] = tokLP{int32(id), lp}
		if len(top) == k {
			floor = float32(top[k-1].lp)
		}
	}
	if thr := float64(s.cfg.TokenThreshold); thr > 0 && len(top) > 0 {
		floor := max(lpBlank, top[0].lp) - thr
		n := 0
		for n < len(top) && top[n].lp >= floor {
			n++
		}
		top = top[:n]
	}
	return top
}

// extend applies the language model and booster to n, which is h extended by n.tok.
func (s *searcher) extend(h *hyp, n *hyp) {
	if b := s.cfg.Hotwords; b != nil {
		bonus, next := b.Advance(h.boost, int(n.tok))
		if bonus == bonus { // not NaN
			n.extra += bonus
		}
		n.boost = next
	}
	sc := s.cfg.Scorer
	if sc == nil {
		return
	}
	switch s.v.cls[n.tok] {
	case clsSep:
		s.scoreWord(h, n)
		n.partialOK = true
	case clsWordStart:
		s.scoreWord(h, n)
		n.partialOK = true
		s.checkPrefix(h, n, true)
	case clsText, clsByte:
		s.checkPrefix(h, n, false)
	}
}

// partial writes the current (unfinished) word of the prefix ending at tree node nd to s.buf.
func (s *searcher) partial(nd int32) {
	s.stack = s.stack[:0]
	for nd >= 0 {
		n := s.nodes[nd]
		cls := s.v.cls[n.tok]
		if cls == clsSep {
			break
		}
		s.stack = append(s.stack, n.tok)
		if cls == clsWordStart {
			break
		}
		nd = n.parent
	}
	s.buf = s.buf[:0]
	for i := len(s.stack) - 1; i >= 0; i-- {
		s.buf = append(s.buf, s.v.text[s.stack[i]]...)
	}
}

// scoreWord scores the word that h ends with, if any, into n.
func (s *searcher) scoreWord(h *hyp, n *hyp) {
	s.partial(h.node)
	if len(s.buf) == 0 {
		return
	}
	lp, next := s.cfg.Scorer.Score(h.lm, strings.ToValidUTF8(string(s.buf), "\uFFFD"))
	if lp != lp {
		lp = math.Inf(-1)
	}
	n.extra += s.cfg.LMWeight*lp + s.cfg.WordBonus - n.smear
	n.smear = 0
	n.lm = next
}

// checkPrefix applies UnknownPenalty and UnknownPerChar once n's partial word can no longer
// become a word, and UnknownPerChar for each character added to such a word; with look-ahead
// it charges the best score the partial word can still reach.
func (s *searcher) checkPrefix(h *hyp, n *hyp, fresh bool) {
	if s.cfg.UnknownPenalty == 0 && s.cfg.UnknownPerChar == 0 && s.look == nil {
		return
	}
	if !n.partialOK {
		n.extra += s.cfg.UnknownPerChar * float64(utf8.RuneCountInString(s.v.text[n.tok]))
		return
	}
	if fresh {
		s.buf = s.buf[:0]
	} else {
		s.partial(h.node)
	}
	s.buf = append(s.buf, s.v.text[n.tok]...)
	if len(s.buf) == 0 {
		return
	}
	var best float64
	var ok bool
	if s.look != nil {
		best, ok = s.look.PrefixScore(string(s.buf))
	} else {
		ok = s.cfg.Scorer.IsPrefix(string(s.buf))
	}
	if !ok {
		n.partialOK = false
		n.extra += s.cfg.UnknownPenalty + s.cfg.UnknownPerChar*float64(utf8.RuneCount(s.buf))
		return
	}
	if s.look != nil && best == best {
		sm := s.cfg.LMWeight * best
		n.extra += sm - n.smear
		n.smear = sm
	}
}

// prune keeps the best Beam candidates (those with a finite score, or the single best if
// none has one) and appends them to out.
func (s *searcher) prune(cands []hyp, out []hyp) []hyp {
	live := s.ranks[:0]
	bestI := 0
	for i := range cands {
		c := &cands[i]
		c.score = logAdd(c.pb, c.pnb) + c.extra
		if c.score != c.score {
			c.score = math.Inf(-1)
		}
		if c.score > cands[bestI].score {
			bestI = i
		}
		if !math.IsInf(c.score, -1) {
			live = append(live, rank{c.score, int32(i)})
		}
	}
	s.ranks = live
	if len(live) == 0 {
		return append(out, cands[bestI])
	}
	if len(live) > s.cfg.Beam {
		selectTop(live, s.cfg.Beam)
		live = live[:s.cfg.Beam]
	}
	for _, r := range live {
		out = append(out, cands[r.i])
	}
	return out
}

type rank struct {
	score float64
	i     int32
}

// selectTop reorders c so that its k highest-scoring elements come first (quickselect).
func selectTop(c []rank, k int) {
	lo, hi := 0, len(c)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		// median of three as pivot
		if c[mid].score > c[lo].score {
			c[mid], c[lo] = c[lo], c[mid]
		}
		if c[hi].score > c[lo].score {
			c[hi], c[lo] = c[lo], c[hi]
		}
		if c[hi].score > c[mid].score {
			c[hi], c[mid] = c[mid], c[hi]
		}
		pivot := c[mid].score
		i, j := lo, hi
		for i <= j {
			for c[i].score > pivot {
				i++
			}
			for c[j].score < pivot {
				j--
			}
			if i <= j {
				c[i], c[j] = c[j], c[i]
				i++
				j--
			}
		}
		switch {
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			return
		}
	}
}

// finish adds end-of-utterance scores and turns the beam into sorted hypotheses.
func (s *searcher) finish(beam []hyp) []Hypothesis {
	for i := range beam {
		h := &beam[i]
		if sc := s.cfg.Scorer; sc != nil {
			end := hyp{extra: h.extra, smear: h.smear, lm: h.lm}
			s.scoreWord(h, &end)
			if es, ok := sc.(EndScorer); ok {
				lp := es.End(end.lm)
				if lp != lp {
					lp = math.Inf(-1)
				}
				end.extra += s.cfg.LMWeight * lp
			}
			h.extra = end.extra
		}
		if b := s.cfg.Hotwords; b != nil {
			if f := b.Final(h.boost); f == f {
				h.extra += f
			}
		}
		h.score = logAdd(h.pb, h.pnb) + h.extra
		if h.score != h.score {
			h.score = math.Inf(-1)
		}
	}
	slices.SortStableFunc(beam, func(a, b hyp) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	out := make([]Hypothesis, len(beam))
	for i, h := range beam {
		n := 0
		for nd := h.node; nd >= 0; nd = s.nodes[nd].parent {
			n++
		}
		hy := Hypothesis{Tokens: make([]int, n), Frames: make([]int, n), LastFrames: make([]int, n), Score: h.score}
		last := h.lastFrame
		for nd, j := h.node, n-1; nd >= 0; nd, j = s.nodes[nd].parent, j-1 {
			x := s.nodes[nd]
			hy.Tokens[j], hy.Frames[j], hy.LastFrames[j] = int(x.tok), int(x.frame), int(last)
			last = x.prevLast
		}
		out[i] = hy
	}
	return out
}
