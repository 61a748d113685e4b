package ctc

import (
	"math"
	"strings"

	"hark/asr"
)

// span is one word of a token sequence: its text and the indices (into the sequence) of its
// first and last contributing tokens.
type span struct {
	text        string
	first, last int
}

// spans splits a token sequence into words. Separators end a word, a SentencePiece "▁" token
// starts one, special tokens and out-of-range ids are ignored.
func (v *Vocabulary) spans(tokens []int) []span {
	var out []span
	var b strings.Builder
	first, last := -1, -1
	flush := func() {
		if b.Len() > 0 {
			out = append(out, span{strings.ToValidUTF8(b.String(), "\uFFFD"), first, last})
		}
		b.Reset()
		first, last = -1, -1
	}
	for i, id := range tokens {
		if id < 0 || id >= len(v.cls) {
			continue
		}
		switch v.cls[id] {
		case clsSep:
			flush()
			continue
		case clsSpecial:
			continue
		case clsWordStart:
			flush()
		}
		if first < 0 {
			first = i
		}
		last = i
		b.WriteString(v.text[id])
	}
	flush()
	return out
}

// Text turns a token sequence into text: words joined by single spaces, no leading or
// trailing space. Blank and special tokens (<unk>, <s>, ...) produce no text.
func (v *Vocabulary) Text(tokens []int) string {
	sp := v.spans(tokens)
	words := make([]string, len(sp))
	for i, s := range sp {
		words[i] = s.text
	}
	return strings.Join(words, " ")
}

// Words splits a hypothesis into timed words. frameSeconds is the duration of one output
// frame (feature hop × subsampling, e.g. 0.01 × 4). A word starts at its first token's spike
// frame and ends after the last frame of its last token's run (h.LastFrames, or h.Frames if
// absent). Confidence is the mean over the word's tokens of the token's posterior probability
// at its spike frame, read from post (log-probabilities, Rows = frames); tokens whose frame
// is missing from post count as 0.
func (v *Vocabulary) Words(h Hypothesis, post asr.Matrix, frameSeconds float64) []asr.Word {
	sp := v.spans(h.Tokens)
	if len(sp) == 0 {
		return nil
	}
	frameAt := func(fs []int, i int) int {
		if i < len(fs) {
			return fs[i]
		}
		return 0
	}
	okPost := post.Rows >= 0 && post.Cols > 0 && len(post.Data) >= post.Rows*post.Cols
	words := make([]asr.Word, 0, len(sp))
	for _, s := range sp {
		start := frameAt(h.Frames, s.first)
		end := frameAt(h.Frames, s.last)
		if s.last < len(h.LastFrames) {
			end = max(end, h.LastFrames[s.last])
		}
		var sum float64
		n := 0
		for i := s.first; i <= s.last; i++ {
			id := h.Tokens[i]
			if id < 0 || id >= len(v.cls) || v.cls[id] == clsSpecial || v.cls[id] == clsSep {
				continue
			}
			n++
			f := frameAt(h.Frames, i)
			if !okPost || f < 0 || f >= post.Rows || id >= post.Cols {
				continue
			}
			p := math.Exp(float64(post.Data[f*post.Cols+id]))
			if p > 1 {
				p = 1
			}
			if p >= 0 { // false for NaN
				sum += p
			}
		}
		conf := 0.0
		if n > 0 {
			conf = sum / float64(n)
		}
		words = append(words, asr.Word{
			Word:       s.text,
			Start:      float64(start) * frameSeconds,
			End:        float64(end+1) * frameSeconds,
			Confidence: conf,
		})
	}
	return words
}
