package text

import (
	"strings"
	"testing"
)

func formatWith(f Formatter) func(string, bool) string {
	return func(raw string, final bool) string {
		g := f
		g.NoFinalStop = g.NoFinalStop || !final
		return g.Format(raw)
	}
}

// pieces writes raw split before the word indexes in at, and returns the text appended
// piece by piece and at the end.
func pieces(f Formatter, raw string, at ...int) (string, []string) {
	s := Sentence{Format: formatWith(f)}
	words := strings.Fields(raw)
	var out []string
	prev := 0
	for _, i := range append(at, len(words)) {
		out = append(out, s.Add(strings.Join(words[prev:i], " ")))
		prev = i
	}
	out = append(out, s.End())
	return strings.Join(out, ""), out
}

func TestSentenceInPiecesReadsAsTheWhole(t *testing.T) {
	rl, err := ReadReplacements(strings.NewReader("hark => Hark\ngo lang => Go\n"), "rules")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []Formatter{{}, {NoFinalStop: true}, {NoCasing: true}, {NoCommands: true}, {Replacements: rl}} {
		for _, raw := range []string{
			"hello world",
			"i think hark is fine comma really new line it works",
			"open quote hello close quote she said period then go lang",
			"is it question mark yes exclamation mark",
			"literal comma and a comma",
		} {
			want := f.Format(raw)
			n := len(strings.Fields(raw))
			// Split before every word that does not continue a command or replacement.
			for i := 1; i < n; i++ {
				w := strings.Fields(raw)
				if w[i] == "mark" || w[i] == "line" || w[i] == "quote" || w[i] == "lang" || w[i-1] == "literal" {
					continue
				}
				got, parts := pieces(f, raw, i)
				if got != want {
					t.Errorf("%+v: %q split before word %d: %q, want %q", f, raw, i, parts, want)
				}
			}
			// And in one piece per word where possible.
			if got, _ := pieces(f, raw); got != want {
				t.Errorf("%+v: %q in one piece: %q, want %q", f, raw, got, want)
			}
		}
	}
}

func TestSentencePieces(t *testing.T) {
	_, parts := pieces(Formatter{}, "hello world comma how are you", 1, 2, 4)
	want := []string{"Hello", " world", ", how", " are you", "."}
	if strings.Join(parts, "|") != strings.Join(want, "|") {
		t.Errorf("pieces %q, want %q", parts, want)
	}
	s := Sentence{Format: formatWith(Formatter{})}
	s.Add("hello")
	if p := s.Peek("there i am"); p != " there I am" || s.Text() != "Hello" || s.Raw() != "hello" {
		t.Errorf("Peek %q changed the sentence to %q", p, s.Text())
	}
	if s.Add("  ") != "" || s.Empty() {
		t.Error("empty piece")
	}
	if s.End() != "." || !s.Empty() || s.Text() != "" {
		t.Error("End does not start a new sentence")
	}
	if s.End() != "" {
		t.Error("End of an empty sentence")
	}
}

func TestSentenceCommandAcrossAPause(t *testing.T) {
	// "question" | "mark": what was written stays, the rest follows; only appended text.
	// The rules add no full stop to "Is it?", so none comes at the end either.
	got, parts := pieces(Formatter{}, "is it question mark", 3)
	if got != "Is it question mark" {
		t.Errorf("%q (%q)", got, parts)
	}
	// "new" | "line please": the new words are not capitalised mid-sentence.
	got, parts = pieces(Formatter{}, "hello new line please", 2)
	if got != "Hello new line please." {
		t.Errorf("%q (%q)", got, parts)
	}
	// A spoken "period" in the last piece: no second full stop.
	got, parts = pieces(Formatter{}, "stop period here period", 3)
	if got != "Stop. Here." {
		t.Errorf("%q (%q)", got, parts)
	}
	// A replacement across the pause: "go" | "lang".
	rl, err := ReadReplacements(strings.NewReader("go lang => Go\n"), "rules")
	if err != nil {
		t.Fatal(err)
	}
	got, parts = pieces(Formatter{Replacements: rl}, "i like go lang", 3)
	if got != "I like go lang." {
		t.Errorf("%q (%q)", got, parts)
	}
}
