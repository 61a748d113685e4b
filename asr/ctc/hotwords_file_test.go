package ctc_test

import (
	"errors"
	"math"
	"os"
	"strings"
	"testing"

	"hark/asr"
	"hark/asr/ctc"
)

// tonesVocab is the character vocabulary of the tone fixture model: ▁ a-z ' <blk>.
func tonesVocab(t *testing.T) *ctc.Vocabulary {
	t.Helper()
	v, err := ctc.LoadTokens("../../testdata/models/tones/tokens.txt")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestReadHotwords(t *testing.T) {
	v := tonesVocab(t)
	file := "\ufeff# names\nKara:3\n\nnew york\t2.5  # city\ncafé\nzoë  :1\n  o'brien  \n"
	phrases, boosts, warnings, err := v.ReadHotwords(strings.NewReader(file), "hot.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(phrases) != 3 || len(boosts) != 3 {
		t.Fatalf("phrases %v boosts %v", phrases, boosts)
	}
	if got := v.Text(phrases[0]); got != "kara" || boosts[0] != 3 {
		t.Errorf("phrase 0: %q boost %v", got, boosts[0])
	}
	if got := v.Text(phrases[1]); got != "new york" || boosts[1] != 2.5 {
		t.Errorf("phrase 1: %q boost %v", got, boosts[1])
	}
	if got := v.Text(phrases[2]); got != "o'brien" || boosts[2] != 0 {
		t.Errorf("phrase 2: %q boost %v", got, boosts[2])
	}
	if len(warnings) != 2 || !strings.HasPrefix(warnings[0], "hot.txt:5: skipped \"café\"") || !strings.Contains(warnings[0], "'é'") || !strings.HasPrefix(warnings[1], "hot.txt:6: ") {
		t.Errorf("warnings %q", warnings)
	}
}

func TestReadHotwordsErrors(t *testing.T) {
	v := tonesVocab(t)
	cases := map[string]string{
		"":                         "hot.txt: no hotwords: the file has no phrases",
		"# only comments\n\n":      "hot.txt: no hotwords: the file has no phrases",
		"café\nnaïve\n":            "hot.txt: no hotwords: all 2 phrases were skipped",
		"kara\nbob:lots\n":         "hot.txt:2: boost \"lots\" is not a finite number",
		"kara:\n":                  "hot.txt:1: boost \"\" is not a finite number",
		"kara\tNaN\n":              "hot.txt:1: boost \"NaN\" is not a finite number",
		"\t2\n":                    "hot.txt:1: boost 2 without a phrase",
		strings.Repeat("a", 1<<17): "hot.txt:1: ",
	}
	for in, want := range cases {
		_, _, _, err := v.ReadHotwords(strings.NewReader(in), "hot.txt")
		if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%.20q: error %v, want %q", in, err, want)
		}
	}
	_, _, _, err := v.ReadHotwords(strings.NewReader(""), "x")
	if !errors.Is(err, ctc.ErrNoHotwords) {
		t.Errorf("empty file: %v is not ErrNoHotwords", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/h.txt", []byte("kara:2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if h, _, err := v.LoadHotwords(dir + "/h.txt"); err != nil || h == nil {
		t.Fatalf("LoadHotwords: %v", err)
	}
	if _, _, err := v.LoadHotwords(dir + "/missing.txt"); err == nil {
		t.Fatal("missing file accepted")
	}
}

func TestTokenizeSentencePiece(t *testing.T) {
	v, err := ctc.NewVocabulary([]string{"<blk>", "▁", "▁new", "▁ne", "w", "▁york", "yo", "rk", "k", "<0x21>", "<unk>"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := v.Tokenize("New York!")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, id := range ids {
		got = append(got, v.Token(id))
	}
	if strings.Join(got, " ") != "▁new ▁york <0x21>" || v.Text(ids) != "new york!" {
		t.Errorf("pieces %q", got)
	}
	ids, err = v.Tokenize("york kw")
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, id := range ids {
		got = append(got, v.Token(id))
	}
	if strings.Join(got, " ") != "▁york ▁ k w" {
		t.Errorf("pieces %q", got)
	}
	if _, err := v.Tokenize("zap"); err == nil {
		t.Error("unspellable word accepted")
	}
}

// spell builds a log-prob matrix for a tone-model vocabulary: each element of frames is one
// frame's distribution (token text → probability, the rest spread over the other tokens),
// and a blank frame follows each.
func spell(t *testing.T, v *ctc.Vocabulary, frames []map[string]float64) asr.Matrix {
	t.Helper()
	n := v.Size()
	m := asr.Matrix{Cols: n}
	row := func(dist map[string]float64) {
		r := make([]float64, n)
		rest := 1.0
		for tok, p := range dist {
			id, ok := v.ID(tok)
			if !ok {
				t.Fatalf("no token %q", tok)
			}
			r[id] += p
			rest -= p
		}
		for i := range r {
			r[i] += rest / float64(n)
			m.Data = append(m.Data, float32(math.Log(r[i])))
		}
		m.Rows++
	}
	for _, f := range frames {
		row(f)
		row(map[string]float64{"<blk>": 0.95})
	}
	return m
}

// clear spells text with confident frames (0.98, about what a trained model gives a clearly
// spoken letter).
func clear(text string) []map[string]float64 {
	var out []map[string]float64
	for _, r := range text {
		tok := string(r)
		if r == ' ' {
			tok = "▁"
		}
		out = append(out, map[string]float64{tok: 0.98})
	}
	return out
}

func decode(t *testing.T, v *ctc.Vocabulary, m asr.Matrix, cfg ctc.BeamConfig) string {
	t.Helper()
	hs, err := v.BeamSearch(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v.Text(hs[0].Tokens)
}

func TestHotwordFileBoostsRareName(t *testing.T) {
	v := tonesVocab(t)
	phrases, boosts, _, err := v.ReadHotwords(strings.NewReader("Kara\n"), "hot.txt")
	if err != nil {
		t.Fatal(err)
	}
	hw, err := ctc.NewHotwords(phrases, boosts)
	if err != nil {
		t.Fatal(err)
	}
	// "i met ?ara": the first letter of the name sounds a little more like c than k.
	frames := clear("i met ")
	frames = append(frames, map[string]float64{"c": 0.5, "k": 0.42})
	frames = append(frames, clear("ara")...)
	ambiguous := spell(t, v, frames)
	if got := decode(t, v, ambiguous, ctc.BeamConfig{Beam: 8}); got != "i met cara" {
		t.Fatalf("without hotwords: %q", got)
	}
	if got := decode(t, v, ambiguous, ctc.BeamConfig{Beam: 8, Hotwords: hw}); got != "i met kara" {
		t.Fatalf("with the hotword: %q, want the boosted name", got)
	}
	// Unrelated speech stays as it is, also where a partial match would be tempting:
	// "cart" with an ambiguous first letter must not become "kart" (the bonus for "kar"
	// is withdrawn when the match breaks off), and clear speech gains nothing.
	frames = clear("a ")
	frames = append(frames, map[string]float64{"c": 0.5, "k": 0.42})
	frames = append(frames, clear("art")...)
	for text, m := range map[string]asr.Matrix{
		"hello world": spell(t, v, clear("hello world")),
		"a cart":      spell(t, v, frames),
		"i met carla": spell(t, v, clear("i met carla")),
	} {
		if got := decode(t, v, m, ctc.BeamConfig{Beam: 8, Hotwords: hw}); got != text {
			t.Errorf("boosting changed unrelated speech %q into %q", text, got)
		}
	}
}

// FuzzReadHotwords: any hotword file is read or refused with one line naming it.
func FuzzReadHotwords(f *testing.F) {
	for _, s := range []string{"hello\nworld :2.5\n", "# x\n\n", "a :nan\n", "zz :-1\n", "\xff\xfe\n"} {
		f.Add(s)
	}
	v, err := ctc.LoadTokens("../../testdata/models/tones/tokens.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		phrases, boosts, _, err := v.ReadHotwords(strings.NewReader(in), "hw.txt")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "hw.txt") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q", err)
			}
			return
		}
		if len(phrases) != len(boosts) {
			t.Fatalf("%d phrases, %d boosts", len(phrases), len(boosts))
		}
	})
}

// A huge line is named as such, not as "bufio.Scanner: token too long".
func TestHotwordsLongLine(t *testing.T) {
	v := tonesVocab(t)
	_, _, _, err := v.ReadHotwords(strings.NewReader("hello\n"+strings.Repeat("a", 1<<17)+"\n"), "hw.txt")
	if err == nil || !strings.Contains(err.Error(), "hw.txt:2: line longer than 64 KiB") {
		t.Fatalf("%v", err)
	}
}
