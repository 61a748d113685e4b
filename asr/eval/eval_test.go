package eval

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	cases := map[string]string{
		"Hello, World!":         "hello world",
		"It's 42 o'clock.":      "it's forty two o'clock",
		"Room 101 - 'quoted'":   "room one hundred one quoted",
		"1,250 people":          "one thousand two hundred fifty people",
		"  MIXED   case\ttext ": "mixed case text",
		"state-of-the-art":      "state of the art",
		"0":                     "zero",
		// issue 17: non-ASCII digits panicked (index out of range).
		"room ３":        "room three",
		"٣ apples":      "three apples",
		"１２ and ٤٥":     "twelve and forty five",
		"𝟗":             "nine",
		"0123456789012": "zero one two three four five six seven eight nine zero one two",
		"٣٣٣٣٣٣٣٣٣٣":    "three three three three three three three three three three",
	}
	for in, want := range cases {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzNormalize: no input panics, and the output is normalised (a fixed point).
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"It's 42 o'clock.", "１２ and ٤٥", "1,2,3", "'a'", "𝟗𝟗"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if Normalize(n) != n {
			t.Errorf("Normalize(%q) = %q is not a fixed point (%q)", s, n, Normalize(n))
		}
	})
}

func TestScore(t *testing.T) {
	var s Score
	s.Add("the cat sat", "the cat sat")
	s.Add("on the mat", "on a mat today")
	if s.Words != 6 || s.WordErrors != 2 || s.SentenceErrors != 1 {
		t.Fatalf("%+v", s)
	}
	if w := s.WER(); w < 0.333 || w > 0.334 {
		t.Errorf("WER %v", w)
	}
	if EditDistance([]rune("kitten"), []rune("sitting")) != 3 {
		t.Error("edit distance")
	}
}

func TestManifest(t *testing.T) {
	es, err := ReadManifest(strings.NewReader("# c\na.wav\thello there\n\nb.wav\tbye\n"), "m.tsv")
	if err != nil || len(es) != 2 || es[1].Path != "b.wav" || es[1].Line != 4 {
		t.Fatalf("%v %v", es, err)
	}
	if _, err := ReadManifest(strings.NewReader("no tab here\n"), "m.tsv"); err == nil || !strings.HasPrefix(err.Error(), "m.tsv:1:") {
		t.Errorf("err %v", err)
	}
	if _, err := ReadManifest(strings.NewReader(""), "m.tsv"); err == nil {
		t.Error("empty manifest accepted")
	}
}

func FuzzReadManifest(f *testing.F) {
	f.Add("a.wav\thello\n")
	f.Add("#x\n\t\n")
	f.Fuzz(func(t *testing.T, s string) {
		es, err := ReadManifest(strings.NewReader(s), "f")
		if err == nil && len(es) == 0 {
			t.Fatal("no error and no entries")
		}
		_ = Normalize(s)
	})
}
