package text

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"hark/asr"
)

// Formatter turns the recognizer's raw output (lower-case words, no punctuation) into
// written text, in this order: the user's Replacements; spoken punctuation commands
// ("comma", "period"/"full stop", "question mark", "exclamation mark"/"point", "colon",
// "semicolon", "new line", "new paragraph", "open quote"/"close quote", "open
// paren"/"close paren"), with "literal X" writing X itself; then casing (sentence starts and
// "I", "I'm", "I'll", "I've", "I'd") and a full stop at the end of an utterance that does
// not end in punctuation. Punctuation attaches to the previous word without a space (an
// opening quote or parenthesis to the next). Text produced by a replacement is written as
// given — it is not read as a command, and only capitalized at a sentence start if it has
// no capital letter of its own ("iPhone" stays). The zero value applies the commands and
// casing with no replacements.
type Formatter struct {
	Replacements *Replacements
	NoCommands   bool // leave spoken punctuation commands as words
	NoCasing     bool // keep the case of the words, add no final full stop
	NoFinalStop  bool // add no full stop at the end of an utterance (a spoken "period" stays)
}

type kind uint8

const (
	kWord    kind = iota // recognized word: may be re-cased
	kFixed               // replacement output: written as given
	kClose               // attaches to the previous token: , . ? ! : ; ) closing quote
	kOpen                // attaches to the next token: ( opening quote
	kNewline             // "\n" or "\n\n"
)

type token struct {
	text     string
	kind     kind
	from, to int // raw words [from, to) it came from
}

type command struct {
	spoken []string
	text   string
	kind   kind
}

// CommandHotwords is a hotword list (ctc.Vocabulary.ReadHotwords) that biases the search
// towards the spoken punctuation commands, for live dictation, where people say them. The
// boosts (per token) were chosen with scripts/command-hits.sh against the dev sets: without
// them "comma" came out as "come" every time and 33% of the commands were written; with
// them 71%, at +0.6 WER on read speech that holds no commands (native-dev 61.2 → 61.8%,
// speech-dev 43.8 → 44.5%, tts-dev 38.9 → 38.7%, digits unchanged). "period" and "colon"
// get less: they were the ones inserted into plain speech.
const CommandHotwords = `comma:1
period:0.7
full stop:1
question mark:1
exclamation mark:1
colon:0.7
semicolon:1
new line:1
new paragraph:1
`

var commands = func() map[string][]command {
	list := []struct {
		spoken, text string
		kind         kind
	}{
		{"comma", ",", kClose},
		{"period", ".", kClose},
		{"full stop", ".", kClose},
		{"question mark", "?", kClose},
		{"exclamation mark", "!", kClose},
		{"exclamation point", "!", kClose},
		{"colon", ":", kClose},
		{"semicolon", ";", kClose},
		{"semi colon", ";", kClose},
		{"new line", "\n", kNewline},
		{"newline", "\n", kNewline},
		{"new paragraph", "\n\n", kNewline},
		{"open quote", "\"", kOpen},
		{"begin quote", "\"", kOpen},
		{"close quote", "\"", kClose},
		{"end quote", "\"", kClose},
		{"unquote", "\"", kClose},
		{"open paren", "(", kOpen},
		{"open parenthesis", "(", kOpen},
		{"close paren", ")", kClose},
		{"close parenthesis", ")", kClose},
	}
	m := map[string][]command{}
	for _, c := range list {
		words := strings.Fields(c.spoken)
		m[words[0]] = append(m[words[0]], command{words, c.text, c.kind})
	}
	return m
}()

// matchCommand returns the longest spoken command at i, if any.
func matchCommand(lower []string, i int) (command, bool) {
	var best command
	found := false
	for _, c := range commands[lower[i]] {
		if len(c.spoken) <= len(best.spoken) || i+len(c.spoken) > len(lower) {
			continue
		}
		ok := true
		for j, w := range c.spoken {
			if lower[i+j] != w {
				ok = false
				break
			}
		}
		if ok {
			best, found = c, true
		}
	}
	return best, found
}

// classify decides how a replacement's output attaches to its neighbours.
func classify(s string) kind {
	switch {
	case s != "" && strings.Trim(s, "\n") == "":
		return kNewline
	case s != "" && strings.Trim(s, ".,;:!?)]}") == "":
		return kClose
	case s != "" && strings.Trim(s, "([{") == "":
		return kOpen
	}
	return kWord
}

// tokens runs replacements and commands over the raw words.
func (f *Formatter) tokens(words []string) []token {
	lower := make([]string, len(words))
	for i, w := range words {
		lower[i] = strings.ToLower(w)
	}
	var out []token
	for i := 0; i < len(words); {
		// "literal X": X as a plain word (or the words of the command/rule X starts).
		if lower[i] == "literal" && i+1 < len(words) {
			n := 1
			if k := f.Replacements.match(lower, i+1); k >= 0 {
				n = len(f.Replacements.rules[k].spoken)
			} else if c, ok := matchCommand(lower, i+1); ok && !f.NoCommands {
				n = len(c.spoken)
			}
			for j := i + 1; j < i+1+n; j++ {
				from := j
				if j == i+1 {
					from = i // the first word also covers "literal"
				}
				out = append(out, token{text: words[j], kind: kWord, from: from, to: j + 1})
			}
			i += 1 + n
			continue
		}
		k := f.Replacements.match(lower, i)
		c, isCmd := command{}, false
		if !f.NoCommands {
			c, isCmd = matchCommand(lower, i)
		}
		switch {
		case k >= 0 && (!isCmd || len(f.Replacements.rules[k].spoken) >= len(c.spoken)):
			rl := f.Replacements.rules[k]
			kd := classify(rl.out)
			if kd == kWord {
				kd = kFixed
			}
			if rl.out != "" {
				out = append(out, token{text: rl.out, kind: kd, from: i, to: i + len(rl.spoken)})
			}
			i += len(rl.spoken)
		case isCmd:
			out = append(out, token{text: c.text, kind: c.kind, from: i, to: i + len(c.spoken)})
			i += len(c.spoken)
		default:
			out = append(out, token{text: words[i], kind: kWord, from: i, to: i + 1})
			i++
		}
	}
	return out
}

// pronounI maps the lower-case forms of "I" and its contractions to their written form.
var pronounI = map[string]string{"i": "I", "i'm": "I'm", "i'll": "I'll", "i've": "I've", "i'd": "I'd"}

// caseTokens capitalizes sentence starts and "I", and ends the text with a full stop.
func caseTokens(ts []token) []token {
	start := true
	last := -1 // last token that is not a newline
	for i := range ts {
		t := &ts[i]
		switch t.kind {
		case kWord:
			if w, ok := pronounI[strings.ToLower(t.text)]; ok {
				t.text = w
			} else if start {
				t.text = capitalize(t.text)
			}
			start = false
		case kFixed:
			if start && !hasUpper(t.text) {
				t.text = capitalize(t.text)
			}
			start = false
		case kClose:
			if strings.ContainsAny(t.text, ".?!") {
				start = true
			}
		case kNewline:
			start = true
		}
		if t.kind != kNewline {
			last = i
		}
	}
	if last < 0 {
		return ts
	}
	if end := ts[last]; end.kind == kWord || end.kind == kFixed || (end.kind == kClose && strings.Trim(end.text, "\")]}") == "" && !endsSentence(ts[:last])) {
		dot := token{text: ".", kind: kClose, from: end.to, to: end.to}
		ts = append(ts[:last+1], append([]token{dot}, ts[last+1:]...)...)
	}
	return ts
}

// endsSentence reports whether ts ends with sentence-final punctuation (before closing
// quotes and brackets).
func endsSentence(ts []token) bool {
	for i := len(ts) - 1; i >= 0; i-- {
		t := ts[i]
		if t.kind != kClose {
			return false
		}
		if strings.ContainsAny(t.text, ".?!") {
			return true
		}
	}
	return false
}

func hasUpper(s string) bool { return strings.IndexFunc(s, unicode.IsUpper) >= 0 }

func capitalize(w string) string {
	r, n := utf8.DecodeRuneInString(w)
	if r == utf8.RuneError || !unicode.IsLower(r) {
		return w
	}
	return string(unicode.ToUpper(r)) + w[n:]
}

// render joins tokens with the spacing rules.
func render(ts []token) string {
	var b strings.Builder
	prev := kNewline // no space at the start
	for _, t := range ts {
		if t.kind == kNewline {
			s := strings.TrimRight(b.String(), " ")
			b.Reset()
			b.WriteString(s)
			b.WriteString(t.text)
			prev = kNewline
			continue
		}
		if prev != kNewline && prev != kOpen && t.kind != kClose && !strings.HasPrefix(t.text, "\n") {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
		prev = t.kind
		if strings.HasSuffix(t.text, "\n") {
			prev = kNewline
		}
	}
	return strings.TrimRight(b.String(), " ")
}

func (f *Formatter) run(words []string) []token {
	ts := f.tokens(words)
	if !f.NoCasing {
		ts = caseTokens(ts)
	}
	if f.NoFinalStop {
		// The automatic full stop is the one token that comes from no spoken word.
		ts = slices.DeleteFunc(ts, func(t token) bool { return t.kind == kClose && t.text == "." && t.from == t.to })
	}
	return ts
}

// Format formats raw recognizer text (see Formatter).
func (f *Formatter) Format(raw string) string {
	words := strings.Fields(raw)
	if len(words) == 0 {
		return ""
	}
	return render(f.run(words))
}

// Words formats timed words the same way: punctuation joins the word before it (an opening
// mark the word after it), commands and replacements take the time of the words they came
// from, newlines are left out. A word's confidence is the mean over the raw words it came
// from, commands excluded.
func (f *Formatter) Words(words []asr.Word) []asr.Word {
	raw := make([]string, len(words))
	for i, w := range words {
		raw[i] = w.Word
	}
	type group struct {
		text       string
		start, end float64
		timed      bool
		conf       float64
	}
	var groups []group
	add := func(g *group, t token) {
		if t.from >= t.to {
			return
		}
		s, e := words[t.from].Start, words[t.to-1].End
		if !g.timed || s < g.start {
			g.start = s
		}
		if !g.timed || e > g.end {
			g.end = e
		}
		g.timed = true
	}
	var pending []token // opening marks waiting for the next word
	for _, t := range f.run(raw) {
		switch t.kind {
		case kNewline:
		case kOpen:
			pending = append(pending, t)
		case kClose:
			if len(groups) == 0 {
				groups = append(groups, group{})
			}
			g := &groups[len(groups)-1]
			g.text += t.text
			add(g, t)
		default:
			groups = append(groups, group{})
			g := &groups[len(groups)-1]
			for _, p := range pending {
				g.text += p.text
				add(g, p)
			}
			pending = pending[:0]
			g.text += t.text
			add(g, t)
			var sum float64
			for j := t.from; j < t.to; j++ {
				sum += words[j].Confidence
			}
			if t.to > t.from {
				g.conf = sum / float64(t.to-t.from)
			}
		}
	}
	if len(pending) > 0 {
		groups = append(groups, group{})
		g := &groups[len(groups)-1]
		for _, p := range pending {
			g.text += p.text
			add(g, p)
		}
	}
	out := make([]asr.Word, len(groups))
	for i, g := range groups {
		out[i] = asr.Word{Word: g.text, Start: g.start, End: g.end, Confidence: g.conf}
	}
	return out
}

// Result formats a recognition result: Text and Words (when the words spell the text),
// keeping the raw text in Raw.
func (f *Formatter) Result(r asr.Result) asr.Result {
	if r.Raw == "" {
		r.Raw = r.Text
	}
	joined := make([]string, len(r.Words))
	for i, w := range r.Words {
		joined[i] = w.Word
	}
	if len(r.Words) > 0 && strings.Join(joined, " ") == strings.Join(strings.Fields(r.Raw), " ") {
		r.Text = render(f.run(joined))
		r.Words = f.Words(r.Words)
		return r
	}
	r.Text = f.Format(r.Raw)
	return r
}
