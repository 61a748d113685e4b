package lm

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"hark/asr/eval"
)

// Corpus is normalized training text: sentences of lowercase words separated by single
// spaces, in input order, with a record of which input line each sentence came from.
type Corpus struct {
	text  []byte  // sentences, each followed by '\n'
	ends  []int   // end offset of each sentence in text (excluding its '\n')
	lines []int32 // index of the first sentence of each input line with any words
	words int
}

// Sentences is the number of sentences.
func (c *Corpus) Sentences() int { return len(c.ends) }

// Words is the number of words.
func (c *Corpus) Words() int { return c.words }

// Lines is the number of input lines that produced at least one sentence.
func (c *Corpus) Lines() int { return len(c.lines) }

// sentence returns sentence i.
func (c *Corpus) sentence(i int) []byte {
	start := 0
	if i > 0 {
		start = c.ends[i-1] + 1
	}
	return c.text[start:c.ends[i]]
}

// abbreviations maps written abbreviations (lowercase, without the period) to what a
// speaker says; a period after them does not end a sentence.
var abbreviations = map[string]string{
	"mr": "mister", "mrs": "missus", "messrs": "messieurs", "dr": "doctor", "st": "saint",
	"jr": "junior", "sr": "senior", "prof": "professor", "capt": "captain", "col": "colonel",
	"gen": "general", "lt": "lieutenant", "sgt": "sergeant", "rev": "reverend", "hon": "honorable",
	"gov": "governor", "sen": "senator", "rep": "representative", "vs": "versus", "etc": "et cetera",
	"mt": "mount", "ft": "fort", "esq": "esquire",
}

// maxCorpusLine is the longest input line accepted.
const maxCorpusLine = 4 << 20

// AddReader reads plain UTF-8 text, one or more sentences per line, and appends it to the
// corpus normalized the way the recognizer writes words: lower case, numbers spelled out,
// hyphens as spaces, apostrophes kept inside words, other punctuation dropped. Lines are
// split into sentences at '.', '!' and '?' (not after common abbreviations such as "Mr.",
// which are spelled out, nor after single initials). name labels errors.
func (c *Corpus) AddReader(r io.Reader, name string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), maxCorpusLine)
	line := 0
	for sc.Scan() {
		line++
		c.addLine(sc.Text())
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("%s:%d: line longer than %d bytes", name, line+1, maxCorpusLine)
		}
		return fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	return nil
}

// AddText appends text (see AddReader).
func (c *Corpus) AddText(s string) {
	for l := range strings.Lines(s) {
		c.addLine(l)
	}
}

func (c *Corpus) addLine(s string) {
	first := true
	for _, sent := range splitSentences(s) {
		n := eval.Normalize(sent)
		if n == "" {
			continue
		}
		if first {
			c.lines = append(c.lines, int32(len(c.ends)))
			first = false
		}
		c.text = append(c.text, n...)
		c.ends = append(c.ends, len(c.text))
		c.text = append(c.text, '\n')
		c.words += strings.Count(n, " ") + 1
	}
}

// splitSentences cuts a line at sentence-final punctuation and spells out abbreviations.
func splitSentences(s string) []string {
	var out []string
	var cur strings.Builder
	fields := strings.Fields(s)
	for i, f := range fields {
		core := strings.TrimRight(f, "\"')]}")
		end := len(core) > 0 && strings.ContainsRune(".!?", rune(core[len(core)-1]))
		if end && core[len(core)-1] == '.' {
			w := strings.ToLower(strings.TrimLeft(strings.TrimRight(core, "."), "\"'([{"))
			if exp, ok := abbreviations[w]; ok && strings.Count(core, ".") == 1 {
				end = false
				f = exp
			} else if len([]rune(w)) == 1 && i+1 < len(fields) {
				end = false // an initial: "J. Smith"
			}
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(f)
		if end {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// Split returns the corpus cut at an input-line boundary: train keeps the first lines and
// dev the last fraction frac of them (0 ≤ frac < 1). The two share storage with c.
func (c *Corpus) Split(frac float64) (train, dev *Corpus) {
	if !(frac > 0) || len(c.lines) == 0 {
		return c, &Corpus{}
	}
	frac = min(frac, 1)
	keep := len(c.lines) - int(float64(len(c.lines))*frac+0.5)
	keep = max(keep, 0)
	if keep == len(c.lines) {
		return c, &Corpus{}
	}
	cut := int(c.lines[keep]) // first dev sentence
	off := 0
	if cut > 0 {
		off = c.ends[cut-1] + 1
	}
	train = &Corpus{text: c.text[:off:off], ends: c.ends[:cut:cut], lines: c.lines[:keep:keep]}
	dev = &Corpus{text: c.text[off:]}
	for _, e := range c.ends[cut:] {
		dev.ends = append(dev.ends, e-off)
	}
	for _, l := range c.lines[keep:] {
		dev.lines = append(dev.lines, l-int32(cut))
	}
	for i := range train.ends {
		train.words += bytes.Count(train.sentence(i), []byte{' '}) + 1
	}
	dev.words = c.words - train.words
	return train, dev
}
