package ctc

import (
	"errors"
	"strings"
	"testing"
)

func mustVocab(t testing.TB, tokens ...string) *Vocabulary {
	t.Helper()
	v, err := NewVocabulary(tokens, -1)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestReadTokens(t *testing.T) {
	in := "\ufeffb 2\r\n<blk> 0\n\n  a   1 \nx y 3\n"
	v, err := ReadTokens(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if v.Size() != 4 || v.Blank() != 0 || v.Kind() != Char {
		t.Fatalf("size %d blank %d kind %v", v.Size(), v.Blank(), v.Kind())
	}
	for id, want := range []string{"<blk>", "a", "b", "x y"} {
		if got := v.Token(id); got != want {
			t.Errorf("token %d = %q, want %q", id, got, want)
		}
	}
	if id, ok := v.ID("x y"); !ok || id != 3 {
		t.Errorf("ID(x y) = %d %v", id, ok)
	}
	if v.Token(-1) != "" || v.Token(4) != "" {
		t.Error("out-of-range Token not empty")
	}
}

func TestReadTokensErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want error
		line string
	}{
		{"", ErrEmpty, ""},
		{"\n  \n", ErrEmpty, ""},
		{"<blk> 0\na 1\nb 1\n", ErrDuplicateID, "line 3"},
		{"<blk> 0\na 2\n", ErrIDGap, "line 2"},
		{"<blk> 0\na x\n", ErrBadID, "line 2"},
		{"<blk> 0\na -1\n", ErrBadID, "line 2"},
		{"<blk> 0\na 1.5\n", ErrBadID, "line 2"},
		{"<blk> 0\n7\n", ErrNoToken, "line 2"},
		{"a 0\nb 1\n", ErrNoBlank, ""},
	} {
		_, err := ReadTokens(strings.NewReader(tc.in))
		if !errors.Is(err, tc.want) {
			t.Errorf("%q: error %v, want %v", tc.in, err, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.line) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %q should name %q on one line", tc.in, err, tc.line)
		}
	}
}

func TestBlankOverride(t *testing.T) {
	v, err := ReadTokensWithBlank(strings.NewReader("a 0\nb 1\nnone 2\n"), 2)
	if err != nil || v.Blank() != 2 {
		t.Fatalf("blank %v err %v", v, err)
	}
	if v.Text([]int{0, 2, 1}) != "ab" {
		t.Errorf("blank produced text: %q", v.Text([]int{0, 2, 1}))
	}
	if _, err := ReadTokensWithBlank(strings.NewReader("a 0\n"), 1); !errors.Is(err, ErrBadBlank) {
		t.Errorf("out-of-range blank: %v", err)
	}
	// <blk> is preferred over <eps>.
	if v := mustVocab(t, "<eps>", "<blk>", "a"); v.Blank() != 1 {
		t.Errorf("blank = %d, want 1", v.Blank())
	}
}

func TestLoadTokens(t *testing.T) {
	v, err := LoadTokens("testdata/char_tokens.txt")
	if err != nil || v.Size() != 4 {
		t.Fatalf("%v %v", v, err)
	}
	_, err = LoadTokens("testdata/dup_tokens.txt")
	if !errors.Is(err, ErrDuplicateID) || !strings.Contains(err.Error(), "testdata/dup_tokens.txt: line 3:") {
		t.Errorf("error %v should name path and line", err)
	}
	if _, err := LoadTokens("testdata/missing.txt"); err == nil || !strings.Contains(err.Error(), "missing.txt") {
		t.Errorf("missing file: %v", err)
	}
}

func TestKindAndText(t *testing.T) {
	ch := mustVocab(t, "<blk>", "a", "b", "<space>", "|", "▁", "'", "<unk>")
	if ch.Kind() != Char {
		t.Fatalf("kind %v", ch.Kind())
	}
	// blk a b <space> <space> b ' | a <unk> ▁ a
	if got := ch.Text([]int{0, 1, 2, 3, 3, 2, 6, 4, 1, 7, 5, 1, 99, -1}); got != "ab b' a a" {
		t.Errorf("char text %q", got)
	}
	sp := mustVocab(t, "<blk>", "<sos/eos>", "<unk>", "▁the", "▁c", "at", "s", "▁", "<0xC3>", "<0xA9>", "|")
	if sp.Kind() != SentencePiece || sp.Kind().String() != "sentencepiece" {
		t.Fatalf("kind %v", sp.Kind())
	}
	// ▁the ▁c at s <unk> ▁ | <0xC3><0xA9> </s>
	if got := sp.Text([]int{3, 4, 5, 6, 2, 7, 10, 8, 9, 1}); got != "the cats |é" {
		t.Errorf("sentencepiece text %q", got)
	}
	if got := sp.Text([]int{5, 4, 5}); got != "at cat" {
		t.Errorf("leading non-▁ piece: %q", got)
	}
	if got := sp.Text(nil); got != "" {
		t.Errorf("empty: %q", got)
	}
}

func FuzzReadTokens(f *testing.F) {
	f.Add("<blk> 0\na 1\n")
	f.Add("▁x 1\n<blank> 0\n\n")
	f.Add("a b 0\n<eps> 1")
	f.Add("\ufeff<blk> 00\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		v, err := ReadTokens(strings.NewReader(in))
		if err != nil {
			if v != nil || strings.Contains(err.Error(), "\n") {
				t.Fatalf("bad error %q (vocab %v)", err, v)
			}
			return
		}
		if v.Size() == 0 || v.Blank() < 0 || v.Blank() >= v.Size() {
			t.Fatalf("size %d blank %d", v.Size(), v.Blank())
		}
		// Writing the vocabulary back and reading it again gives the same tokens.
		var b strings.Builder
		for i := v.Size() - 1; i >= 0; i-- {
			b.WriteString(v.Token(i) + " " + string(rune('0'+i%10)) + "\n")
		}
		ids := make([]int, v.Size())
		for i := range ids {
			ids[i] = i
		}
		_ = v.Text(ids)
		if v.Size() <= 10 {
			w, err := ReadTokens(strings.NewReader(b.String()))
			if err != nil {
				t.Fatalf("re-read: %v", err)
			}
			for i := 0; i < v.Size(); i++ {
				if w.Token(i) != v.Token(i) {
					t.Fatalf("token %d: %q != %q", i, w.Token(i), v.Token(i))
				}
			}
		}
	})
}
