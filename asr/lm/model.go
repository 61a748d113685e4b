package lm

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// MaxOrder is the largest n-gram order Hark reads or builds.
const MaxOrder = 6

// Special words. BOS is never predicted; EOS ends a sentence; Unk stands for every word
// outside the vocabulary.
const (
	BOS = "<s>"
	EOS = "</s>"
	Unk = "<unk>"
)

// noProb is the log10 probability ARPA files give words that are never predicted (<s>).
const noProb = -99

// Model is a backoff n-gram language model held in flat sorted arrays: a vocabulary sorted
// by bytes (word id = rank) and, per order, the n-grams as a trie laid out level by level —
// the children of an n-gram are a contiguous run of the next level, sorted by word id, so
// every lookup is a binary search. Probabilities and backoff weights are log10, as in ARPA.
// A Model is immutable and safe for concurrent use.
type Model struct {
	order int
	vocab string   // all words, concatenated in sorted order
	offs  []uint32 // word i is vocab[offs[i]:offs[i+1]]
	lv    []level  // lv[k] holds the (k+1)-grams
	bos   int32    // id of <s>, -1 if absent
	eos   int32
	unk   int32
}

// level is one order of the trie.
type level struct {
	word []uint32  // last word of each n-gram; nil for unigrams (the id is the index)
	prob []float32 // log10 P(word | context)
	bo   []float32 // log10 backoff weight as a context; nil at the highest order
	next []uint32  // children of entry i are next[i]..next[i+1] in the next level; nil at the highest order
}

func (l *level) len() int { return len(l.prob) }

// Order is the model's n-gram order.
func (m *Model) Order() int { return m.order }

// Counts returns the number of n-grams of each order, unigrams first.
func (m *Model) Counts() []int {
	c := make([]int, m.order)
	for k := range m.lv {
		c[k] = m.lv[k].len()
	}
	return c
}

// VocabSize is the number of words, including <s>, </s> and <unk> where present.
func (m *Model) VocabSize() int { return len(m.offs) - 1 }

// Word returns the word with id i (ids are ranks in byte order).
func (m *Model) Word(i int) string { return m.vocab[m.offs[i]:m.offs[i+1]] }

// ID returns the id of word, or -1.
func (m *Model) ID(word string) int {
	lo, hi := 0, m.VocabSize()
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if m.Word(mid) < word {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < m.VocabSize() && m.Word(lo) == word {
		return lo
	}
	return -1
}

// HasPrefix reports whether some word of the vocabulary starts with p (special words
// such as <s> included; they start with '<').
func (m *Model) HasPrefix(p string) bool {
	lo, hi := 0, m.VocabSize()
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if m.Word(mid) < p {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo < m.VocabSize() && strings.HasPrefix(m.Word(lo), p)
}

// prefixRange returns the ids lo..hi-1 of the words that begin with p (a contiguous run, the
// vocabulary being sorted by bytes); lo == hi when there are none.
func (m *Model) prefixRange(p string) (lo, hi int) {
	n := m.VocabSize()
	lo = sort.Search(n, func(i int) bool { return m.Word(i) >= p })
	hi = lo + sort.Search(n-lo, func(j int) bool { return !strings.HasPrefix(m.Word(lo+j), p) })
	return lo, hi
}

// HasUnk reports whether the model has an <unk> word.
func (m *Model) HasUnk() bool { return m.unk >= 0 }

// Bytes is the memory held by the model's arrays.
func (m *Model) Bytes() int {
	n := len(m.vocab) + 4*len(m.offs)
	for _, l := range m.lv {
		n += 4 * (len(l.word) + len(l.prob) + len(l.bo) + len(l.next))
	}
	return n
}

// child finds word w among the children of entry pos of level k; it returns the index in
// level k+1.
func (m *Model) child(k, pos int, w uint32) (int, bool) {
	l := &m.lv[k]
	lo, hi := int(l.next[pos]), int(l.next[pos+1])
	words := m.lv[k+1].word
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if words[mid] < w {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < int(l.next[pos+1]) && words[lo] == w {
		return lo, true
	}
	return 0, false
}

// find returns the index of the n-gram ids in level len(ids)-1.
func (m *Model) find(ids []uint32) (int, bool) {
	if len(ids) == 0 || len(ids) > m.order || int(ids[0]) >= m.VocabSize() {
		return 0, false
	}
	pos := int(ids[0])
	for k := 1; k < len(ids); k++ {
		var ok bool
		if pos, ok = m.child(k-1, pos, ids[k]); !ok {
			return 0, false
		}
	}
	return pos, true
}

// logProb10 returns log10 P(w | ctx) with backoff: the probability of the longest n-gram
// suffix-of-ctx + w in the model, plus the backoff weights of the longer contexts that
// exist. ctx holds word ids, most recent last; only the last order-1 are used.
func (m *Model) logProb10(ctx []uint32, w uint32) float64 {
	if len(ctx) >= m.order {
		ctx = ctx[len(ctx)-(m.order-1):]
	}
	var bo float64
	for start := 0; start <= len(ctx); start++ {
		h := ctx[start:]
		if len(h) == 0 {
			return bo + float64(m.lv[0].prob[w])
		}
		pos, ok := m.find(h)
		if !ok {
			continue // no such context: backoff weight 1
		}
		k := len(h) - 1
		if c, ok := m.child(k, pos, w); ok {
			return bo + float64(m.lv[k+1].prob[c])
		}
		bo += float64(m.lv[k].bo[pos])
	}
	return bo // unreachable: the empty context always answers
}

// nextContext returns the longest suffix of ctx+w (at most order-1 words) that exists in
// the model, written into dst.
func (m *Model) nextContext(dst, ctx []uint32, w uint32) []uint32 {
	dst = append(dst[:0], ctx...)
	dst = append(dst, w)
	if m.order == 1 {
		return dst[:0]
	}
	if len(dst) > m.order-1 {
		dst = dst[len(dst)-(m.order-1):]
	}
	for len(dst) > 0 {
		if _, ok := m.find(dst); ok {
			return dst
		}
		dst = dst[1:]
	}
	return dst
}

// LogProb10 returns log10 P(word | context) for words given as strings; unknown words are
// scored as <unk> (or -99 if the model has none). The context is the preceding words, most
// recent last; only the last Order()-1 are used. Begin the context with <s> to condition on
// the start of a sentence.
func (m *Model) LogProb10(context []string, word string) float64 {
	ids := make([]uint32, 0, len(context))
	for _, c := range context {
		ids = append(ids, m.idOrUnk(c))
	}
	id := m.ID(word)
	if id < 0 {
		if m.unk < 0 {
			return noProb
		}
		id = int(m.unk)
	}
	return m.logProb10(ids, uint32(id))
}

// idOrUnk maps a word to its id, or to <unk>'s (or an id no n-gram uses, if none).
func (m *Model) idOrUnk(w string) uint32 {
	if id := m.ID(w); id >= 0 {
		return uint32(id)
	}
	if m.unk >= 0 {
		return uint32(m.unk)
	}
	return math.MaxUint32
}

// setSpecials finds <s>, </s> and <unk>.
func (m *Model) setSpecials() {
	m.bos, m.eos, m.unk = int32(m.ID(BOS)), int32(m.ID(EOS)), int32(m.ID(Unk))
}

// check verifies the structure of a model read from a file, so that no lookup can go out
// of range: sorted unique vocabulary, consistent child ranges, sorted children, finite
// numbers.
func (m *Model) check() error {
	if m.order < 1 || m.order > MaxOrder || len(m.lv) != m.order {
		return fmt.Errorf("order %d is outside 1..%d", m.order, MaxOrder)
	}
	v := len(m.offs) - 1
	if v < 1 {
		return fmt.Errorf("empty vocabulary")
	}
	if m.offs[0] != 0 || int(m.offs[v]) != len(m.vocab) {
		return fmt.Errorf("vocabulary offsets do not cover the word list")
	}
	for i := 0; i < v; i++ {
		if m.offs[i+1] <= m.offs[i] {
			return fmt.Errorf("word %d is empty or out of order", i)
		}
		if i > 0 && m.Word(i-1) >= m.Word(i) {
			return fmt.Errorf("vocabulary is not sorted at word %d %q", i, m.Word(i))
		}
		if strings.ContainsAny(m.Word(i), " \t\n\r\v\f") {
			return fmt.Errorf("word %d %q contains white space", i, m.Word(i))
		}
	}
	for k := range m.lv {
		l := &m.lv[k]
		n := l.len()
		if k == 0 && n != v {
			return fmt.Errorf("%d unigrams for %d words", n, v)
		}
		if (k == 0) != (l.word == nil) || (k > 0 && len(l.word) != n) {
			return fmt.Errorf("order %d: word array has the wrong length", k+1)
		}
		top := k == m.order-1
		if top != (l.bo == nil) || (!top && len(l.bo) != n) {
			return fmt.Errorf("order %d: backoff array has the wrong length", k+1)
		}
		if top != (l.next == nil) || (!top && len(l.next) != n+1) {
			return fmt.Errorf("order %d: child index has the wrong length", k+1)
		}
		for i, p := range l.prob {
			if !(p <= 0) || math.IsInf(float64(p), -1) {
				return fmt.Errorf("order %d, n-gram %d: log probability %v is not finite and <= 0", k+1, i, p)
			}
		}
		for i, b := range l.bo {
			if math.IsNaN(float64(b)) || math.IsInf(float64(b), 0) {
				return fmt.Errorf("order %d, n-gram %d: backoff %v is not finite", k+1, i, b)
			}
		}
		for _, w := range l.word {
			if int(w) >= v {
				return fmt.Errorf("order %d: word id %d out of range", k+1, w)
			}
		}
		if top {
			continue
		}
		nn := m.lv[k+1].len()
		if l.next[0] != 0 || int(l.next[n]) != nn {
			return fmt.Errorf("order %d: child index does not cover order %d", k+1, k+2)
		}
		words := m.lv[k+1].word
		for i := 0; i < n; i++ {
			lo, hi := l.next[i], l.next[i+1]
			if hi < lo {
				return fmt.Errorf("order %d: child index decreases at n-gram %d", k+1, i)
			}
			for j := lo + 1; j < hi; j++ {
				if words[j-1] >= words[j] {
					return fmt.Errorf("order %d: children of n-gram %d are not sorted", k+2, i)
				}
			}
		}
	}
	return nil
}
