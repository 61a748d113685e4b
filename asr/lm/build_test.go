package lm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// toyText is a small corpus with repeated structure, so that higher orders matter.
func toyText(n int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 1))
	subj := []string{"the cat", "the dog", "a bird", "my friend", "Mr. Smith", "the old man"}
	verb := []string{"sees", "likes", "chases", "hears", "finds"}
	obj := []string{"the ball", "a mouse", "the red car", "my hat", "twenty-one apples", "the 3 dogs"}
	tail := []string{".", " today.", " again!", " in the park.", "?"}
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%s %s %s%s\n", subj[r.IntN(len(subj))], verb[r.IntN(len(verb))], obj[r.IntN(len(obj))], tail[r.IntN(len(tail))])
	}
	return b.String()
}

func buildToy(t testing.TB, opt BuildOptions) (*Model, BuildInfo) {
	t.Helper()
	var c Corpus
	c.AddText(toyText(400, 1))
	m, info, err := Build(&c, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.check(); err != nil {
		t.Fatal(err)
	}
	return m, info
}

// sumOver returns Σ_w P(w | ctx) over the vocabulary (without <s>).
func sumOver(m *Model, ctx []uint32) float64 {
	var s float64
	for w := 0; w < m.VocabSize(); w++ {
		if int32(w) != m.bos {
			s += math.Pow(10, m.logProb10(ctx, uint32(w)))
		}
	}
	return s
}

// checkNormalized checks that every context in the model, and some that are not, give a
// distribution summing to one.
func checkNormalized(t *testing.T, m *Model) {
	t.Helper()
	checked := 0
	var ids [MaxOrder]uint32
	var walk func(depth, pos int)
	walk = func(depth, pos int) {
		if s := sumOver(m, ids[:depth+1]); math.Abs(s-1) > 1e-4 {
			t.Errorf("context %v sums to %v", ids[:depth+1], s)
		}
		checked++
		if depth+1 >= m.order-1 {
			return
		}
		l := &m.lv[depth]
		for c := l.next[pos]; c < l.next[pos+1]; c++ {
			ids[depth+1] = m.lv[depth+1].word[c]
			walk(depth+1, int(c))
		}
	}
	if s := sumOver(m, nil); math.Abs(s-1) > 1e-4 {
		t.Errorf("unigrams sum to %v", s)
	}
	checked++
	if m.order > 1 {
		for u := 0; u < m.VocabSize(); u++ {
			ids[0] = uint32(u)
			walk(0, u)
		}
	}
	r := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 20; i++ {
		ctx := []uint32{uint32(r.IntN(m.VocabSize())), uint32(r.IntN(m.VocabSize()))}
		if s := sumOver(m, ctx); math.Abs(s-1) > 1e-4 {
			t.Errorf("unseen context %v sums to %v", ctx, s)
		}
	}
	if checked == 0 {
		t.Error("no contexts checked")
	}
}

func TestBuildNormalized(t *testing.T) {
	for _, opt := range []BuildOptions{
		{Order: 1},
		{Order: 2},
		{Order: 3},
		{Order: 4},
		{Order: 3, Prune: []int{0, 1, 2}},
		{Order: 4, Prune: []int{0, 0, 1, 3}, VocabSize: 12},
	} {
		t.Run(fmt.Sprintf("%d-%v-%d", opt.Order, opt.Prune, opt.VocabSize), func(t *testing.T) {
			m, info := buildToy(t, opt)
			if m.Order() != opt.Order || info.Tokens == 0 || len(info.Discounts) != opt.Order {
				t.Fatalf("order %d info %+v", m.Order(), info)
			}
			for k, d := range info.Discounts {
				if !(d[0] > 0 && d[0] < 1 && d[1] > 0 && d[1] < 2 && d[2] > 0 && d[2] < 3) {
					t.Errorf("order %d discounts %v", k+1, d)
				}
			}
			checkNormalized(t, m)
		})
	}
}

func TestBuildPerplexityAndPruning(t *testing.T) {
	var c Corpus
	c.AddText(toyText(500, 2))
	train, dev := c.Split(0.1)
	if dev.Lines() != 50 || train.Lines() != 450 || train.Words()+dev.Words() != c.Words() {
		t.Fatalf("split %d/%d lines, %d+%d words of %d", train.Lines(), dev.Lines(), train.Words(), dev.Words(), c.Words())
	}
	ppl := map[int]float64{}
	for _, order := range []int{1, 2, 3} {
		m, _, err := Build(train, BuildOptions{Order: order})
		if err != nil {
			t.Fatal(err)
		}
		p := m.Perplexity(dev)
		ppl[order] = p.PPL()
		if p.Sentences != dev.Sentences() || p.Words != dev.Words() || p.OOVs != 0 {
			t.Errorf("order %d: %+v", order, p)
		}
	}
	// The toy grammar has about 6 choices per slot: a trigram should be near that and
	// clearly better than a unigram.
	if !(ppl[3] < ppl[2] && ppl[2] < ppl[1] && ppl[3] > 1 && ppl[3] < 12) {
		t.Errorf("perplexities %v", ppl)
	}
	full, _, _ := Build(train, BuildOptions{Order: 3})
	pruned, info, _ := Build(train, BuildOptions{Order: 3, Prune: []int{0, 2, 5}})
	fc, pc := full.Counts(), pruned.Counts()
	if !(pc[1] <= fc[1] && pc[2] < fc[2]) || info.Prune[2] != 5 {
		t.Errorf("pruning kept %v of %v", pc, fc)
	}
	if p := pruned.Perplexity(dev).PPL(); !(p < ppl[1]) {
		t.Errorf("pruned trigram perplexity %v", p)
	}
	// MaxBytes prunes until the model fits.
	limit := modelBytes(fc, len(full.vocab)) / 2
	small, info, err := Build(train, BuildOptions{Order: 3, MaxBytes: limit})
	if err != nil {
		t.Fatal(err)
	}
	if b := modelBytes(small.Counts(), len(small.vocab)); b > limit || b < limit*9/10 || int64(len(binaryOf(t, small))) != b || !info.Fitted {
		t.Errorf("MaxBytes %d: model is %d bytes (fitted %v)", limit, b, info.Fitted)
	}
	if err := small.check(); err != nil {
		t.Fatal(err)
	}
	checkNormalized(t, small)
	if p := small.Perplexity(dev).PPL(); !(p < ppl[1]) {
		t.Errorf("size-pruned trigram perplexity %v", p)
	}
}

func TestBuildVocabularyCut(t *testing.T) {
	m, info := buildToy(t, BuildOptions{Order: 2, VocabSize: 5})
	if m.VocabSize() != 8 || info.UnkTokens == 0 || info.Types <= 5 {
		t.Fatalf("vocab %d, info %+v", m.VocabSize(), info)
	}
	if m.ID("the") < 0 || m.ID("zebra") >= 0 {
		t.Error("vocabulary should hold the most frequent words only")
	}
	// An unknown word is scored as <unk>.
	if m.LogProb10(nil, "zebra") != m.LogProb10(nil, Unk) {
		t.Error("unknown word not scored as <unk>")
	}
}

func TestBuildErrors(t *testing.T) {
	var empty Corpus
	if _, _, err := Build(&empty, BuildOptions{}); err == nil {
		t.Error("empty corpus accepted")
	}
	var c Corpus
	c.AddText("one two three\n")
	for _, opt := range []BuildOptions{
		{Order: 7},
		{Order: -1},
		{Prune: []int{1}},
		{Prune: []int{0, 3, 1}},
		{Prune: []int{0, -1}},
	} {
		if _, _, err := Build(&c, opt); err == nil {
			t.Errorf("%+v accepted", opt)
		}
	}
	// Order 6 packs 10 bits per word: more words than that is refused, not mangled.
	var big Corpus
	for i := 0; i < 1100; i++ {
		big.AddText(fmt.Sprintf("w%c%c%c x\n", 'a'+i%26, 'a'+i/26%26, 'a'+i/676))
	}
	if _, _, err := Build(&big, BuildOptions{Order: 6, VocabSize: -1}); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("order 6 with a big vocabulary: %v", err)
	}
}

func TestCorpusNormalization(t *testing.T) {
	var c Corpus
	c.AddText("Mr. Smith met Dr. J. Watson at 221 Baker St. today. Was it 1945? \"Yes!\" she said.\n\n  \nIt's forty-two -- 'quoted' words.\n")
	var got []string
	for i := 0; i < c.Sentences(); i++ {
		got = append(got, string(c.sentence(i)))
	}
	want := []string{
		"mister smith met doctor j watson at two hundred twenty one baker saint today",
		"was it one thousand nine hundred forty five",
		"yes",
		"she said",
		"it's forty two quoted words",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("sentences\n%q\nwant\n%q", got, want)
	}
	if c.Lines() != 2 || c.Words() != 30 {
		t.Errorf("lines %d words %d", c.Lines(), c.Words())
	}
	if err := c.AddReader(strings.NewReader(strings.Repeat("a", maxCorpusLine+1)), "big.txt"); err == nil || !strings.HasPrefix(err.Error(), "big.txt:1: ") {
		t.Errorf("long line: %v", err)
	}
}
