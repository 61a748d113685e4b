package text

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hark/asr"
)

func mustRules(t *testing.T, s string) *Replacements {
	t.Helper()
	r, err := ReadReplacements(strings.NewReader(s), "rep.txt")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestFormat(t *testing.T) {
	f := &Formatter{}
	cases := map[string]string{
		"":            "",
		"hello world": "Hello world.",
		"hello comma world period how are you question mark": "Hello, world. How are you?",
		"i think i'm right and i'll go":                      "I think I'm right and I'll go.",
		"wow exclamation point it works exclamation mark":    "Wow! It works!",
		"dear sir colon new line thanks full stop":           "Dear sir:\nThanks.",
		"first new paragraph second":                         "First\n\nSecond.",
		"he said open quote yes close quote":                 "He said \"yes\".",
		"he said open quote yes period close quote":          "He said \"yes.\"",
		"note open paren aside close paren done":             "Note (aside) done.",
		"a semicolon b semi colon c":                         "A; b; c.",
		"type literal comma and literal full stop please":    "Type comma and full stop please.",
		"the word literal":                                   "The word literal.",
		"new line hello new line":                            "\nHello.\n",
		"question mark":                                      "?",
		"  spaced   out  ":                                   "Spaced out.",
		"it's i've i'd":                                      "It's I've I'd.",
	}
	for in, want := range cases {
		if got := f.Format(in); got != want {
			t.Errorf("Format(%q) = %q, want %q", in, got, want)
		}
	}
	raw := &Formatter{NoCommands: true, NoCasing: true}
	if got := raw.Format("hello comma i said"); got != "hello comma i said" {
		t.Errorf("no commands, no casing: %q", got)
	}
}

func TestReplacements(t *testing.T) {
	r := mustRules(t, "\ufeff# my words\n"+
		"gonna => going to\n"+
		"new york => New York\n"+
		"new york city\tNYC\n"+
		"ai => AI\n"+
		"smiley face => :-)\n"+
		"iphone => iPhone\n"+
		"sign off => \\nRegards,\\nKim\n"+
		"stop => .\n"+
		"period => (period)\n")
	if r.Len() != 9 {
		t.Fatalf("%d rules", r.Len())
	}
	f := &Formatter{Replacements: r}
	cases := map[string]string{
		"i'm gonna visit new york city":  "I'm going to visit NYC.",
		"i love new york":                "I love New York.",
		"Gonna GONNA":                    "Going to going to.",
		"the ai said hi smiley face":     "The AI said hi :-).",
		"thanks sign off":                "Thanks\nRegards,\nKim.",
		"wait stop go":                   "Wait. Go.",
		"a period of time":               "A (period) of time.",
		"literal gonna literal new york": "Gonna new york.",
		"newyork":                        "Newyork.",
		"ai":                             "AI.",
	}
	for in, want := range cases {
		if got := f.Format(in); got != want {
			t.Errorf("Format(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReplacementChains(t *testing.T) {
	r := mustRules(t, "a => b\nb => c d\nd => e\n")
	if got := (&Formatter{Replacements: r, NoCasing: true}).Format("x a y"); got != "x c e y" {
		t.Errorf("chain: %q", got)
	}
}

// issue 17: rules expanded without limit — 26 doubling lines made a 268 MB transcript, 40 were
// OOM-killed, a one-million-rule chain ended in a stack overflow. Both are refused, naming the
// rule, quickly and in little memory.
func TestReplacementBounds(t *testing.T) {
	var doubling strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&doubling, "w%d => w%d w%d\n", i, i+1, i+1)
	}
	_, err := ReadReplacements(strings.NewReader(doubling.String()), "rep.txt")
	if err == nil || !strings.Contains(err.Error(), "expands to more than") || !strings.HasPrefix(err.Error(), "rep.txt:") {
		t.Errorf("doubling rules: %v", err)
	}
	var chain strings.Builder
	for i := 0; i < 200_000; i++ {
		fmt.Fprintf(&chain, "c%d => c%d\n", i, i+1)
	}
	_, err = ReadReplacements(strings.NewReader(chain.String()), "rep.txt")
	if err == nil || !strings.Contains(err.Error(), "chain of more than") || strings.Contains(err.Error(), "\n") {
		t.Errorf("long chain: %v", err)
	}
	// A chain within the bound still works.
	var ok strings.Builder
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&ok, "k%d => k%d\n", i, i+1)
	}
	r := mustRules(t, ok.String())
	if got := (&Formatter{Replacements: r, NoCasing: true}).Format("k0"); got != "k50" {
		t.Errorf("50-rule chain: %q", got)
	}
}

func TestReplacementErrors(t *testing.T) {
	cases := map[string]string{
		"hello world\n":                    "rep.txt:1: \"hello world\": want",
		" => x\n":                          "rep.txt:1: empty spoken form",
		"a => b\nA  => c\n":                "rep.txt:2: \"a\" is already replaced on line 1",
		"a => a\n":                         "",
		"a => b\nb => a\n":                 "rep.txt:1: replacements form a cycle: line 1 (a => \"b\") -> line 2 (b => \"a\") -> line 1",
		"x => y\nfoo bar => baz foo bar\n": "rep.txt:2: replacements form a cycle: line 2 (foo bar => \"baz foo bar\") -> line 2",
		"p => q r\nr => s\ns => the p\n":   "rep.txt:1: replacements form a cycle: line 1 (p => \"q r\") -> line 2 (r => \"s\") -> line 3 (s => \"the p\") -> line 1",
		strings.Repeat("x", 1<<17):         "rep.txt:1: ",
	}
	for in, want := range cases {
		_, err := ReadReplacements(strings.NewReader(in), "rep.txt")
		if want == "" {
			if err != nil {
				t.Errorf("%.30q: %v", in, err)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%.30q: error %v, want %q", in, err, want)
		}
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "r.txt")
	os.WriteFile(p, []byte("a => b\n"), 0o644)
	if r, err := LoadReplacements(p); err != nil || r.Len() != 1 {
		t.Fatalf("LoadReplacements: %v", err)
	}
	if _, err := LoadReplacements(filepath.Join(dir, "none.txt")); err == nil {
		t.Fatal("missing file accepted")
	}
}

func TestResultWords(t *testing.T) {
	words := []asr.Word{
		{Word: "hello", Start: 0.0, End: 0.4, Confidence: 0.9},
		{Word: "comma", Start: 0.5, End: 0.8, Confidence: 0.5},
		{Word: "i", Start: 0.9, End: 1.0, Confidence: 0.8},
		{Word: "said", Start: 1.0, End: 1.3, Confidence: 0.7},
		{Word: "open", Start: 1.4, End: 1.5, Confidence: 1},
		{Word: "quote", Start: 1.5, End: 1.7, Confidence: 1},
		{Word: "hi", Start: 1.8, End: 2.0, Confidence: 0.6},
		{Word: "new", Start: 2.1, End: 2.2, Confidence: 1},
		{Word: "line", Start: 2.2, End: 2.4, Confidence: 1},
		{Word: "bye", Start: 2.5, End: 2.8, Confidence: 0.4},
	}
	res := asr.Result{Text: "hello comma i said open quote hi new line bye", Words: words}
	got := (&Formatter{}).Result(res)
	if got.Text != "Hello, I said \"hi\nBye." || got.Raw != res.Text {
		t.Fatalf("text %q raw %q", got.Text, got.Raw)
	}
	want := []asr.Word{
		{Word: "Hello,", Start: 0, End: 0.8, Confidence: 0.9},
		{Word: "I", Start: 0.9, End: 1.0, Confidence: 0.8},
		{Word: "said", Start: 1.0, End: 1.3, Confidence: 0.7},
		{Word: "\"hi", Start: 1.4, End: 2.0, Confidence: 0.6},
		{Word: "Bye.", Start: 2.5, End: 2.8, Confidence: 0.4},
	}
	if len(got.Words) != len(want) {
		t.Fatalf("words %+v", got.Words)
	}
	for i := range want {
		if got.Words[i] != want[i] {
			t.Errorf("word %d: %+v, want %+v", i, got.Words[i], want[i])
		}
	}
	// Text without matching words is formatted on its own; the words are kept.
	other := (&Formatter{}).Result(asr.Result{Text: "good morning", Words: words[:1]})
	if other.Text != "Good morning." || len(other.Words) != 1 || other.Words[0].Word != "hello" {
		t.Errorf("%+v", other)
	}
}

func FuzzFormat(f *testing.F) {
	f.Add("hello comma world literal period new paragraph i'm open quote x close quote")
	f.Fuzz(func(t *testing.T, s string) {
		fm := &Formatter{Replacements: mustRules(t, "new york => New York\ngonna => going to\n")}
		out := fm.Format(s)
		if strings.TrimSpace(s) != "" && strings.TrimSpace(out) == "" && !strings.Contains(strings.ToLower(s), "literal") {
			// Only commands can produce no visible text (e.g. "new line").
			for _, w := range strings.Fields(strings.ToLower(s)) {
				if _, ok := commands[w]; !ok && w != "line" && w != "paragraph" && w != "quote" && w != "paren" && w != "parenthesis" {
					t.Fatalf("%q formatted to nothing", s)
				}
			}
		}
		var words []asr.Word
		for i, w := range strings.Fields(s) {
			words = append(words, asr.Word{Word: w, Start: float64(i), End: float64(i) + 0.5})
		}
		for _, w := range fm.Words(words) {
			if w.End < w.Start {
				t.Fatalf("word %+v ends before it starts", w)
			}
		}
	})
}

func TestNoFinalStop(t *testing.T) {
	f := &Formatter{NoFinalStop: true}
	for raw, want := range map[string]string{
		"hello world":               "Hello world",
		"hello world period":        "Hello world.",
		"is it question mark":       "Is it?",
		"hello period how are you":  "Hello. How are you",
		"literal period at the end": "Period at the end",
	} {
		if got := f.Format(raw); got != want {
			t.Errorf("Format(%q) = %q, want %q", raw, got, want)
		}
	}
}

// FuzzReadReplacements: any replacement file is read or refused with one line naming the
// file, and a read one formats text without panicking.
func FuzzReadReplacements(f *testing.F) {
	for _, s := range []string{"a => b\nb => c d\n", "a => b\nb => a\n", "w0 => w1 w1\nw1 => w2 w2\n", "# c\n\tx\n", "new line => \\n\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := ReadReplacements(strings.NewReader(in), "rep.txt")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "rep.txt:") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q", err)
			}
			return
		}
		out := (&Formatter{Replacements: r}).Format("a b c new line w0 x")
		if len(out) > 64*maxWritten {
			t.Fatalf("output of %d bytes", len(out))
		}
	})
}
