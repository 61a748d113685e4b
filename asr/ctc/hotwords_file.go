package ctc

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"hark/internal/regfile"
)

// ErrNoHotwords is returned (wrapped) for a hotword file with no usable phrase.
var ErrNoHotwords = errors.New("no hotwords")

// ReadHotwords parses a hotword file and tokenizes its phrases with v, giving the input of
// NewHotwords. The format, one phrase per line:
//
//	# comment (also after a phrase)
//	Anna Karenina          default boost (DefaultHotwordBoost per token)
//	Hark:3                 boost 3 per token
//	new york city	2.5    tab-separated boost
//
// Boosts are natural-log score per matched token; 0 or none means the default; negative
// boosts discourage a phrase. A malformed boost is an error naming the line. A phrase that
// cannot be spelled with the model's tokens (for a character vocabulary: a character it
// does not have) is skipped and reported in warnings, each naming the file and line. A file
// with no usable phrase is an error wrapping ErrNoHotwords. name labels messages.
func (v *Vocabulary) ReadHotwords(r io.Reader, name string) (phrases [][]int, boosts []float32, warnings []string, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<16)
	line, skipped := 0, 0
	for sc.Scan() {
		line++
		s := sc.Text()
		if line == 1 {
			s = strings.TrimPrefix(s, "\ufeff")
		}
		if i := strings.IndexByte(s, '#'); i >= 0 {
			s = s[:i]
		}
		phrase, boost, err := splitBoost(s)
		if err != nil {
			return nil, nil, warnings, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		if phrase == "" {
			continue
		}
		toks, err := v.Tokenize(phrase)
		if err != nil {
			skipped++
			warnings = append(warnings, fmt.Sprintf("%s:%d: skipped %q: %v", name, line, phrase, err))
			continue
		}
		phrases = append(phrases, toks)
		boosts = append(boosts, boost)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, nil, warnings, fmt.Errorf("%s:%d: line longer than 64 KiB: not a hotword list", name, line+1)
		}
		return nil, nil, warnings, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	if len(phrases) == 0 {
		if skipped > 0 {
			return nil, nil, warnings, fmt.Errorf("%s: %w: all %d phrases were skipped", name, ErrNoHotwords, skipped)
		}
		return nil, nil, warnings, fmt.Errorf("%s: %w: the file has no phrases", name, ErrNoHotwords)
	}
	return phrases, boosts, warnings, nil
}

// splitBoost separates "phrase:BOOST" or "phrase<TAB>BOOST"; the phrase comes back with
// single spaces.
func splitBoost(s string) (string, float32, error) {
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	var phrase, num string
	if i := strings.LastIndexByte(s, '\t'); i >= 0 {
		phrase, num = s[:i], s[i+1:]
	} else if i := strings.LastIndexByte(s, ':'); i >= 0 {
		phrase, num = s[:i], s[i+1:]
	} else {
		phrase = s
	}
	phrase = strings.Join(strings.Fields(phrase), " ")
	if num == "" && phrase == strings.Join(strings.Fields(s), " ") {
		return phrase, 0, nil
	}
	num = strings.TrimSpace(num)
	b, err := strconv.ParseFloat(num, 32)
	if err != nil || math.IsNaN(b) || math.IsInf(b, 0) {
		return "", 0, fmt.Errorf("boost %q is not a finite number", num)
	}
	if phrase == "" {
		return "", 0, fmt.Errorf("boost %s without a phrase", num)
	}
	return phrase, float32(b), nil
}

// ReadHotwordsFile is ReadHotwords on the file at path (a regular file: a FIFO is refused,
// not waited on).
func (v *Vocabulary) ReadHotwordsFile(path string) (phrases [][]int, boosts []float32, warnings []string, err error) {
	f, err := regfile.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	defer f.Close()
	return v.ReadHotwords(f, path)
}

// LoadHotwords reads a hotword file (see ReadHotwords) and builds the booster.
func (v *Vocabulary) LoadHotwords(path string) (*Hotwords, []string, error) {
	phrases, boosts, warnings, err := v.ReadHotwordsFile(path)
	if err != nil {
		return nil, warnings, err
	}
	h, err := NewHotwords(phrases, boosts)
	if err != nil {
		return nil, warnings, fmt.Errorf("%s: %w", path, err)
	}
	return h, warnings, nil
}

// Tokenize spells text with the vocabulary's tokens. For a character vocabulary each
// character becomes its token (tried as written, then in lower and upper case) and words
// are joined by the separator token. For a SentencePiece vocabulary each word is split
// greedily into the longest matching pieces, the first carrying the "▁" word-start mark,
// with byte-fallback tokens (<0xHH>) for what no piece covers, if the vocabulary has them.
func (v *Vocabulary) Tokenize(text string) ([]int, error) {
	words := strings.Fields(text)
	if len(words) == 0 {
		return nil, errors.New("empty text")
	}
	if v.kind == SentencePiece {
		return v.tokenizePieces(words)
	}
	chars := map[string]int{}
	sep := -1
	for id, c := range v.cls {
		switch c {
		case clsText:
			if _, dup := chars[v.text[id]]; !dup {
				chars[v.text[id]] = id
			}
		case clsSep:
			if sep < 0 {
				sep = id
			}
		}
	}
	var out []int
	for i, w := range words {
		if i > 0 {
			if sep < 0 {
				return nil, errors.New("the vocabulary has no word separator token, so phrases must be single words")
			}
			out = append(out, sep)
		}
		for _, r := range w {
			id, ok := lookupRune(chars, r)
			if !ok {
				return nil, fmt.Errorf("character %q is not in the model's vocabulary", r)
			}
			out = append(out, id)
		}
	}
	return out, nil
}

func lookupRune(m map[string]int, r rune) (int, bool) {
	for _, c := range []rune{r, unicode.ToLower(r), unicode.ToUpper(r)} {
		if id, ok := m[string(c)]; ok {
			return id, true
		}
	}
	return 0, false
}

func (v *Vocabulary) tokenizePieces(words []string) ([]int, error) {
	start := map[string]int{} // text of "▁xyz" pieces
	cont := map[string]int{}  // text of continuation pieces
	bytesTok := map[byte]int{}
	sep := -1
	maxLen := 0
	for id, c := range v.cls {
		switch c {
		case clsWordStart:
			if _, dup := start[v.text[id]]; !dup {
				start[v.text[id]] = id
			}
		case clsText:
			if _, dup := cont[v.text[id]]; !dup {
				cont[v.text[id]] = id
			}
		case clsByte:
			bytesTok[v.text[id][0]] = id
		case clsSep:
			if sep < 0 {
				sep = id
			}
		default:
			continue
		}
		maxLen = max(maxLen, len(v.text[id]))
	}
	var out []int
	for _, w := range words {
		var err error
		for _, form := range []string{w, strings.ToLower(w)} {
			var toks []int
			if toks, err = pieces(form, start, cont, bytesTok, sep, maxLen); err == nil {
				out = append(out, toks...)
				break
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pieces splits one word greedily: the longest word-start piece first (or the bare "▁"
// separator), then the longest continuation pieces, byte tokens as a fallback.
func pieces(w string, start, cont map[string]int, bytesTok map[byte]int, sep, maxLen int) ([]int, error) {
	var out []int
	i := 0
	first := true
	for i < len(w) {
		table := cont
		if first {
			table = start
		}
		found := false
		for n := min(maxLen, len(w)-i); n > 0; n-- {
			if id, ok := table[w[i:i+n]]; ok {
				out = append(out, id)
				i += n
				found = true
				break
			}
		}
		if !found && first && sep >= 0 {
			out = append(out, sep) // "▁" alone, then continuation pieces
			first = false
			continue
		}
		if !found {
			if first {
				// No word-start piece and no bare separator: the word cannot begin.
				break
			}
			id, ok := bytesTok[w[i]]
			if !ok {
				r, _ := utf8.DecodeRuneInString(w[i:])
				return nil, fmt.Errorf("%q cannot be spelled with the model's pieces (at %q)", w, r)
			}
			out = append(out, id)
			i++
		}
		first = false
	}
	if first || i < len(w) {
		return nil, fmt.Errorf("%q cannot be spelled with the model's pieces", w)
	}
	return out, nil
}
