package lm

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
)

// Defaults for BuildOptions.
const (
	DefaultOrder     = 3
	DefaultVocabSize = 64000
)

// BuildOptions configures Build. The zero value means a trigram over the 64,000 most
// frequent words with no pruning and no size limit.
type BuildOptions struct {
	// Order is the n-gram order, 1..MaxOrder (0 → DefaultOrder). Word ids are packed into
	// 64-bit keys while counting, so Order × bits(vocabulary size) must fit in 64: order 4
	// allows 65,536 words, order 3 two million.
	Order int
	// VocabSize is how many of the most frequent words are kept (ties broken by spelling);
	// the others are counted as <unk>. 0 → DefaultVocabSize; negative → all words.
	VocabSize int
	// Prune[k] drops (k+1)-grams seen at most Prune[k] times (count cut-off; the probability
	// mass moves to the backoff). Prune[0] (unigrams) must be 0; the thresholds must not
	// decrease with the order; missing entries repeat the last one. nil means no pruning.
	Prune []int
	// MaxBytes, if positive, then drops the n-grams that matter least until the binary model
	// fits: those whose probability gains least over what the backoff would give, weighted
	// by how often they were seen (count × (log P(w|h) − log bo(h)·P(w|h')), the weighted
	// difference of Seymore & Rosenfeld). An n-gram that is the context of a kept one is kept.
	MaxBytes int64
}

// BuildInfo describes what Build did.
type BuildInfo struct {
	Sentences, Tokens int          // training sentences and words (before <s>, </s> are added)
	Types             int          // distinct words in the text
	UnkTokens         int          // tokens mapped to <unk> by the vocabulary cut
	Counted           []int        // distinct n-grams per order before pruning (unigrams: the vocabulary)
	Prune             []int        // count cut-offs used
	Fitted            bool         // MaxBytes pruning was needed
	Discounts         [][3]float64 // modified Kneser-Ney D1, D2, D3+ per order
}

// packing describes how n-grams of word ids are packed into uint64 keys, first word in the
// most significant bits, so that sorting keys sorts n-grams lexicographically.
type packing struct {
	b    uint // bits per word
	mask uint64
}

func (p packing) pack(ids []uint32) uint64 {
	var k uint64
	for _, id := range ids {
		k = k<<p.b | uint64(id)
	}
	return k
}

// counted is the sorted distinct n-grams of one order with their raw counts.
type counted struct {
	keys []uint64
	cnt  []uint32
}

// Build estimates an interpolated modified Kneser-Ney back-off model (Chen & Goodman) from
// c: raw counts at the highest order and for n-grams starting with <s>, continuation counts
// (distinct left neighbours) below; three discounts per order from the counts of counts;
// each order interpolated with the next lower one (the unigrams with the uniform
// distribution). Pruned n-grams hand their probability to the backoff weight, which is
// computed from the kept n-grams so that every context's distribution sums to one.
func Build(c *Corpus, opt BuildOptions) (*Model, BuildInfo, error) {
	var info BuildInfo
	order := opt.Order
	if order == 0 {
		order = DefaultOrder
	}
	if order < 1 || order > MaxOrder {
		return nil, info, fmt.Errorf("order %d is outside 1..%d", order, MaxOrder)
	}
	prune, err := pruneThresholds(opt.Prune, order)
	if err != nil {
		return nil, info, err
	}
	if c.Sentences() == 0 {
		return nil, info, errors.New("no text to build a language model from")
	}

	// Word counts and the token stream as type indices.
	index := map[string]int32{}
	var types []string
	var tcount []int64
	toks := make([]int32, 0, c.words)
	for i := range c.ends {
		for w := range bytes.SplitSeq(c.sentence(i), []byte{' '}) {
			t, ok := index[string(w)]
			if !ok {
				t = int32(len(types))
				types = append(types, string(w))
				tcount = append(tcount, 0)
				index[types[t]] = t
			}
			tcount[t]++
			toks = append(toks, t)
		}
	}
	index = nil
	info.Sentences, info.Tokens, info.Types = c.Sentences(), len(toks), len(types)

	// Vocabulary: the most frequent words plus <s>, </s>, <unk>, sorted by bytes.
	byFreq := make([]int32, len(types))
	for i := range byFreq {
		byFreq[i] = int32(i)
	}
	slices.SortFunc(byFreq, func(a, b int32) int {
		if tcount[a] != tcount[b] {
			if tcount[a] > tcount[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(types[a], types[b])
	})
	keep := opt.VocabSize
	if keep == 0 {
		keep = DefaultVocabSize
	}
	if keep < 0 || keep > len(byFreq) {
		keep = len(byFreq)
	}
	words := []string{BOS, EOS, Unk}
	for _, t := range byFreq[:keep] {
		words = append(words, types[t])
	}
	slices.Sort(words)
	m := &Model{order: order, lv: make([]level, order)}
	var blob strings.Builder
	m.offs = make([]uint32, 1, len(words)+1)
	for _, w := range words {
		blob.WriteString(w)
		m.offs = append(m.offs, uint32(blob.Len()))
	}
	m.vocab = blob.String()
	m.setSpecials()
	V := len(words)
	pk := packing{b: uint(bits.Len(uint(V - 1)))}
	pk.mask = 1<<pk.b - 1
	if int(pk.b)*order > 64 {
		maxV := 1 << (64 / order)
		return nil, info, fmt.Errorf("order %d supports at most %d words; lower the vocabulary size (now %d)", order, maxV-3, keep)
	}
	remap := make([]uint32, len(types))
	for i := range remap {
		remap[i] = uint32(m.unk)
	}
	for _, t := range byFreq[:keep] {
		remap[t] = uint32(m.ID(types[t]))
	}
	stream := make([]uint32, 0, len(toks)+2*len(c.ends))
	starts := make([]int, 0, len(c.ends)+1) // sentence i is stream[starts[i]:starts[i+1]]
	k := 0
	for i := range c.ends {
		starts = append(starts, len(stream))
		stream = append(stream, uint32(m.bos))
		n := bytes.Count(c.sentence(i), []byte{' '}) + 1
		for _, t := range toks[k : k+n] {
			id := remap[t]
			if id == uint32(m.unk) {
				info.UnkTokens++
			}
			stream = append(stream, id)
		}
		k += n
		stream = append(stream, uint32(m.eos))
	}
	starts = append(starts, len(stream))
	toks, types, tcount, remap, byFreq = nil, nil, nil, nil, nil

	// Raw counts per order.
	uni := make([]uint32, V)
	for _, id := range stream {
		uni[id]++
	}
	grams := make([]counted, order+1) // grams[n] for n ≥ 2
	buf := make([]uint64, 0, len(stream))
	for n := 2; n <= order; n++ {
		buf = buf[:0]
		for i := 0; i+1 < len(starts); i++ {
			for j := starts[i]; j+n <= starts[i+1]; j++ {
				buf = append(buf, pk.pack(stream[j:j+n]))
			}
		}
		grams[n] = uniq(buf)
	}
	buf = nil
	info.Counted = make([]int, order)
	info.Counted[0] = V
	for n := 2; n <= order; n++ {
		info.Counted[n-1] = len(grams[n].keys)
	}

	// Adjusted counts: raw at the top order and after <s>, continuation counts below.
	adj := make([][]uint32, order+1)
	adj1 := make([]uint32, V)
	if order == 1 {
		copy(adj1, uni)
	} else {
		for _, key := range grams[2].keys {
			adj1[key&pk.mask]++
		}
		adj[order] = grams[order].cnt
		for n := order - 1; n >= 2; n-- {
			adj[n] = continuation(grams[n], grams[n+1], pk, n, uint64(m.bos))
		}
	}
	adj1[m.bos] = 0

	info.Prune = prune

	// Discounts from counts of counts.
	info.Discounts = make([][3]float64, order)
	info.Discounts[0] = discounts(adj1)
	for n := 2; n <= order; n++ {
		info.Discounts[n-1] = discounts(adj[n])
	}

	// Unigrams: interpolated with the uniform distribution over all words but <s>.
	l0 := &m.lv[0]
	l0.prob = make([]float32, V)
	var total float64
	var nc [4]float64
	for id, a := range adj1 {
		if int32(id) != m.bos {
			total += float64(a)
			if a > 0 {
				nc[min(a, 3)]++
			}
		}
	}
	d := info.Discounts[0]
	gamma := (d[0]*nc[1] + d[1]*nc[2] + d[2]*nc[3]) / total
	for id, a := range adj1 {
		if int32(id) == m.bos {
			l0.prob[id] = noProb
			continue
		}
		p := gamma / float64(V-1)
		if a > 0 {
			p += (float64(a) - d[min(a, 3)-1]) / total
		}
		l0.prob[id] = float32(math.Log10(p))
	}

	// Higher orders, each interpolated with the model built so far.
	admit := func(n, x int) bool { return grams[n].cnt[x] > uint32(prune[n-1]) }
	scores := estimate(m, grams, adj, info.Discounts, pk, admit, opt.MaxBytes > 0)
	if opt.MaxBytes > 0 && modelBytes(m.Counts(), len(m.vocab)) > opt.MaxBytes {
		mask := fit(m, grams, scores, opt.MaxBytes)
		info.Fitted = true
		m = &Model{order: order, lv: make([]level, order), vocab: m.vocab, offs: m.offs, bos: m.bos, eos: m.eos, unk: m.unk}
		m.lv[0].prob = l0.prob
		estimate(m, grams, adj, info.Discounts, pk, func(n, x int) bool { return mask[n][x] }, false)
	}
	return m, info, nil
}

// entryScore is the pruning score of one n-gram, with its index among the counted n-grams.
type entryScore struct {
	x     int32
	score float32
}

// estimate builds orders 2..N of m (whose unigrams are set) from the counted n-grams that
// keep admits; with scores it also returns, per order and model entry, the weighted
// difference pruning score.
func estimate(m *Model, grams []counted, adj [][]uint32, disc [][3]float64, pk packing, keep func(n, x int) bool, scores bool) [][]entryScore {
	order := m.order
	var out [][]entryScore
	if scores {
		out = make([][]entryScore, order+1)
	}
	keptKeys := make([][]uint64, order+1)
	for n := 2; n <= order; n++ {
		m.order = n - 1
		var sc *[]entryScore
		if scores {
			sc = &out[n]
		}
		buildOrder(m, n, grams[n], adj[n], func(x int) bool { return keep(n, x) }, keptKeys, disc[n-1], pk, sc)
		if n > 2 {
			keptKeys[n-1] = nil
		}
	}
	m.order = order
	return out
}

// fit chooses the n-grams to keep so that the model fits in maxBytes: the highest scores,
// where an n-gram's score is raised to the best of its descendants' so that contexts of
// kept n-grams stay. It returns, per order, a mask over the counted n-grams.
func fit(m *Model, grams []counted, scores [][]entryScore, maxBytes int64) [][]bool {
	order := m.order
	// Propagate scores up the trie.
	for n := order - 1; n >= 2; n-- {
		l := &m.lv[n-1]
		for i := range scores[n] {
			for c := l.next[i]; c < l.next[i+1]; c++ {
				scores[n][i].score = max(scores[n][i].score, scores[n+1][c].score)
			}
		}
	}
	type cand struct {
		score float32
		bytes int32
	}
	var all []cand
	for n := 2; n <= order; n++ {
		b := int32(16)
		if n == order {
			b = 8
		}
		for _, e := range scores[n] {
			all = append(all, cand{e.score, b})
		}
	}
	slices.SortFunc(all, func(a, b cand) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	counts := make([]int, order)
	counts[0] = m.VocabSize()
	budget := maxBytes - modelBytes(counts, len(m.vocab))
	threshold := float32(math.Inf(-1))
	for _, c := range all {
		if budget < int64(c.bytes) {
			threshold = c.score // this one does not fit: keep only strictly better ones
			break
		}
		budget -= int64(c.bytes)
	}
	mask := make([][]bool, order+1)
	for n := 2; n <= order; n++ {
		mask[n] = make([]bool, len(grams[n].cnt))
		for _, e := range scores[n] {
			mask[n][e.x] = e.score > threshold
		}
	}
	return mask
}

// uniq sorts keys and returns the distinct ones with their counts (keys is reused).
func uniq(keys []uint64) counted {
	slices.Sort(keys)
	var out counted
	n := 0
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		n++
		i = j
	}
	out.keys = make([]uint64, 0, n)
	out.cnt = make([]uint32, 0, n)
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		out.keys = append(out.keys, keys[i])
		out.cnt = append(out.cnt, uint32(min(j-i, math.MaxUint32)))
		i = j
	}
	return out
}

// continuation returns the adjusted counts of the n-grams g: the number of distinct words
// seen before each (from the (n+1)-grams up), or the raw count for n-grams starting with <s>.
func continuation(g, up counted, pk packing, n int, bos uint64) []uint32 {
	sufMask := uint64(1)<<(pk.b*uint(n)) - 1
	if pk.b*uint(n) >= 64 {
		sufMask = math.MaxUint64
	}
	suf := make([]uint64, len(up.keys))
	for i, k := range up.keys {
		suf[i] = k & sufMask
	}
	sc := uniq(suf)
	out := make([]uint32, len(g.keys))
	shift := pk.b * uint(n-1)
	j := 0
	for i, k := range g.keys {
		if k>>shift == bos {
			out[i] = g.cnt[i]
			continue
		}
		for j < len(sc.keys) && sc.keys[j] < k {
			j++
		}
		if j < len(sc.keys) && sc.keys[j] == k {
			out[i] = sc.cnt[j]
		} else {
			out[i] = g.cnt[i]
		}
	}
	return out
}

// discounts computes the modified Kneser-Ney discounts D1, D2, D3+ from the counts of
// counts of adjusted counts, falling back to sane values where the text is too small.
func discounts(adj []uint32) [3]float64 {
	var n [5]float64
	for _, a := range adj {
		if a >= 1 && a <= 4 {
			n[a]++
		}
	}
	y := 0.5
	if n[1]+2*n[2] > 0 {
		y = n[1] / (n[1] + 2*n[2])
	}
	d := [3]float64{0.5, 1, 1.5}
	if n[1] > 0 {
		d[0] = 1 - 2*y*n[2]/n[1]
	}
	if n[2] > 0 {
		d[1] = 2 - 3*y*n[3]/n[2]
	}
	if n[3] > 0 {
		d[2] = 3 - 4*y*n[4]/n[3]
	}
	for i := range d {
		c := float64(i + 1)
		if !(d[i] >= 0.05*c && d[i] <= c-0.05) {
			d[i] = 0.5 * c
		}
	}
	return d
}

// pruneThresholds checks and completes the user's thresholds.
func pruneThresholds(p []int, order int) ([]int, error) {
	out := make([]int, order)
	for k := range out {
		switch {
		case k < len(p):
			out[k] = p[k]
		case k > 0:
			out[k] = out[k-1]
		}
		if out[k] < 0 {
			return nil, fmt.Errorf("prune threshold %d for %d-grams is negative", out[k], k+1)
		}
		if k > 0 && out[k] < out[k-1] {
			return nil, fmt.Errorf("prune thresholds must not decrease with the order (%d-grams %d, %d-grams %d)", k, out[k-1], k+1, out[k])
		}
	}
	if out[0] != 0 {
		return nil, fmt.Errorf("unigrams cannot be pruned (threshold %d); use the vocabulary size instead", out[0])
	}
	return out, nil
}

// modelBytes is the binary size of a model with these counts.
func modelBytes(counts []int, vocabBytes int) int64 {
	order := len(counts)
	s := int64(headerFixed+8*order+4) + int64(vocabBytes) + 4*int64(counts[0]+1)
	for k, c := range counts {
		per := int64(4)
		if k > 0 {
			per += 4
		}
		if k < order-1 {
			per += 8
			s += 4
		}
		s += per * int64(c)
	}
	return s
}

// buildOrder fills level n-1 (the n-grams) of m from the counted n-grams that keep admits
// and sets the backoff weights of level n-2, using m (orders below n) for the lower-order
// probabilities. With scores non-nil it appends each kept n-gram's pruning score.
func buildOrder(m *Model, n int, g counted, adj []uint32, keep func(x int) bool, keptKeys [][]uint64, d [3]float64, pk packing, scores *[]entryScore) {
	l := &m.lv[n-1]
	up := &m.lv[n-2]
	up.bo = make([]float32, up.len())
	up.next = make([]uint32, up.len()+1)
	var ctxKeys []uint64
	if n > 2 {
		ctxKeys = keptKeys[n-1]
	}
	var kept []uint64
	var hbuf [MaxOrder]uint32
	var lps []float64 // log10 P and log10 P_lower of the kept n-grams of one context
	ci := 0           // merge pointer into ctxKeys
	for i := 0; i < len(g.keys); {
		ctx := g.keys[i] >> pk.b
		j := i
		var total float64
		var nc [4]float64
		anyKept := false
		for j < len(g.keys) && g.keys[j]>>pk.b == ctx {
			a := adj[j]
			total += float64(a)
			nc[min(a, 3)]++
			anyKept = anyKept || keep(j)
			j++
		}
		// Position of the context among the kept (n-1)-grams.
		pos := -1
		if n == 2 {
			pos = int(ctx)
		} else {
			for ci < len(ctxKeys) && ctxKeys[ci] < ctx {
				ci++
			}
			if ci < len(ctxKeys) && ctxKeys[ci] == ctx {
				pos = ci
			}
		}
		if pos < 0 || !anyKept {
			i = j
			continue
		}
		gamma := (d[0]*nc[1] + d[1]*nc[2] + d[2]*nc[3]) / total
		// h' = the context without its first word.
		for t := 0; t < n-1; t++ {
			hbuf[n-2-t] = uint32(ctx >> (pk.b * uint(t)) & pk.mask)
		}
		lower := hbuf[1 : n-1]
		var sumP, sumLower float64
		lps = lps[:0]
		for x := i; x < j; x++ {
			if !keep(x) {
				continue
			}
			w := uint32(g.keys[x] & pk.mask)
			a := float64(adj[x])
			lpl := m.logProb10(lower, w)
			pl := math.Pow(10, lpl)
			p := (a-d[min(adj[x], 3)-1])/total + gamma*pl
			sumP += p
			sumLower += pl
			l.word = append(l.word, w)
			l.prob = append(l.prob, float32(math.Log10(p)))
			kept = append(kept, g.keys[x])
			up.next[pos+1]++
			if scores != nil {
				lps = append(lps, math.Log10(p), lpl)
			}
		}
		num := max(1-sumP, 1e-12)
		den := max(1-sumLower, 1e-12)
		bo := math.Log10(num / den)
		up.bo[pos] = float32(bo)
		if scores != nil {
			k := 0
			for x := i; x < j; x++ {
				if !keep(x) {
					continue
				}
				gain := lps[2*k] - (bo + lps[2*k+1])
				*scores = append(*scores, entryScore{int32(x), float32(float64(g.cnt[x]) * gain)})
				k++
			}
		}
		i = j
	}
	for x := 1; x < len(up.next); x++ {
		up.next[x] += up.next[x-1]
	}
	l.word = slices.Clip(l.word)
	l.prob = slices.Clip(l.prob)
	keptKeys[n] = kept
}
