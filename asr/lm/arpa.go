package lm

import (
	"bufio"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// maxLine is the longest ARPA line accepted.
const maxLine = 1 << 20

// maxNgrams bounds the count of one order (ids are 32-bit).
const maxNgrams = math.MaxUint32 - 1

// ReadARPA reads a back-off language model in ARPA text format:
//
//	\data\
//	ngram 1=3
//	ngram 2=2
//
//	\1-grams:
//	-1.2	<s>	-0.3
//	...
//	\2-grams:
//	-0.4	<s> hello
//	...
//	\end\
//
// Lines before \data\ are ignored. The check is strict: the counts in \data\ must match
// the sections, orders run 1..N with N at most MaxOrder, numbers must be finite (log10
// probabilities at most 0), the highest order has no backoff weights, every word of a
// higher-order n-gram must be a 1-gram, every n-gram's context (all but its last word) must
// itself be listed, and no n-gram may appear twice. Errors are *FormatError values naming
// name and the line. Memory grows with the n-grams actually present, not with the counts
// the header claims.
func ReadARPA(r io.Reader, name string) (*Model, error) {
	p := &arpaParser{name: name, sc: bufio.NewScanner(r)}
	p.sc.Buffer(make([]byte, 0, 64*1024), maxLine)
	m, err := p.parse()
	if err != nil {
		return nil, err
	}
	return m, nil
}

type arpaParser struct {
	name   string
	sc     *bufio.Scanner
	line   int
	counts []int
	m      *Model
	fields [MaxOrder + 2]string
}

type arpaEntry struct {
	parent uint32
	word   uint32
	prob   float32
	bo     float32
	line   int32
}

func (p *arpaParser) errorf(format string, a ...any) error {
	return errorf(p.name, p.line, format, a...)
}

// next returns the next line with surrounding white space removed.
func (p *arpaParser) next() (string, bool, error) {
	if !p.sc.Scan() {
		if err := p.sc.Err(); err != nil {
			p.line++
			if errors.Is(err, bufio.ErrTooLong) {
				return "", false, p.errorf("line longer than %d bytes", maxLine)
			}
			return "", false, &FormatError{Name: p.name, Line: p.line, Msg: err.Error()}
		}
		return "", false, nil
	}
	p.line++
	return strings.TrimSpace(p.sc.Text()), true, nil
}

func sectionName(k int) string { return "\\" + strconv.Itoa(k) + "-grams:" }

func (p *arpaParser) parse() (*Model, error) {
	// Header.
	for {
		s, ok, err := p.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, p.errorf("no \\data\\ line: not an ARPA language model")
		}
		if s == "\\data\\" {
			break
		}
	}
	var s string
	for {
		var ok bool
		var err error
		s, ok, err = p.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, p.errorf("end of file in the \\data\\ section")
		}
		if s == "" {
			continue
		}
		if strings.HasPrefix(s, "\\") {
			break
		}
		if err := p.countLine(s); err != nil {
			return nil, err
		}
	}
	if len(p.counts) == 0 {
		return nil, p.errorf("no \"ngram N=COUNT\" lines in the \\data\\ section")
	}
	p.m = &Model{order: len(p.counts), lv: make([]level, len(p.counts))}
	// Sections.
	for k := 1; k <= len(p.counts); k++ {
		if s != sectionName(k) {
			if s == "\\end\\" {
				return nil, p.errorf("\\end\\ before the %s section the \\data\\ counts announce", sectionName(k))
			}
			return nil, p.errorf("found %q, want %s", s, sectionName(k))
		}
		var err error
		if k == 1 {
			s, err = p.unigrams()
		} else {
			s, err = p.ngrams(k)
		}
		if err != nil {
			return nil, err
		}
	}
	if s != "\\end\\" {
		if s == "" {
			return nil, p.errorf("missing \\end\\ at the end of the file")
		}
		return nil, p.errorf("found %q, want \\end\\ (the \\data\\ section announces %d orders)", s, len(p.counts))
	}
	p.m.setSpecials()
	return p.m, nil
}

// countLine parses "ngram K=COUNT".
func (p *arpaParser) countLine(s string) error {
	rest, ok := strings.CutPrefix(s, "ngram ")
	if !ok {
		return p.errorf("%q in the \\data\\ section: want \"ngram N=COUNT\"", s)
	}
	ks, cs, ok := strings.Cut(strings.TrimSpace(rest), "=")
	if !ok {
		return p.errorf("%q: want \"ngram N=COUNT\"", s)
	}
	k, err := strconv.Atoi(strings.TrimSpace(ks))
	if err != nil || k < 1 {
		return p.errorf("%q: order %q is not a positive integer", s, ks)
	}
	if k > MaxOrder {
		return p.errorf("order %d: Hark reads n-gram models up to order %d", k, MaxOrder)
	}
	if k != len(p.counts)+1 {
		return p.errorf("order %d out of sequence (want ngram %d=...)", k, len(p.counts)+1)
	}
	c, err := strconv.ParseUint(strings.TrimSpace(cs), 10, 64)
	if err != nil {
		return p.errorf("%q: count %q is not a non-negative integer", s, cs)
	}
	if c > maxNgrams {
		return p.errorf("%q: count %d is too large", s, c)
	}
	if k == 1 && c == 0 {
		return p.errorf("%q: a model needs at least one 1-gram", s)
	}
	p.counts = append(p.counts, int(c))
	return nil
}

// split splits an entry line into probability, words and optional backoff.
func (p *arpaParser) split(s string, k int) (prob float32, words []string, bo float32, hasBO bool, err error) {
	n := 0
	for f := range strings.FieldsSeq(s) {
		if n == len(p.fields) {
			n++
			break
		}
		p.fields[n] = f
		n++
	}
	top := k == len(p.counts)
	switch {
	case n == k+2 && top:
		return 0, nil, 0, false, p.errorf("backoff weight on a %d-gram, the highest order", k)
	case n != k+1 && n != k+2:
		return 0, nil, 0, false, p.errorf("%d fields, want a log probability, %d word(s) and an optional backoff weight", n, k)
	}
	prob, err = p.number(p.fields[0], "log probability")
	if err != nil {
		return
	}
	if prob > 0 {
		return 0, nil, 0, false, p.errorf("log probability %s is positive", p.fields[0])
	}
	if n == k+2 {
		if bo, err = p.number(p.fields[k+1], "backoff weight"); err != nil {
			return
		}
		hasBO = true
	}
	return prob, p.fields[1 : k+1], bo, hasBO, nil
}

func (p *arpaParser) number(f, what string) (float32, error) {
	x, err := strconv.ParseFloat(f, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, p.errorf("%s %q is not a finite number", what, f)
	}
	y := float32(x)
	if math.IsInf(float64(y), 0) {
		return 0, p.errorf("%s %q is out of range", what, f)
	}
	return y, nil
}

// section reads entry lines until the next line starting with a backslash, which it
// returns ("" at end of file). each is called with every non-blank entry line.
func (p *arpaParser) section(k int, each func(string) error) (string, error) {
	header := p.line
	n := 0
	for {
		s, ok, err := p.next()
		if err != nil {
			return "", err
		}
		if !ok || strings.HasPrefix(s, "\\") {
			if n != p.counts[k-1] {
				return "", errorf(p.name, header, "%s has %d n-grams but the \\data\\ section says %d", sectionName(k), n, p.counts[k-1])
			}
			return s, nil
		}
		if s == "" {
			continue
		}
		n++
		if n > p.counts[k-1] {
			return "", p.errorf("more %d-grams than the %d the \\data\\ section says", k, p.counts[k-1])
		}
		if err := each(s); err != nil {
			return "", err
		}
	}
}

func (p *arpaParser) unigrams() (string, error) {
	type uni struct {
		word string
		prob float32
		bo   float32
		line int32
	}
	us := make([]uni, 0, min(p.counts[0], 1<<16))
	next, err := p.section(1, func(s string) error {
		prob, words, bo, _, err := p.split(s, 1)
		if err != nil {
			return err
		}
		us = append(us, uni{strings.Clone(words[0]), prob, bo, int32(p.line)})
		return nil
	})
	if err != nil {
		return "", err
	}
	slices.SortFunc(us, func(a, b uni) int { return strings.Compare(a.word, b.word) })
	m := p.m
	var blob strings.Builder
	m.offs = make([]uint32, 0, len(us)+1)
	m.offs = append(m.offs, 0)
	l := &m.lv[0]
	l.prob = make([]float32, len(us))
	if m.order > 1 {
		l.bo = make([]float32, len(us))
	}
	for i, u := range us {
		if i > 0 && u.word == us[i-1].word {
			first, dup := us[i-1].line, u.line
			return "", errorf(p.name, int(max(first, dup)), "duplicate 1-gram %q (also on line %d)", u.word, min(first, dup))
		}
		blob.WriteString(u.word)
		if blob.Len() > math.MaxUint32 {
			return "", p.errorf("vocabulary too large")
		}
		m.offs = append(m.offs, uint32(blob.Len()))
		l.prob[i] = u.prob
		if l.bo != nil {
			l.bo[i] = u.bo
		}
	}
	m.vocab = blob.String()
	return next, nil
}

func (p *arpaParser) ngrams(k int) (string, error) {
	m := p.m
	es := make([]arpaEntry, 0, min(p.counts[k-1], 1<<16))
	var ids [MaxOrder]uint32
	next, err := p.section(k, func(s string) error {
		prob, words, bo, _, err := p.split(s, k)
		if err != nil {
			return err
		}
		for i, w := range words {
			id := m.ID(w)
			if id < 0 {
				return p.errorf("word %q is not among the 1-grams", w)
			}
			ids[i] = uint32(id)
		}
		parent, ok := m.find(ids[:k-1])
		if !ok {
			return p.errorf("the context %q of %d-gram %q is not listed as a %d-gram",
				strings.Join(words[:k-1], " "), k, strings.Join(words, " "), k-1)
		}
		es = append(es, arpaEntry{uint32(parent), ids[k-1], prob, bo, int32(p.line)})
		return nil
	})
	if err != nil {
		return "", err
	}
	slices.SortFunc(es, func(a, b arpaEntry) int {
		if a.parent != b.parent {
			if a.parent < b.parent {
				return -1
			}
			return 1
		}
		if a.word != b.word {
			if a.word < b.word {
				return -1
			}
			return 1
		}
		return 0
	})
	l := &m.lv[k-1]
	l.word = make([]uint32, len(es))
	l.prob = make([]float32, len(es))
	if k < m.order {
		l.bo = make([]float32, len(es))
	}
	up := &m.lv[k-2]
	up.next = make([]uint32, up.len()+1)
	for i, e := range es {
		if i > 0 && e.parent == es[i-1].parent && e.word == es[i-1].word {
			a, b := es[i-1].line, e.line
			return "", errorf(p.name, int(max(a, b)), "duplicate %d-gram (also on line %d)", k, min(a, b))
		}
		l.word[i], l.prob[i] = e.word, e.prob
		if l.bo != nil {
			l.bo[i] = e.bo
		}
		up.next[e.parent+1]++
	}
	for i := 1; i < len(up.next); i++ {
		up.next[i] += up.next[i-1]
	}
	return next, nil
}

// WriteARPA writes m in ARPA text format (log10 values, shortest exact float32 decimals).
func WriteARPA(w io.Writer, m *Model) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("\n\\data\\\n")
	for k, c := range m.Counts() {
		bw.WriteString("ngram " + strconv.Itoa(k+1) + "=" + strconv.Itoa(c) + "\n")
	}
	var buf []byte
	var ids [MaxOrder]uint32
	for k := range m.lv {
		bw.WriteString("\n" + sectionName(k+1) + "\n")
		// Depth-first over the trie, writing the entries of level k in index order.
		var walk func(depth, pos int)
		walk = func(depth, pos int) {
			if depth == k {
				l := &m.lv[k]
				buf = strconv.AppendFloat(buf[:0], float64(l.prob[pos]), 'f', -1, 32)
				buf = append(buf, '\t')
				for j := 0; j <= k; j++ {
					if j > 0 {
						buf = append(buf, ' ')
					}
					buf = append(buf, m.Word(int(ids[j]))...)
				}
				if l.bo != nil {
					buf = append(buf, '\t')
					buf = strconv.AppendFloat(buf, float64(l.bo[pos]), 'f', -1, 32)
				}
				buf = append(buf, '\n')
				bw.Write(buf)
				return
			}
			l := &m.lv[depth]
			for c := l.next[pos]; c < l.next[pos+1]; c++ {
				ids[depth+1] = m.lv[depth+1].word[c]
				walk(depth+1, int(c))
			}
		}
		for u := 0; u < m.VocabSize(); u++ {
			ids[0] = uint32(u)
			walk(0, u)
		}
	}
	bw.WriteString("\n\\end\\\n")
	return bw.Flush()
}
