package ctc

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"hark/asr"
)

// probs builds a log-prob matrix from rows of probabilities.
func probs(rows ...[]float64) asr.Matrix {
	m := asr.Matrix{Rows: len(rows)}
	if len(rows) > 0 {
		m.Cols = len(rows[0])
	}
	for _, r := range rows {
		for _, p := range r {
			m.Data = append(m.Data, float32(math.Log(p)))
		}
	}
	return m
}

// spikes builds a peaky matrix: frame t puts p on token seq[t] and spreads the rest.
func spikes(vocab int, p float64, seq ...int) asr.Matrix {
	rows := make([][]float64, len(seq))
	for t, k := range seq {
		r := make([]float64, vocab)
		for j := range r {
			r[j] = (1 - p) / float64(vocab-1)
		}
		r[k] = p
		rows[t] = r
	}
	return probs(rows...)
}

var abVocab = []string{"<blk>", "a", "b", "<space>"}

func beam1(t *testing.T, v *Vocabulary, m asr.Matrix, cfg BeamConfig) Hypothesis {
	t.Helper()
	hs, err := v.BeamSearch(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) == 0 {
		t.Fatal("no hypotheses")
	}
	for i := 1; i < len(hs); i++ {
		if hs[i].Score > hs[i-1].Score {
			t.Fatalf("n-best not sorted: %v", hs)
		}
	}
	return hs[0]
}

func TestGreedyBlankAndRepeat(t *testing.T) {
	v := mustVocab(t, abVocab...)
	for _, tc := range []struct {
		seq  []int
		want string
	}{
		{[]int{1, 1}, "a"},
		{[]int{1, 0, 1}, "aa"},
		{[]int{0, 1, 1, 0, 0, 2, 3, 1, 0}, "ab a"},
		{[]int{0, 0}, ""},
	} {
		m := spikes(4, 0.9, tc.seq...)
		g, err := v.Greedy(m)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.Text(g.Tokens); got != tc.want {
			t.Errorf("greedy %v = %q, want %q", tc.seq, got, tc.want)
		}
		b := beam1(t, v, m, BeamConfig{})
		if !slices.Equal(b.Tokens, g.Tokens) {
			t.Errorf("beam %v = %v, greedy %v", tc.seq, b.Tokens, g.Tokens)
		}
	}
}

func TestGreedyAndBeamAgree(t *testing.T) {
	v := mustVocab(t, abVocab...)
	m := spikes(4, 0.8, 0, 1, 1, 0, 2, 0, 3, 3, 2, 0, 0, 1, 0, 1, 0)
	g, _ := v.Greedy(m)
	for _, cfg := range []BeamConfig{{}, {Beam: 1}, {Beam: 16, TokenTopK: 2}, {BlankSkip: 0.5}, {TokenThreshold: 3}} {
		b := beam1(t, v, m, cfg)
		if !slices.Equal(b.Tokens, g.Tokens) || !slices.Equal(b.Frames, g.Frames) || !slices.Equal(b.LastFrames, g.LastFrames) {
			t.Errorf("%+v: beam %+v, greedy %+v", cfg, b, g)
		}
	}
	if got := v.Text(g.Tokens); got != "ab baa" {
		t.Errorf("text %q", got)
	}
}

// The best path is all blanks, but "a" is more probable summed over its alignments.
func TestBeamBeatsGreedy(t *testing.T) {
	v := mustVocab(t, "<blk>", "a")
	m := probs([]float64{0.6, 0.4}, []float64{0.6, 0.4})
	g, _ := v.Greedy(m)
	if len(g.Tokens) != 0 || math.Abs(g.Score-math.Log(0.36)) > 1e-6 {
		t.Fatalf("greedy %+v", g)
	}
	hs, err := v.BeamSearch(m, BeamConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(hs[0].Tokens, []int{1}) || math.Abs(hs[0].Score-math.Log(0.64)) > 1e-6 {
		t.Fatalf("beam best %+v", hs[0])
	}
	if len(hs) != 2 || len(hs[1].Tokens) != 0 || math.Abs(hs[1].Score-math.Log(0.36)) > 1e-6 {
		t.Fatalf("beam second %+v", hs)
	}
}

// exact returns the total probability of every label sequence by enumerating all paths.
func exact(m asr.Matrix, blank int) map[string]float64 {
	out := map[string]float64{}
	path := make([]int, m.Rows)
	var rec func(t int, lp float64)
	rec = func(t int, lp float64) {
		if t == m.Rows {
			var key []string
			prev := blank
			for _, k := range path {
				if k != blank && k != prev {
					key = append(key, string(rune('0'+k)))
				}
				prev = k
			}
			out[strings.Join(key, ",")] += math.Exp(lp)
			return
		}
		for k := 0; k < m.Cols; k++ {
			path[t] = k
			rec(t+1, lp+float64(m.Row(t)[k]))
		}
	}
	rec(0, 0)
	return out
}

func TestBeamMatchesExactSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	v := mustVocab(t, "<blk>", "a", "b")
	for trial := 0; trial < 20; trial++ {
		m := asr.Matrix{Rows: 1 + rng.IntN(5), Cols: 3}
		for i := 0; i < m.Rows*m.Cols; i++ {
			m.Data = append(m.Data, float32(rng.NormFloat64()*2))
		}
		LogSoftmax(m)
		want := exact(m, 0)
		hs, err := v.BeamSearch(m, BeamConfig{Beam: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) != len(want) {
			t.Fatalf("trial %d: %d hypotheses, want %d", trial, len(hs), len(want))
		}
		for _, h := range hs {
			var key []string
			for _, k := range h.Tokens {
				key = append(key, string(rune('0'+k)))
			}
			p := want[strings.Join(key, ",")]
			if math.Abs(math.Exp(h.Score)-p) > 1e-5 {
				t.Errorf("trial %d: %v: beam %g, exact %g", trial, key, math.Exp(h.Score), p)
			}
		}
	}
}

func TestTimestampsAndWords(t *testing.T) {
	v := mustVocab(t, abVocab...)
	//           0  1  2  3  4  5  6  7  8  9
	seq := []int{0, 1, 1, 1, 2, 0, 3, 0, 2, 2}
	m := spikes(4, 0.9, seq...)
	wantF, wantL := []int{1, 4, 6, 8}, []int{3, 4, 6, 9}
	g, _ := v.Greedy(m)
	b := beam1(t, v, m, BeamConfig{})
	for _, h := range []Hypothesis{g, b} {
		if !slices.Equal(h.Frames, wantF) || !slices.Equal(h.LastFrames, wantL) {
			t.Errorf("frames %v last %v, want %v %v", h.Frames, h.LastFrames, wantF, wantL)
		}
		words := v.Words(h, m, 0.04)
		if len(words) != 2 || words[0].Word != "ab" || words[1].Word != "b" {
			t.Fatalf("words %+v", words)
		}
		near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
		if !near(words[0].Start, 0.04) || !near(words[0].End, 0.20) || !near(words[1].Start, 0.32) || !near(words[1].End, 0.40) {
			t.Errorf("times %+v", words)
		}
		for _, w := range words {
			if math.Abs(w.Confidence-0.9) > 1e-5 {
				t.Errorf("confidence %v, want 0.9", w.Confidence)
			}
		}
	}
	// Without LastFrames a word ends after its last spike; without post, confidence is 0.
	w := v.Words(Hypothesis{Tokens: []int{1, 2}, Frames: []int{2, 5}}, asr.Matrix{}, 0.1)
	if len(w) != 1 || w[0].Start != 0.2 || math.Abs(w[0].End-0.6) > 1e-9 || w[0].Confidence != 0 {
		t.Errorf("words %+v", w)
	}
	if w := v.Words(Hypothesis{}, m, 0.04); len(w) != 0 {
		t.Errorf("empty hypothesis words %+v", w)
	}
}

func TestSentencePieceWords(t *testing.T) {
	v := mustVocab(t, "<blk>", "▁the", "▁c", "at", "s", "<unk>")
	m := spikes(6, 0.8, 1, 0, 2, 0, 3, 3, 4, 0)
	h := beam1(t, v, m, BeamConfig{})
	words := v.Words(h, m, 0.04)
	if v.Text(h.Tokens) != "the cats" || len(words) != 2 || words[1].Word != "cats" ||
		math.Abs(words[1].Start-0.08) > 1e-9 || math.Abs(words[1].End-0.28) > 1e-9 {
		t.Errorf("text %q words %+v", v.Text(h.Tokens), words)
	}
}

// fakeLM is a unigram word model; the state counts scored words.
type fakeLM struct {
	words map[string]float64
	ended *int
}

func (f fakeLM) Start() State { return 0 }
func (f fakeLM) Score(s State, w string) (float64, State) {
	if p, ok := f.words[w]; ok {
		return math.Log(p), s.(int) + 1
	}
	return math.Log(1e-6), s.(int) + 1
}
func (f fakeLM) IsPrefix(p string) bool {
	for w := range f.words {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}
func (f fakeLM) PrefixScore(p string) (float64, bool) {
	best, ok := math.Inf(-1), false
	for w, pr := range f.words {
		if strings.HasPrefix(w, p) {
			best, ok = max(best, math.Log(pr)), true
		}
	}
	return best, ok
}
func (f fakeLM) End(s State) float64 {
	if f.ended != nil {
		*f.ended = max(*f.ended, s.(int))
	}
	return 0
}

func TestScorerChangesResult(t *testing.T) {
	v := mustVocab(t, "<blk>", "c", "a", "t", "r", "|")
	// "ca?|ca?" where the third letter leans to r acoustically.
	amb := []float64{0.05, 0.01, 0.01, 0.38, 0.54, 0.01}
	rows := [][]float64{}
	for i := 0; i < 2; i++ {
		rows = append(rows,
			[]float64{0.1, 0.85, 0.01, 0.02, 0.01, 0.01},
			[]float64{0.1, 0.01, 0.85, 0.02, 0.01, 0.01},
			amb,
			[]float64{0.05, 0.01, 0.01, 0.01, 0.01, 0.91})
	}
	m := probs(rows[:7]...)
	if h := beam1(t, v, m, BeamConfig{}); v.Text(h.Tokens) != "car car" {
		t.Fatalf("without LM: %q", v.Text(h.Tokens))
	}
	ended := 0
	lm := fakeLM{words: map[string]float64{"cat": 0.5, "car": 0.01}, ended: &ended}
	h := beam1(t, v, m, BeamConfig{Scorer: lm, LMWeight: 1})
	if v.Text(h.Tokens) != "cat cat" {
		t.Errorf("with LM: %q", v.Text(h.Tokens))
	}
	if ended != 2 {
		t.Errorf("End saw %d scored words, want 2 (one at the separator, one at the end)", ended)
	}
	// The hypothesis score includes α·log P for both words.
	noLM := beam1(t, v, m, BeamConfig{Beam: 64, TokenTopK: 5})
	all, _ := v.BeamSearch(m, BeamConfig{Beam: 64, TokenTopK: 5, Scorer: lm, LMWeight: 1, WordBonus: 0.25})
	for _, x := range all {
		if v.Text(x.Tokens) == "car car" {
			want := noLM.Score + 2*math.Log(0.01) + 2*0.25
			if math.Abs(x.Score-want) > 1e-6 {
				t.Errorf("car car score %v, want %v", x.Score, want)
			}
		}
	}
}

func TestUnknownPenalty(t *testing.T) {
	v := mustVocab(t, "<blk>", "c", "a", "t", "x")
	m := probs(
		[]float64{0.1, 0.8, 0.04, 0.03, 0.03},
		[]float64{0.1, 0.03, 0.40, 0.03, 0.44},
		[]float64{0.1, 0.03, 0.03, 0.8, 0.04},
	)
	lm := fakeLM{words: map[string]float64{"cat": 0.5}}
	if h := beam1(t, v, m, BeamConfig{}); v.Text(h.Tokens) != "cxt" {
		t.Fatalf("acoustic best %q", v.Text(h.Tokens))
	}
	// Weight the LM lightly so only the penalty, applied while searching, decides.
	h := beam1(t, v, m, BeamConfig{Beam: 2, Scorer: lm, LMWeight: 1e-9, UnknownPenalty: -5})
	if v.Text(h.Tokens) != "cat" {
		t.Errorf("with penalty: %q", v.Text(h.Tokens))
	}
}

// TestUnknownWordsNotGlued is the bundled sample's "hare crigts" case: a known word followed by
// an unknown one, where the acoustics lean slightly to no word boundary. A fixed cost per
// unknown word makes gluing them into one unknown word ("harecrigts") cheaper than the split,
// which pays the LM for "hare" on top; a cost per character of unknown word, charged as the
// word grows, makes the split win.
func TestUnknownWordsNotGlued(t *testing.T) {
	v := mustVocab(t, "<blk>", "h", "a", "r", "e", "c", "i", "g", "t", "s", "|")
	letter := func(k int) []float64 {
		row := make([]float64, 11)
		for i := range row {
			row[i] = 0.01
		}
		row[k] = 0.9
		return row
	}
	rows := [][]float64{letter(1), letter(2), letter(3), letter(4)}
	gap := make([]float64, 11)
	gap[0], gap[10] = 0.55, 0.45 // blank (no boundary) slightly more likely than the separator
	rows = append(rows, gap)
	for _, k := range []int{5, 3, 6, 7, 8, 9} {
		rows = append(rows, letter(k))
	}
	m := probs(rows...)
	lm := fakeLM{words: map[string]float64{"hare": 0.1, "down": 0.2}}
	glued := BeamConfig{Beam: 8, Scorer: lm, LMWeight: 1, UnknownPenalty: -2}
	if h := beam1(t, v, m, glued); v.Text(h.Tokens) != "harecrigts" {
		t.Fatalf("per-word cost only: %q (the case this test is about no longer arises)", v.Text(h.Tokens))
	}
	split := glued
	split.UnknownPerChar = -1
	if h := beam1(t, v, m, split); v.Text(h.Tokens) != "hare crigts" {
		t.Errorf("per-character cost: %q, want the words apart", v.Text(h.Tokens))
	}
	// The cost is charged while the word grows: the glued hypothesis pays 10 characters, the
	// split one 6.
	all, _ := v.BeamSearch(m, BeamConfig{Beam: 64, TokenTopK: 11, Scorer: lm, LMWeight: 1, UnknownPerChar: -1})
	base, _ := v.BeamSearch(m, BeamConfig{Beam: 64, TokenTopK: 11, Scorer: lm, LMWeight: 1})
	diff := map[string]float64{}
	for _, x := range all {
		diff[v.Text(x.Tokens)] += x.Score
	}
	for _, x := range base {
		diff[v.Text(x.Tokens)] -= x.Score
	}
	for text, want := range map[string]float64{"harecrigts": -10, "hare crigts": -6} {
		if d, ok := diff[text]; !ok || math.Abs(d-want) > 1e-6 {
			t.Errorf("%q: per-character cost %v, want %v", text, d, want)
		}
	}
}

// TestLookAhead checks that look-ahead only moves when the LM is paid, not how much: every
// complete hypothesis scores the same with and without it.
func TestLookAhead(t *testing.T) {
	v := mustVocab(t, "<blk>", "c", "a", "t", "r", "|")
	amb := []float64{0.05, 0.01, 0.01, 0.38, 0.54, 0.01}
	m := probs(
		[]float64{0.1, 0.85, 0.01, 0.02, 0.01, 0.01},
		[]float64{0.1, 0.01, 0.85, 0.02, 0.01, 0.01},
		amb,
		[]float64{0.05, 0.01, 0.01, 0.01, 0.01, 0.91},
		[]float64{0.1, 0.85, 0.01, 0.02, 0.01, 0.01})
	lm := fakeLM{words: map[string]float64{"cat": 0.5, "car": 0.01, "ca": 0.001}}
	// A beam wide enough to keep every prefix of these 5 frames: pruning, which look-ahead is
	// meant to change, plays no part.
	cfg := BeamConfig{Beam: MaxBeam, TokenTopK: 5, Scorer: lm, LMWeight: 0.7, WordBonus: 0.3, UnknownPenalty: -2, UnknownPerChar: -0.5}
	plain, err := v.BeamSearch(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.LookAhead = true
	look, err := v.BeamSearch(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	scores := map[string]float64{}
	for _, h := range plain {
		scores[fmt.Sprint(h.Tokens)] = h.Score
	}
	same := 0
	for _, h := range look {
		if want, ok := scores[fmt.Sprint(h.Tokens)]; ok {
			same++
			if math.Abs(h.Score-want) > 1e-9 {
				t.Errorf("%q: %v with look-ahead, %v without", v.Text(h.Tokens), h.Score, want)
			}
		}
	}
	if same != len(plain) || len(plain) < 100 {
		t.Fatalf("%d hypotheses in common of %d and %d", same, len(plain), len(look))
	}
}

func TestHotwordsStateMachine(t *testing.T) {
	hw, err := NewHotwords([][]int{{1, 2, 3}, {1, 2}, {5, 6}}, []float32{2, 0, 1})
	if err != nil {
		t.Fatal(err)
	}
	run := func(toks ...int) float64 {
		var total float64
		s := int32(0)
		for _, k := range toks {
			b, n := hw.Advance(s, k)
			total += b
			s = n
		}
		return total + hw.Final(s)
	}
	for _, tc := range []struct {
		toks []int
		want float64
	}{
		{[]int{1, 2, 3}, 6},
		{[]int{1, 2}, 4},       // the shorter phrase completes; the longer one's prefix coincides
		{[]int{1, 2, 4}, 4},    // "1 2" completed, extension broken off
		{[]int{1, 4, 2}, 0},    // broken off: bonus withdrawn
		{[]int{1}, 0},          // utterance ends inside a phrase
		{[]int{1, 1, 2, 3}, 6}, // failure link re-matches
		{[]int{5, 6, 5, 6}, 4},
		{[]int{7, 5, 1, 2, 3, 5, 6}, 8},
	} {
		if got := run(tc.toks...); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%v: total %v, want %v", tc.toks, got, tc.want)
		}
	}
	if _, err := NewHotwords([][]int{{}}, nil); err == nil {
		t.Error("empty phrase accepted")
	}
	if _, err := NewHotwords([][]int{{-1}}, nil); err == nil {
		t.Error("negative token accepted")
	}
	if b, n := hw.Advance(99, 1); b != 2 || n == 0 {
		t.Errorf("bad state not treated as start: %v %v", b, n)
	}
}

func TestHotwordsInSearch(t *testing.T) {
	v := mustVocab(t, "<blk>", "a", "b", "c", "d")
	// Frame 2 is ambiguous between c (0.45) and d (0.47).
	mk := func(third []float64) asr.Matrix {
		return probs(
			[]float64{0.05, 0.9, 0.02, 0.01, 0.02},
			[]float64{0.05, 0.02, 0.9, 0.02, 0.01},
			third,
		)
	}
	amb := mk([]float64{0.05, 0.01, 0.02, 0.45, 0.47})
	hw, _ := NewHotwords([][]int{{1, 2, 3}}, []float32{1})
	if h := beam1(t, v, amb, BeamConfig{}); v.Text(h.Tokens) != "abd" {
		t.Fatalf("no boost: %q", v.Text(h.Tokens))
	}
	h := beam1(t, v, amb, BeamConfig{Hotwords: hw})
	if v.Text(h.Tokens) != "abc" {
		t.Errorf("boosted: %q", v.Text(h.Tokens))
	}
	// Clear "abd": the partial match's bonus is withdrawn, the score is the acoustic one.
	clear := mk([]float64{0.05, 0.01, 0.02, 0.02, 0.9})
	plain := beam1(t, v, clear, BeamConfig{})
	boosted := beam1(t, v, clear, BeamConfig{Hotwords: hw})
	if v.Text(boosted.Tokens) != "abd" || math.Abs(boosted.Score-plain.Score) > 1e-9 {
		t.Errorf("partial match: %q score %v, plain %v", v.Text(boosted.Tokens), boosted.Score, plain.Score)
	}
}

func TestEmptyAndErrors(t *testing.T) {
	v := mustVocab(t, abVocab...)
	g, err := v.Greedy(asr.Matrix{})
	if err != nil || len(g.Tokens) != 0 {
		t.Errorf("greedy empty: %+v %v", g, err)
	}
	hs, err := v.BeamSearch(asr.Matrix{Cols: 4}, BeamConfig{})
	if err != nil || len(hs) != 1 || len(hs[0].Tokens) != 0 || v.Text(hs[0].Tokens) != "" || len(v.Words(hs[0], asr.Matrix{}, 0.04)) != 0 {
		t.Errorf("beam empty: %+v %v", hs, err)
	}
	for _, m := range []asr.Matrix{
		{Rows: 2, Cols: 3, Data: make([]float32, 6)},
		{Rows: 2, Cols: 4, Data: make([]float32, 7)},
		{Rows: -1, Cols: 4},
	} {
		if _, err := v.Greedy(m); err == nil {
			t.Errorf("greedy accepted %dx%d/%d", m.Rows, m.Cols, len(m.Data))
		}
		if _, err := v.BeamSearch(m, BeamConfig{}); err == nil {
			t.Errorf("beam accepted %dx%d/%d", m.Rows, m.Cols, len(m.Data))
		}
	}
	only := mustVocab(t, "<blk>")
	if hs, err := only.BeamSearch(asr.Matrix{Rows: 2, Cols: 1, Data: []float32{0, 0}}, BeamConfig{}); err != nil || len(hs) != 1 || len(hs[0].Tokens) != 0 {
		t.Errorf("blank-only vocabulary: %+v %v", hs, err)
	}
	m := spikes(4, 0.9, 1)
	for _, cfg := range []BeamConfig{{Beam: -1}, {Beam: MaxBeam + 1}, {TokenTopK: -1}, {TokenThreshold: -1}, {BlankSkip: 2},
		{TokenThreshold: float32(math.NaN())}, {LMWeight: math.NaN()}} {
		if _, err := v.BeamSearch(m, cfg); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
}

func TestRobustToNaNAndInf(t *testing.T) {
	v := mustVocab(t, abVocab...)
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, data := range [][]float32{
		{nan, nan, nan, nan, nan, nan, nan, nan},
		{-inf, -inf, -inf, -inf, nan, 0, -inf, -inf},
		{inf, inf, -inf, nan, 0, inf, 0, -1},
	} {
		m := asr.Matrix{Rows: 2, Cols: 4, Data: data}
		g, err := v.Greedy(m)
		if err != nil {
			t.Fatal(err)
		}
		hs, err := v.BeamSearch(m, BeamConfig{BlankSkip: 0.9, TokenThreshold: 5})
		if err != nil || len(hs) == 0 {
			t.Fatalf("%v %v", hs, err)
		}
		for _, h := range append(hs, g) {
			for _, w := range v.Words(h, m, 0.04) {
				if !(w.Confidence >= 0 && w.Confidence <= 1) {
					t.Errorf("confidence %v", w.Confidence)
				}
			}
			if math.IsNaN(h.Score) {
				t.Errorf("NaN score %+v", h)
			}
		}
	}
	if h := beam1(t, v, asr.Matrix{Rows: 2, Cols: 4, Data: []float32{nan, 0, -inf, -inf, 0, nan, -inf, -inf}}, BeamConfig{}); v.Text(h.Tokens) != "a" {
		t.Errorf("partly invalid input: %q", v.Text(h.Tokens))
	}
}

func TestLogSoftmax(t *testing.T) {
	m := asr.Matrix{Rows: 3, Cols: 3, Data: []float32{1, 2, 3, -1000, 0, float32(math.NaN()), float32(math.Inf(-1)), float32(math.Inf(-1)), float32(math.NaN())}}
	if IsLogProbs(m) {
		t.Error("logits reported as log-probs")
	}
	LogSoftmax(m)
	for r := 0; r < 2; r++ {
		var s float64
		for _, x := range m.Row(r) {
			s += math.Exp(float64(x))
		}
		if math.Abs(s-1) > 1e-5 {
			t.Errorf("row %d sums to %v", r, s)
		}
	}
	for _, x := range m.Row(2) {
		if !math.IsInf(float64(x), -1) {
			t.Errorf("invalid row became %v", m.Row(2))
		}
	}
	if !IsLogProbs(spikes(4, 0.7, 0, 1, 2)) || !IsLogProbs(asr.Matrix{}) {
		t.Error("log-probs not recognised")
	}
	LogSoftmax(asr.Matrix{Rows: 5, Cols: 2}) // short data: no panic
}

func TestSelectTop(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 200; trial++ {
		n := 1 + rng.IntN(40)
		c := make([]rank, n)
		for i := range c {
			c[i].score = float64(rng.IntN(10))
		}
		k := 1 + rng.IntN(n)
		sorted := make([]float64, n)
		for i := range c {
			sorted[i] = c[i].score
		}
		slices.Sort(sorted)
		selectTop(c, k)
		kth := sorted[n-k]
		for i := range c {
			if (i < k && c[i].score < kth) || (i >= k && c[i].score > kth) {
				t.Fatalf("n=%d k=%d: position %d has %v, k-th best %v", n, k, i, c[i].score, kth)
			}
		}
	}
}

// refBeam is a plain map-based CTC prefix beam search without any shortcuts.
func refBeam(m asr.Matrix, blank, beam int) map[string]float64 {
	type pr struct{ pb, pnb float64 }
	ninf := math.Inf(-1)
	cur := map[string]pr{"": {0, ninf}}
	last := func(p string) int {
		if p == "" {
			return -1
		}
		return int(p[len(p)-1] - '0')
	}
	for t := 0; t < m.Rows; t++ {
		row := m.Row(t)
		next := map[string]pr{}
		add := func(p string, b, nb float64) {
			e, ok := next[p]
			if !ok {
				e = pr{ninf, ninf}
			}
			next[p] = pr{logAdd(e.pb, b), logAdd(e.pnb, nb)}
		}
		for p, e := range cur {
			tot := logAdd(e.pb, e.pnb)
			add(p, tot+float64(row[blank]), ninf)
			for k := 0; k < m.Cols; k++ {
				if k == blank {
					continue
				}
				lp := float64(row[k])
				q := p + string(rune('0'+k))
				if k == last(p) {
					add(p, ninf, e.pnb+lp)
					add(q, ninf, e.pb+lp)
				} else {
					add(q, ninf, tot+lp)
				}
			}
		}
		keys := make([]string, 0, len(next))
		for p := range next {
			keys = append(keys, p)
		}
		score := func(p string) float64 { return logAdd(next[p].pb, next[p].pnb) }
		slices.SortFunc(keys, func(a, b string) int {
			if score(a) > score(b) {
				return -1
			}
			return 1
		})
		cur = map[string]pr{}
		for _, p := range keys[:min(beam, len(keys))] {
			cur[p] = next[p]
		}
	}
	out := map[string]float64{}
	for p, e := range cur {
		out[p] = logAdd(e.pb, e.pnb)
	}
	return out
}

func TestBeamMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	v := mustVocab(t, "<blk>", "a", "b", "c", "d")
	for trial := 0; trial < 200; trial++ {
		m := asr.Matrix{Rows: 1 + rng.IntN(12), Cols: 5}
		for i := 0; i < m.Rows*m.Cols; i++ {
			m.Data = append(m.Data, float32(rng.NormFloat64()*3))
		}
		LogSoftmax(m)
		beam := 1 + rng.IntN(6)
		want := refBeam(m, 0, beam)
		hs, err := v.BeamSearch(m, BeamConfig{Beam: beam, TokenTopK: 4})
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) != len(want) {
			t.Fatalf("trial %d: %d hypotheses, want %d", trial, len(hs), len(want))
		}
		for _, h := range hs {
			key := ""
			for _, k := range h.Tokens {
				key += string(rune('0' + k))
			}
			w, ok := want[key]
			if !ok || math.Abs(h.Score-w) > 1e-4 {
				t.Fatalf("trial %d beam %d: %q score %v, reference %v (present %v)", trial, beam, key, h.Score, w, ok)
			}
		}
	}
}

// recLM records the words it is asked to score along the best path's history.
type recLM struct{}

func (recLM) Start() State { return "" }
func (recLM) Score(s State, w string) (float64, State) {
	return math.Log(0.5), s.(string) + "[" + w + "]"
}
func (recLM) IsPrefix(string) bool { return true }
func (recLM) End(s State) float64 {
	if s.(string) != "[cat][car]" {
		return math.Inf(-1) // only the expected word history survives
	}
	return 0
}

func TestScorerSentencePieceBoundaries(t *testing.T) {
	v := mustVocab(t, "<blk>", "▁c", "a", "t", "r", "<unk>")
	m := spikes(6, 0.9, 1, 2, 3, 0, 1, 0, 2, 4, 0)
	hs, err := v.BeamSearch(m, BeamConfig{Scorer: recLM{}, UnknownPenalty: -1})
	if err != nil {
		t.Fatal(err)
	}
	if v.Text(hs[0].Tokens) != "cat car" || math.IsInf(hs[0].Score, -1) {
		t.Errorf("best %q score %v", v.Text(hs[0].Tokens), hs[0].Score)
	}
}
