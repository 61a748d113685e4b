package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentence writes an utterance that arrives in pieces (the stream's provisional finals) as
// text that is only ever appended to, because what was written may already have been typed
// into another application. Each piece is formatted together with the pieces before it, so
// casing, spoken commands and replacements see the whole sentence so far; the full stop
// comes only with End. Usually the pieces then read exactly as the whole sentence formatted
// at once; when a command or replacement spans a pause (the speaker stopped inside
// "question mark"), what was written stays and the new words follow it, formatted on their
// own.
type Sentence struct {
	// Format formats raw words; final is false while the sentence goes on (no full stop).
	Format func(raw string, final bool) string

	raw     []string
	written string
}

// Add adds a piece's raw words and returns the text to append to what was written: the
// piece, with a leading space where one is needed.
func (s *Sentence) Add(raw string) string {
	words := strings.Fields(raw)
	if len(words) == 0 {
		return ""
	}
	d := s.delta(words)
	s.raw = append(s.raw, words...)
	s.written += d
	return d
}

// Peek returns what Add would append for raw, without adding it (for partial results).
func (s *Sentence) Peek(raw string) string {
	words := strings.Fields(raw)
	if len(words) == 0 {
		return ""
	}
	return s.delta(words)
}

func (s *Sentence) delta(words []string) string {
	all := append(s.raw[:len(s.raw):len(s.raw)], words...)
	if full := s.Format(strings.Join(all, " "), false); strings.HasPrefix(full, s.written) {
		return full[len(s.written):]
	}
	// Earlier words would now be written differently: keep them, format the new ones alone.
	piece := s.Format(strings.Join(words, " "), false)
	if piece == "" {
		return ""
	}
	if !endsSentenceText(s.written) && startsLower(words[0]) {
		piece = lowerFirst(piece, words[0])
	}
	return joiner(s.written, piece) + piece
}

// End returns the text that ends the sentence (the full stop, where the rules add one) and
// starts a new, empty sentence.
func (s *Sentence) End() string {
	defer s.Reset()
	if len(s.raw) == 0 {
		return ""
	}
	raw := strings.Join(s.raw, " ")
	full := s.Format(raw, true)
	if strings.HasPrefix(full, s.written) {
		return full[len(s.written):]
	}
	// The full stop goes at the end if the rules add one, unless the text already ends a
	// sentence (or a line).
	if full != s.Format(raw, false) && !endsSentenceText(s.written) {
		return "."
	}
	return ""
}

// Text is what was written so far; Raw the raw words.
func (s *Sentence) Text() string { return s.written }

// Raw is the raw words added so far.
func (s *Sentence) Raw() string { return strings.Join(s.raw, " ") }

// Empty reports whether nothing was added since the last End.
func (s *Sentence) Empty() bool { return len(s.raw) == 0 }

// Reset forgets the sentence.
func (s *Sentence) Reset() { s.raw, s.written = nil, "" }

// endsSentenceText reports whether text is empty or ends a sentence: sentence punctuation
// (before closing quotes and brackets) or a new line.
func endsSentenceText(text string) bool {
	t := strings.TrimRight(text, " ")
	if t == "" || strings.HasSuffix(t, "\n") {
		return true
	}
	t = strings.TrimRight(t, "\")]}")
	return strings.HasSuffix(t, ".") || strings.HasSuffix(t, "?") || strings.HasSuffix(t, "!")
}

func startsLower(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsLower(r)
}

// lowerFirst undoes sentence-start casing of the piece's first word (not "I").
func lowerFirst(piece, raw string) string {
	if _, ok := pronounI[strings.ToLower(raw)]; ok {
		return piece
	}
	r, n := utf8.DecodeRuneInString(piece)
	if !unicode.IsUpper(r) {
		return piece
	}
	return string(unicode.ToLower(r)) + piece[n:]
}

// joiner is the space between written text and a piece, unless the piece attaches to the
// text before it (punctuation) or the text ends where no space is wanted.
func joiner(written, piece string) string {
	if written == "" || strings.HasSuffix(written, " ") || strings.HasSuffix(written, "\n") ||
		strings.HasSuffix(written, "(") || strings.HasPrefix(piece, "\n") {
		return ""
	}
	if r, _ := utf8.DecodeRuneInString(piece); strings.ContainsRune(".,;:!?)]}", r) {
		return ""
	}
	return " "
}
