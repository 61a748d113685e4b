package lm

import (
	"math"
	"strings"
	"testing"

	"hark/asr"
	"hark/asr/ctc"
)

func TestScorer(t *testing.T) {
	m := mustARPA(t, tinyARPA)
	s := NewScorer(m)
	st := s.Start()
	lp, st := s.Score(st, "a")
	if !near(lp, -0.3*math.Ln10) {
		t.Errorf("ln P(a|<s>) = %v", lp)
	}
	lp, st = s.Score(st, "B") // case folded
	if !near(lp, -0.05*math.Ln10) {
		t.Errorf("ln P(b|<s> a) = %v", lp)
	}
	if e := s.End(st); !near(e, -0.15*math.Ln10) {
		t.Errorf("ln P(</s>|a b) = %v", e)
	}
	// An unknown word: <unk> plus the offset; the context becomes <unk>.
	lp, st2 := s.Score(st, "zebra")
	want := (-0.2-0.25-1.5)*math.Ln10 + DefaultUnknownOffset // bo(a b) + bo(b) + P(<unk>)
	if !near(lp, want) {
		t.Errorf("ln P(zebra|a b) = %v, want %v", lp, want)
	}
	if e := s.End(st2); !near(e, -0.7*math.Ln10) {
		t.Errorf("ln P(</s>|<unk>) = %v", e)
	}
	// <s> is never a word.
	if lp, _ := s.Score(s.Start(), "<s>"); lp > -10 {
		t.Errorf("<s> scored %v", lp)
	}
	for p, want := range map[string]bool{"": true, "a": true, "<u": true, "c": false, "ab": false, "B": true} {
		if s.IsPrefix(p) != want {
			t.Errorf("IsPrefix(%q) = %v", p, !want)
		}
	}
	// A state of a foreign type is treated as the empty context, not a panic.
	if lp, _ := s.Score("junk", "a"); !near(lp, -0.6*math.Ln10) {
		t.Errorf("foreign state: %v", lp)
	}
}

func TestScorerWithoutUnk(t *testing.T) {
	m := mustARPA(t, "\\data\\\nngram 1=3\n\n\\1-grams:\n-0.3 </s>\n-0.5 a\n-1.5 b\n\\end\\\n")
	s := NewScorer(m)
	lp, st := s.Score(s.Start(), "zzz")
	if !near(lp, -1.5*math.Ln10+DefaultUnknownOffset) {
		t.Errorf("OOV without <unk>: %v", lp)
	}
	if e := s.End(st); !near(e, -0.3*math.Ln10) {
		t.Errorf("end: %v", e)
	}
}

// TestLMInBeamSearch: acoustics slightly favour "kat", the language model knows "cat".
func TestLMInBeamSearch(t *testing.T) {
	vocab, err := ctc.NewVocabulary(strings.Split("<blk> ▁ a c k t h e", " "), 0)
	if err != nil {
		t.Fatal(err)
	}
	var c Corpus
	c.AddText(strings.Repeat("the cat\nthe hat\na cat\n", 10))
	m, _, err := Build(&c, BuildOptions{Order: 2})
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]float64{}
	frame := func(probs map[int]float64) {
		r := make([]float64, vocab.Size())
		rest := 1.0
		for id, p := range probs {
			r[id] = p
			rest -= p
		}
		for i := range r {
			r[i] += rest / float64(len(r))
		}
		rows = append(rows, r, func() []float64 { // a blank frame after each
			b := make([]float64, len(r))
			for i := range b {
				b[i] = 0.02 / float64(len(b)-1)
			}
			b[0] = 0.98
			return b
		}())
	}
	id := func(s string) int { i, _ := vocab.ID(s); return i }
	for _, ch := range []string{"t", "h", "e", "▁"} {
		frame(map[int]float64{id(ch): 0.95})
	}
	frame(map[int]float64{id("k"): 0.5, id("c"): 0.45})
	for _, ch := range []string{"a", "t"} {
		frame(map[int]float64{id(ch): 0.95})
	}
	post := asr.Matrix{Rows: len(rows), Cols: vocab.Size()}
	for _, r := range rows {
		for _, p := range r {
			post.Data = append(post.Data, float32(math.Log(p)))
		}
	}
	best := func(cfg ctc.BeamConfig) string {
		hs, err := vocab.BeamSearch(post, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return vocab.Text(hs[0].Tokens)
	}
	if got := best(ctc.BeamConfig{Beam: 8}); got != "the kat" {
		t.Fatalf("without LM: %q", got)
	}
	if got := best(ctc.BeamConfig{Beam: 8, Scorer: NewScorer(m), LMWeight: 0.5, UnknownPenalty: -2}); got != "the cat" {
		t.Fatalf("with LM: %q", got)
	}
}

func TestPrefixScore(t *testing.T) {
	m := mustARPA(t, "\\data\\\nngram 1=7\n\n\\1-grams:\n-1.0 <s>\n-0.3 </s>\n-2.0 <unk>\n-0.5 a\n-1.0 ab\n-0.2 abc\n-1.5 b\n\\end\\\n")
	s := NewScorer(m)
	for _, c := range []struct {
		p    string
		want float64
		ok   bool
	}{
		{"a", -0.2, true}, {"ab", -0.2, true}, {"abc", -0.2, true}, {"b", -1.5, true},
		{"AB", -0.2, true}, {"abcd", 0, false}, {"c", 0, false}, {"", -0.2, true},
	} {
		lp, ok := s.PrefixScore(c.p)
		if ok != c.ok || (ok && !near(lp, c.want*math.Ln10)) {
			t.Errorf("PrefixScore(%q) = %v, %v; want %v, %v", c.p, lp/math.Ln10, ok, c.want, c.ok)
		}
		if ok != s.IsPrefix(c.p) {
			t.Errorf("PrefixScore(%q) ok %v, IsPrefix %v", c.p, ok, !ok)
		}
	}
	// Only special words begin with "<": they are not words a prefix grows into.
	if lp, ok := s.PrefixScore("<"); !ok || lp > -1.5*math.Ln10 {
		t.Errorf("PrefixScore(\"<\") = %v, %v", lp, ok)
	}
}
