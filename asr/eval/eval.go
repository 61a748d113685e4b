package eval

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

var ones = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
	"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
var tens = []string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}

// NumberWords spells a non-negative integer below one billion in English words.
func NumberWords(n int) string {
	if n < 0 || n >= 1_000_000_000 {
		return strconv.Itoa(n)
	}
	var parts []string
	for _, s := range []struct {
		v    int
		name string
	}{{1_000_000, "million"}, {1000, "thousand"}} {
		if n >= s.v {
			parts = append(parts, NumberWords(n/s.v), s.name)
			n %= s.v
		}
	}
	if n >= 100 {
		parts = append(parts, ones[n/100], "hundred")
		n %= 100
	}
	switch {
	case n >= 20:
		w := tens[n/10]
		if n%10 != 0 {
			w += " " + ones[n%10]
		}
		parts = append(parts, w)
	case n > 0 || len(parts) == 0:
		parts = append(parts, ones[n])
	}
	return strings.Join(parts, " ")
}

// Normalize prepares text for scoring: lower case, numbers as words, hyphens as spaces,
// apostrophes kept inside words, all other punctuation removed, single spaces.
func Normalize(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case unicode.IsDigit(r):
			j := i
			for j < len(rs) && (unicode.IsDigit(rs[j]) || (rs[j] == ',' && j+1 < len(rs) && unicode.IsDigit(rs[j+1]))) {
				j++
			}
			var digits []byte // ASCII, whatever script the digits were written in
			for _, d := range rs[i:j] {
				if d != ',' {
					digits = append(digits, byte('0'+digitValue(d)))
				}
			}
			if n, err := strconv.Atoi(string(digits)); err == nil && len(digits) <= 9 {
				b.WriteString(" " + NumberWords(n) + " ")
			} else {
				for _, d := range digits {
					b.WriteString(" " + ones[d-'0'] + " ")
				}
			}
			i = j - 1
		case unicode.IsLetter(r):
			b.WriteRune(r)
		case r == '\'' || r == '’':
			if i > 0 && i+1 < len(rs) && unicode.IsLetter(rs[i-1]) && unicode.IsLetter(rs[i+1]) {
				b.WriteRune('\'')
			} else {
				b.WriteRune(' ')
			}
		default:
			b.WriteRune(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// digitValue is the value of a decimal digit of any script (Unicode category Nd, whose digits
// come in runs of ten from zero: "３" is 3, "٣" is 3).
func digitValue(r rune) int {
	if r >= '0' && r <= '9' {
		return int(r - '0')
	}
	n := 0
	for unicode.IsDigit(r - rune(n) - 1) {
		n++
	}
	return n % 10
}

// EditDistance returns the Levenshtein distance between two token sequences.
func EditDistance[T comparable](ref, hyp []T) int {
	prev := make([]int, len(hyp)+1)
	cur := make([]int, len(hyp)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ref); i++ {
		cur[0] = i
		for j := 1; j <= len(hyp); j++ {
			c := prev[j-1]
			if ref[i-1] != hyp[j-1] {
				c = min(c, prev[j], cur[j-1]) + 1
			}
			cur[j] = c
		}
		prev, cur = cur, prev
	}
	return prev[len(hyp)]
}

// Score accumulates errors over many utterances.
type Score struct {
	Utterances        int
	WordErrors, Words int
	CharErrors, Chars int
	SentenceErrors    int
}

// Add scores one hypothesis against its reference (both normalised here).
func (s *Score) Add(ref, hyp string) {
	ref, hyp = Normalize(ref), Normalize(hyp)
	rw, hw := strings.Fields(ref), strings.Fields(hyp)
	we := EditDistance(rw, hw)
	ce := EditDistance([]rune(ref), []rune(hyp))
	s.Utterances++
	s.WordErrors += we
	s.Words += len(rw)
	s.CharErrors += ce
	s.Chars += len([]rune(ref))
	if we > 0 {
		s.SentenceErrors++
	}
}

// WER is the word error rate (errors / reference words).
func (s Score) WER() float64 { return ratio(s.WordErrors, s.Words) }

// CER is the character error rate, spaces included.
func (s Score) CER() float64 { return ratio(s.CharErrors, s.Chars) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Entry is one line of a manifest.
type Entry struct {
	Path, Reference string
	Line            int
}

// ReadManifest reads a TSV manifest: audio path, tab, reference text, one per line. Blank
// lines and lines starting with # are skipped; relative paths are kept as written.
func ReadManifest(r io.Reader, name string) ([]Entry, error) {
	var out []Entry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		path, ref, ok := strings.Cut(line, "\t")
		if !ok || strings.TrimSpace(path) == "" {
			return nil, fmt.Errorf("%s:%d: want \"PATH<TAB>REFERENCE\"", name, n)
		}
		out = append(out, Entry{Path: path, Reference: ref, Line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no entries", name)
	}
	return out, nil
}
