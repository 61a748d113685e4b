package subtitle

import (
	"fmt"
	"io"
	"strings"

	"hark/asr"
)

// Limits of a cue. The zero value means the usual broadcast limits: 42 characters per line,
// two lines, a new cue after a pause of 0.8 s or 7 s of speech.
type Limits struct {
	LineChars   int
	Lines       int
	Pause       float64
	MaxDuration float64
}

func (l Limits) withDefaults() Limits {
	if l.LineChars <= 0 {
		l.LineChars = 42
	}
	if l.Lines <= 0 {
		l.Lines = 2
	}
	if l.Pause <= 0 {
		l.Pause = 0.8
	}
	if l.MaxDuration <= 0 {
		l.MaxDuration = 7
	}
	return l
}

// Cue is one subtitle: up to Limits.Lines lines shown from Start to End seconds.
type Cue struct {
	Start, End float64
	Lines      []string
}

// Split groups words into cues: a cue ends at a pause, when its text would not fit in the
// allowed lines, or when it would last too long. A single word longer than a line gets a
// line of its own.
func Split(words []asr.Word, lim Limits) []Cue {
	lim = lim.withDefaults()
	var cues []Cue
	var cur *Cue
	line := ""
	for i, w := range words {
		text := strings.TrimSpace(w.Word)
		if text == "" {
			continue
		}
		newCue := cur == nil ||
			(i > 0 && w.Start-words[i-1].End >= lim.Pause) ||
			w.End-cur.Start > lim.MaxDuration
		if !newCue && len(line)+1+len(text) > lim.LineChars {
			if len(cur.Lines)+1 >= lim.Lines {
				newCue = true
			} else {
				cur.Lines = append(cur.Lines, line)
				line = text
				cur.End = w.End
				continue
			}
		}
		if newCue {
			if cur != nil {
				cur.Lines = append(cur.Lines, line)
				cues = append(cues, *cur)
			}
			cur = &Cue{Start: w.Start, End: w.End}
			line = text
			continue
		}
		line += " " + text
		cur.End = w.End
	}
	if cur != nil {
		cur.Lines = append(cur.Lines, line)
		cues = append(cues, *cur)
	}
	return cues
}

func stamp(sec float64, sep string) string {
	if sec < 0 {
		sec = 0
	}
	ms := int64(sec*1000 + 0.5)
	h := ms / 3600000
	m := ms / 60000 % 60
	s := ms / 1000 % 60
	return fmt.Sprintf("%02d:%02d:%02d%s%03d", h, m, s, sep, ms%1000)
}

// WriteSRT writes cues in SubRip format.
func WriteSRT(w io.Writer, cues []Cue) error {
	for i, c := range cues {
		if _, err := fmt.Fprintf(w, "%d\n%s --> %s\n%s\n\n", i+1, stamp(c.Start, ","), stamp(c.End, ","), strings.Join(c.Lines, "\n")); err != nil {
			return err
		}
	}
	return nil
}

// WriteVTT writes cues in WebVTT format.
func WriteVTT(w io.Writer, cues []Cue) error {
	if _, err := io.WriteString(w, "WEBVTT\n\n"); err != nil {
		return err
	}
	for _, c := range cues {
		if _, err := fmt.Fprintf(w, "%s --> %s\n%s\n\n", stamp(c.Start, "."), stamp(c.End, "."), strings.Join(c.Lines, "\n")); err != nil {
			return err
		}
	}
	return nil
}
