package text

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"hark/internal/regfile"
)

// Replacements is a user dictionary of spoken forms and what to write instead, matched on
// whole words, case-insensitively, longest match first. It is immutable once read and safe
// for concurrent use.
type Replacements struct {
	rules   []rule
	byFirst map[string][]int // first spoken word → rules starting with it
}

type rule struct {
	spoken  []string // lower-case words
	written string   // as written in the file (escapes resolved)
	out     string   // written with the other rules applied (chains resolved)
	line    int
}

// Len is the number of rules.
func (r *Replacements) Len() int {
	if r == nil {
		return 0
	}
	return len(r.rules)
}

// ReadReplacements parses a replacement file. Each line is either
//
//	spoken form => written form
//	spoken form<TAB>written form
//
// with blank lines and lines starting with # ignored. The spoken side is matched on whole
// words, case-insensitively, longest first; the written side is used as written, with \n
// and \t standing for a newline and a tab (so "new line" could be redefined). Written
// forms are themselves passed through the other rules, so "a => b" and "b => c" turn "a"
// into "c"; a chain that comes back to where it started is an error naming its lines. A
// rule that only changes the case of its own words ("ai => AI") is not a cycle. Errors
// name the file and line.
func ReadReplacements(r io.Reader, name string) (*Replacements, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<16)
	rep := &Replacements{byFirst: map[string][]int{}}
	seen := map[string]int{}
	line := 0
	for sc.Scan() {
		line++
		s := sc.Text()
		if line == 1 {
			s = strings.TrimPrefix(s, "\ufeff")
		}
		t := strings.TrimSpace(s)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		var spoken, written string
		if a, b, ok := strings.Cut(s, "=>"); ok {
			spoken, written = a, b
		} else if a, b, ok := strings.Cut(s, "\t"); ok {
			spoken, written = a, b
		} else {
			return nil, fmt.Errorf("%s:%d: %q: want \"spoken => written\" or spoken<TAB>written", name, line, t)
		}
		words := strings.Fields(strings.ToLower(spoken))
		if len(words) == 0 {
			return nil, fmt.Errorf("%s:%d: empty spoken form", name, line)
		}
		written = unescape(strings.TrimSpace(written))
		key := strings.Join(words, " ")
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("%s:%d: %q is already replaced on line %d", name, line, key, prev)
		}
		seen[key] = line
		rep.byFirst[words[0]] = append(rep.byFirst[words[0]], len(rep.rules))
		rep.rules = append(rep.rules, rule{spoken: words, written: written, line: line})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	if err := rep.resolve(name); err != nil {
		return nil, err
	}
	return rep, nil
}

// LoadReplacements reads a replacement file from disk.
func LoadReplacements(path string) (*Replacements, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadReplacements(f, path)
}

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	r := strings.NewReplacer(`\n`, "\n", `\t`, "\t", `\\`, `\`)
	return r.Replace(s)
}

// match returns the rule with the longest spoken form matching words at i (lower-cased
// words), or -1.
func (r *Replacements) match(lower []string, i int) int {
	if r == nil {
		return -1
	}
	best, bestLen := -1, 0
	for _, k := range r.byFirst[lower[i]] {
		sp := r.rules[k].spoken
		if len(sp) <= bestLen || i+len(sp) > len(lower) {
			continue
		}
		ok := true
		for j, w := range sp {
			if lower[i+j] != w {
				ok = false
				break
			}
		}
		if ok {
			best, bestLen = k, len(sp)
		}
	}
	return best
}

// onlyRecases reports whether rule k's written form is its spoken form in other letter case.
func (r *Replacements) onlyRecases(k int) bool {
	return strings.Join(strings.Fields(strings.ToLower(r.rules[k].written)), " ") == strings.Join(r.rules[k].spoken, " ")
}

// Bounds on what rules may make of each other (issue 17: without them, 26 doubling lines made a
// 268 MB transcript and a million-rule chain overflowed the stack).
const (
	maxChain   = 64   // rules applied one inside another
	maxWritten = 4096 // bytes a rule's written form may grow to through the others
)

// resolve applies the rules to each written form (depth first), failing on a cycle, on a
// chain deeper than maxChain and on a written form that grows past maxWritten.
func (r *Replacements) resolve(name string) error {
	const (
		todo = iota
		active
		done
	)
	state := make([]int, len(r.rules))
	var stack []int
	var visit func(k int) error
	visit = func(k int) error {
		switch state[k] {
		case done:
			return nil
		case active:
			start := 0
			for stack[start] != k {
				start++
			}
			var parts []string
			for _, j := range append(stack[start:], k) {
				parts = append(parts, fmt.Sprintf("line %d (%s => %s)", r.rules[j].line, strings.Join(r.rules[j].spoken, " "), strconv.Quote(r.rules[j].written)))
			}
			return fmt.Errorf("%s:%d: replacements form a cycle: %s", name, r.rules[k].line, strings.Join(parts, " -> "))
		}
		if len(stack) >= maxChain {
			return fmt.Errorf("%s:%d: replacements form a chain of more than %d rules (from line %d)", name, r.rules[k].line, maxChain, r.rules[stack[0]].line)
		}
		state[k] = active
		stack = append(stack, k)
		rl := &r.rules[k]
		if r.onlyRecases(k) {
			rl.out = rl.written
		} else {
			words := strings.Fields(rl.written)
			lower := make([]string, len(words))
			for i, w := range words {
				lower[i] = strings.ToLower(w)
			}
			var out []string
			size := 0 // bytes of out joined by spaces
			for i := 0; i < len(words); {
				j := r.match(lower, i)
				if j < 0 {
					out = append(out, words[i])
					size += len(words[i]) + 1
					i++
					continue
				}
				if err := visit(j); err != nil {
					return err
				}
				out = append(out, r.rules[j].out)
				size += len(r.rules[j].out) + 1
				i += len(r.rules[j].spoken)
				if size > maxWritten && size > len(rl.written)+1 {
					return fmt.Errorf("%s:%d: %s => %s expands to more than %d bytes through the other rules", name, rl.line, strings.Join(rl.spoken, " "), strconv.Quote(rl.written), maxWritten)
				}
			}
			if len(words) == 0 || strings.Join(out, " ") == strings.Join(words, " ") {
				rl.out = rl.written // unchanged: keep its own spacing (newlines, tabs)
			} else {
				rl.out = strings.Join(out, " ")
			}
		}
		stack = stack[:len(stack)-1]
		state[k] = done
		return nil
	}
	for k := range r.rules {
		if err := visit(k); err != nil {
			return err
		}
	}
	return nil
}
