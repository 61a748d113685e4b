package lm

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
)

const tinyARPA = `
\data\
ngram 1=5
ngram 2=4
ngram 3=2

\1-grams:
-99	<s>	-0.5
-0.7	</s>
-0.6	a	-0.3
-0.8	b	-0.2
-1.5	<unk>

\2-grams:
-0.3	<s> a	-0.1
-0.4	a b	-0.25
-0.2	b </s>
-0.9	a a

\3-grams:
-0.05	<s> a b
-0.15	a b </s>

\end\
`

func mustARPA(t testing.TB, s string) *Model {
	t.Helper()
	m, err := ReadARPA(strings.NewReader(s), "test.arpa")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.check(); err != nil {
		t.Fatal(err)
	}
	return m
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func TestARPALookups(t *testing.T) {
	m := mustARPA(t, tinyARPA)
	if m.Order() != 3 || m.VocabSize() != 5 || !m.HasUnk() {
		t.Fatalf("order %d vocab %d", m.Order(), m.VocabSize())
	}
	if got := m.Counts(); got[0] != 5 || got[1] != 4 || got[2] != 2 {
		t.Fatalf("counts %v", got)
	}
	cases := []struct {
		ctx  []string
		w    string
		want float64
	}{
		{[]string{"<s>", "a"}, "b", -0.05},                // trigram
		{[]string{"<s>", "a"}, "a", -0.1 + -0.9},          // bo(<s> a) + P(a|a)
		{[]string{"<s>", "a"}, "</s>", -0.1 + -0.3 - 0.7}, // bo(<s> a) + bo(a) + P(</s>)
		{[]string{"b", "a"}, "b", -0.4},                   // no (b a) context: P(b|a)
		{[]string{"a", "b"}, "</s>", -0.15},               // trigram
		{[]string{"b"}, "a", -0.2 + -0.6},                 // bo(b) + P(a)
		{nil, "zzz", -1.5},                                // unknown → <unk>
		{[]string{"x", "y", "z", "a"}, "b", -0.4},         // only the last order-1 words count
	}
	for _, c := range cases {
		if got := m.LogProb10(c.ctx, c.w); !near(got, c.want) {
			t.Errorf("log10 P(%s | %v) = %v, want %v", c.w, c.ctx, got, c.want)
		}
	}
}

func TestARPAErrors(t *testing.T) {
	const ok1 = "\\data\\\nngram 1=2\n\n\\1-grams:\n-0.5 a\n-0.5 b\n"
	cases := map[string]struct {
		text string
		line int
		msg  string
	}{
		"empty":             {"", 0, "no \\data\\"},
		"no data":           {"hello\nworld\n", 2, "no \\data\\"},
		"no counts":         {"\\data\\\n\n\\1-grams:\n", 3, "no \"ngram"},
		"bad count line":    {"\\data\\\nngrams 1=2\n", 2, "want \"ngram N=COUNT\""},
		"bad count":         {"\\data\\\nngram 1=x\n", 2, "not a non-negative integer"},
		"negative count":    {"\\data\\\nngram 1=-3\n", 2, "not a non-negative integer"},
		"zero unigrams":     {"\\data\\\nngram 1=0\n", 2, "at least one 1-gram"},
		"huge order":        {"\\data\\\nngram 1=1\nngram 2=1\nngram 3=1\nngram 4=1\nngram 5=1\nngram 6=1\nngram 7=1\n", 8, "up to order 6"},
		"order skipped":     {"\\data\\\nngram 1=1\nngram 3=1\n", 3, "out of sequence"},
		"eof in data":       {"\\data\\\nngram 1=1\n", 2, "end of file in the \\data\\ section"},
		"missing end":       {ok1, 6, "missing \\end\\"},
		"too few":           {"\\data\\\nngram 1=3\n\n\\1-grams:\n-0.5 a\n-0.5 b\n\\end\\\n", 4, "has 2 n-grams but the \\data\\ section says 3"},
		"too many":          {"\\data\\\nngram 1=1\n\n\\1-grams:\n-0.5 a\n-0.5 b\n\\end\\\n", 6, "more 1-grams than the 1"},
		"bad prob":          {"\\data\\\nngram 1=1\n\n\\1-grams:\n-0.5x a\n\\end\\\n", 5, "log probability \"-0.5x\" is not a finite number"},
		"nan prob":          {"\\data\\\nngram 1=1\n\n\\1-grams:\nNaN a\n\\end\\\n", 5, "not a finite number"},
		"inf prob":          {"\\data\\\nngram 1=1\n\n\\1-grams:\n-inf a\n\\end\\\n", 5, "not a finite number"},
		"positive prob":     {"\\data\\\nngram 1=1\n\n\\1-grams:\n0.5 a\n\\end\\\n", 5, "is positive"},
		"prob out of range": {"\\data\\\nngram 1=1\n\n\\1-grams:\n-1e300 a\n\\end\\\n", 5, "out of range"},
		"bad backoff":       {"\\data\\\nngram 1=1\nngram 2=0\n\n\\1-grams:\n-0.5 a x\n\\2-grams:\n\\end\\\n", 6, "backoff weight \"x\""},
		"top backoff":       {"\\data\\\nngram 1=1\n\n\\1-grams:\n-0.5 a -0.1\n\\end\\\n", 5, "highest order"},
		"field count":       {"\\data\\\nngram 1=1\nngram 2=1\n\n\\1-grams:\n-0.5 a\n\\2-grams:\n-0.5 a\n\\end\\\n", 8, "2 word(s)"},
		"duplicate unigram": {"\\data\\\nngram 1=2\n\n\\1-grams:\n-0.5 a\n-0.6 a\n\\end\\\n", 6, "duplicate 1-gram \"a\" (also on line 5)"},
		"duplicate bigram":  {"\\data\\\nngram 1=1\nngram 2=2\n\n\\1-grams:\n-0.5 a -0.1\n\\2-grams:\n-0.5 a a\n-0.4 a a\n\\end\\\n", 9, "duplicate 2-gram (also on line 8)"},
		"unknown word":      {"\\data\\\nngram 1=1\nngram 2=1\n\n\\1-grams:\n-0.5 a -0.1\n\\2-grams:\n-0.5 a b\n\\end\\\n", 8, "word \"b\" is not among the 1-grams"},
		"missing context":   {"\\data\\\nngram 1=2\nngram 2=1\nngram 3=1\n\n\\1-grams:\n-0.5 a -0.1\n-0.5 b -0.1\n\\2-grams:\n-0.5 a b -0.1\n\\3-grams:\n-0.5 b a b\n\\end\\\n", 12, "context \"b a\""},
		"wrong section":     {"\\data\\\nngram 1=1\nngram 2=0\n\n\\2-grams:\n\\end\\\n", 5, "want \\1-grams:"},
		"early end":         {"\\data\\\nngram 1=1\nngram 2=0\n\n\\1-grams:\n-0.5 a 0\n\\end\\\n", 7, "\\end\\ before the \\2-grams:"},
		"junk at end":       {"\\data\\\nngram 1=1\n\n\\1-grams:\n-0.5 a\n\\3-grams:\n", 6, "want \\end\\"},
		"long line":         {"\\data\\\nngram 1=1\n\n\\1-grams:\n-0.5 " + strings.Repeat("a", maxLine) + "\n", 5, "longer than"},
	}
	for name, c := range cases {
		_, err := ReadARPA(strings.NewReader(c.text), "x.arpa")
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%s: error %v, want a *FormatError", name, err)
			continue
		}
		if fe.Line != c.line || !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), "x.arpa") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %q (line %d), want line %d and %q", name, err, fe.Line, c.line, c.msg)
		}
		if !IsFormatError(err) {
			t.Errorf("%s: not a format error", name)
		}
	}
}

func TestARPAFlexibleLayout(t *testing.T) {
	// Header text before \data\, tabs and spaces, blank lines inside sections, CRLF.
	s := "made by hand\r\n\\data\\\r\nngram 1=2\r\nngram  2=1\r\n\r\n\\1-grams:\r\n-0.5\ta\t-0.1\r\n\r\n-0.4 b -0.2\r\n\\2-grams:\r\n-0.2  a   b\r\n\\end\\\r\n"
	m := mustARPA(t, s)
	if !near(m.LogProb10([]string{"a"}, "b"), -0.2) || !near(m.LogProb10([]string{"b"}, "a"), -0.2-0.5) {
		t.Fatal("wrong probabilities")
	}
}

func TestARPARoundTrip(t *testing.T) {
	m := mustARPA(t, tinyARPA)
	var a1, bin, a2 bytes.Buffer
	if err := WriteARPA(&a1, m); err != nil {
		t.Fatal(err)
	}
	m2 := mustARPA(t, a1.String())
	if err := WriteBinary(&bin, m2); err != nil {
		t.Fatal(err)
	}
	m3, err := ReadBinary(bytes.NewReader(bin.Bytes()), int64(bin.Len()), "x.bin")
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteARPA(&a2, m3); err != nil {
		t.Fatal(err)
	}
	if a1.String() != a2.String() {
		t.Fatalf("round trip changed the model:\n%s\nvs\n%s", a1.String(), a2.String())
	}
	for _, w := range []string{"a", "b", "</s>", "q"} {
		if m.LogProb10([]string{"<s>", "a"}, w) != m3.LogProb10([]string{"<s>", "a"}, w) {
			t.Errorf("P(%s) differs after the round trip", w)
		}
	}
	// Read auto-detects all three forms.
	for _, data := range [][]byte{a1.Bytes(), bin.Bytes(), gz(t, a1.Bytes())} {
		if _, err := Read(bytes.NewReader(data), -1, "x"); err != nil {
			t.Error(err)
		}
	}
}

func FuzzParseARPA(f *testing.F) {
	f.Add(tinyARPA)
	f.Add("\\data\\\nngram 1=1\n\n\\1-grams:\n-0.5 a\n\\end\\\n")
	f.Add("\\data\\\nngram 1=2\nngram 2=1\n\n\\1-grams:\n-0.5 a -0.1\n-1 b 0\n\\2-grams:\n-0.5 a b\n\\end\\\n")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ReadARPA(strings.NewReader(s), "fuzz")
		if err != nil {
			if !IsFormatError(err) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("bad error %q", err)
			}
			return
		}
		if err := m.check(); err != nil {
			t.Fatalf("accepted an inconsistent model: %v", err)
		}
		// Whatever was accepted must survive both formats and answer lookups.
		var bin bytes.Buffer
		if err := WriteBinary(&bin, m); err != nil {
			t.Fatal(err)
		}
		m2, err := ReadBinary(bytes.NewReader(bin.Bytes()), int64(bin.Len()), "fuzz.bin")
		if err != nil {
			t.Fatal(err)
		}
		sc := NewScorer(m2)
		st := sc.Start()
		for i := 0; i < m2.VocabSize() && i < 8; i++ {
			lp, next := sc.Score(st, m2.Word(i))
			if math.IsNaN(lp) {
				t.Fatal("NaN score")
			}
			st = next
		}
		_ = sc.End(st)
	})
}
