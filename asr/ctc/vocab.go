package ctc

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"hark/internal/regfile"
)

// Kind is the style of a vocabulary, which decides where words begin and end.
type Kind int

const (
	// Char is a character vocabulary: words are separated by a separator token
	// ("▁", "<space>" or "|").
	Char Kind = iota
	// SentencePiece is a subword vocabulary: a token starting with "▁" (U+2581) begins a new word.
	SentencePiece
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case Char:
		return "char"
	case SentencePiece:
		return "sentencepiece"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// WordStart is the SentencePiece word-start marker, U+2581.
const WordStart = "▁"

// Errors returned (wrapped) by the vocabulary readers; test them with errors.Is.
var (
	ErrEmpty       = errors.New("no tokens")
	ErrNoToken     = errors.New("line has no token before the id")
	ErrBadID       = errors.New("id is not a non-negative integer")
	ErrDuplicateID = errors.New("duplicate id")
	ErrIDGap       = errors.New("ids are not 0..N-1")
	ErrNoBlank     = errors.New("no blank token (<blk>, <blank> or <eps>) and no blank id given")
	ErrBadBlank    = errors.New("blank id out of range")
)

// blankNames are the token names recognised as the CTC blank, in order of preference.
var blankNames = []string{"<blk>", "<blank>", "<eps>"}

type tokenClass uint8

const (
	clsText      tokenClass = iota // ordinary text, appended to the current word
	clsWordStart                   // SentencePiece "▁xyz": starts a new word with text "xyz"
	clsSep                         // word separator, no text
	clsSpecial                     // blank, <unk>, <s>, </s>, ...: never emitted as text
	clsByte                        // SentencePiece byte fallback <0xHH>: one raw byte of text
)

// Vocabulary maps token ids of a CTC model to text.
// It is immutable after construction and safe for concurrent use.
type Vocabulary struct {
	tokens []string
	text   []string // text each token contributes (marker stripped)
	cls    []tokenClass
	blank  int
	kind   Kind
}

// NewVocabulary builds a vocabulary from tokens indexed by id. blank is the blank id, or
// negative to find the token named <blk>, <blank> or <eps>.
func NewVocabulary(tokens []string, blank int) (*Vocabulary, error) {
	if len(tokens) == 0 {
		return nil, ErrEmpty
	}
	for i, t := range tokens {
		if t == "" {
			return nil, fmt.Errorf("token %d: %w", i, ErrNoToken)
		}
	}
	if blank >= len(tokens) {
		return nil, fmt.Errorf("%w: blank id %d, vocabulary has %d tokens", ErrBadBlank, blank, len(tokens))
	}
	if blank < 0 {
		blank = findBlank(tokens)
		if blank < 0 {
			return nil, ErrNoBlank
		}
	}
	v := &Vocabulary{
		tokens: append([]string(nil), tokens...),
		text:   make([]string, len(tokens)),
		cls:    make([]tokenClass, len(tokens)),
		blank:  blank,
		kind:   Char,
	}
	for _, t := range tokens {
		if t != WordStart && strings.HasPrefix(t, WordStart) {
			v.kind = SentencePiece
			break
		}
	}
	for i, t := range tokens {
		v.cls[i], v.text[i] = classify(t, v.kind)
	}
	v.cls[blank], v.text[blank] = clsSpecial, ""
	return v, nil
}

func findBlank(tokens []string) int {
	for _, name := range blankNames {
		for i, t := range tokens {
			if t == name {
				return i
			}
		}
	}
	return -1
}

func classify(t string, k Kind) (tokenClass, string) {
	switch {
	case t == WordStart:
		return clsSep, ""
	case k == Char && (t == "<space>" || t == "|"):
		return clsSep, ""
	case k == SentencePiece && strings.HasPrefix(t, WordStart):
		return clsWordStart, t[len(WordStart):]
	case len(t) == 6 && strings.HasPrefix(t, "<0x") && t[5] == '>':
		if b, err := strconv.ParseUint(t[3:5], 16, 8); err == nil {
			return clsByte, string([]byte{byte(b)})
		}
		return clsSpecial, ""
	case len(t) > 2 && t[0] == '<' && t[len(t)-1] == '>' && t != "<space>":
		return clsSpecial, ""
	}
	return clsText, t
}

// Size is the number of tokens.
func (v *Vocabulary) Size() int { return len(v.tokens) }

// Blank is the id of the CTC blank token.
func (v *Vocabulary) Blank() int { return v.blank }

// Kind is the detected vocabulary style: SentencePiece if any token other than a lone "▁"
// starts with "▁", else Char.
func (v *Vocabulary) Kind() Kind { return v.kind }

// Token returns the token with the given id as written in tokens.txt, or "" if out of range.
func (v *Vocabulary) Token(id int) string {
	if id < 0 || id >= len(v.tokens) {
		return ""
	}
	return v.tokens[id]
}

// ID returns the id of a token, as written in tokens.txt.
func (v *Vocabulary) ID(token string) (int, bool) {
	for i, t := range v.tokens {
		if t == token {
			return i, true
		}
	}
	return 0, false
}

// ReadTokens reads a sherpa-onnx style tokens.txt: one "TOKEN ID" per line, the id being the
// last whitespace-separated field and the token everything before it. Ids must be 0..N-1, each
// exactly once, in any order. Blank lines are ignored. The blank is the token named <blk>,
// <blank> or <eps>. Errors name the line.
func ReadTokens(r io.Reader) (*Vocabulary, error) { return ReadTokensWithBlank(r, -1) }

// ReadTokensWithBlank is ReadTokens with the blank id given (for example from model
// metadata); a negative blank means find it by name.
func ReadTokensWithBlank(r io.Reader, blank int) (*Vocabulary, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	type entry struct {
		tok  string
		id   int
		line int
	}
	var entries []entry
	seen := map[int]int{}
	line := 0
	for sc.Scan() {
		line++
		s := sc.Text()
		if line == 1 {
			s = strings.TrimPrefix(s, "\ufeff")
		}
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		i := strings.LastIndexFunc(s, unicode.IsSpace)
		if i < 0 {
			return nil, fmt.Errorf("line %d: %q: %w", line, s, ErrNoToken)
		}
		field := strings.TrimLeftFunc(s[i:], unicode.IsSpace)
		tok := strings.TrimRightFunc(s[:i], unicode.IsSpace)
		id, err := strconv.Atoi(field)
		if err != nil || id < 0 {
			return nil, fmt.Errorf("line %d: %q: %w", line, field, ErrBadID)
		}
		if prev, dup := seen[id]; dup {
			return nil, fmt.Errorf("line %d: %w %d (first on line %d)", line, ErrDuplicateID, id, prev)
		}
		seen[id] = line
		entries = append(entries, entry{tok, id, line})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	if len(entries) == 0 {
		return nil, ErrEmpty
	}
	tokens := make([]string, len(entries))
	for _, e := range entries {
		if e.id >= len(entries) {
			missing := 0
			for seen[missing] != 0 {
				missing++
			}
			return nil, fmt.Errorf("line %d: id %d but there are %d tokens and id %d is missing: %w", e.line, e.id, len(entries), missing, ErrIDGap)
		}
		tokens[e.id] = e.tok
	}
	return NewVocabulary(tokens, blank)
}

// LoadTokens reads a tokens.txt file (see ReadTokens). Errors name the path and line.
func LoadTokens(path string) (*Vocabulary, error) { return LoadTokensWithBlank(path, -1) }

// LoadTokensWithBlank is LoadTokens with the blank id given; negative means find it by name.
func LoadTokensWithBlank(path string, blank int) (*Vocabulary, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	v, err := ReadTokensWithBlank(f, blank)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}
