package subtitle

import (
	"bytes"
	"strings"
	"testing"

	"hark/asr"
)

func words(text string, start, step float64) []asr.Word {
	var ws []asr.Word
	for i, f := range strings.Fields(text) {
		s := start + float64(i)*step
		ws = append(ws, asr.Word{Word: f, Start: s, End: s + step*0.8})
	}
	return ws
}

func TestSplitLimits(t *testing.T) {
	ws := words(strings.Repeat("several words make a long sentence here ", 6), 0, 0.3)
	cues := Split(ws, Limits{MaxDuration: 100})
	if len(cues) < 2 {
		t.Fatalf("got %d cues", len(cues))
	}
	n := 0
	for _, c := range cues {
		if len(c.Lines) > 2 {
			t.Errorf("cue with %d lines", len(c.Lines))
		}
		for _, l := range c.Lines {
			if len(l) > 42 {
				t.Errorf("line %q longer than 42", l)
			}
			n += len(strings.Fields(l))
		}
		if c.End <= c.Start {
			t.Errorf("cue %v ends before it starts", c)
		}
	}
	if n != len(ws) {
		t.Errorf("cues hold %d words, want %d", n, len(ws))
	}
}

func TestSplitAtPause(t *testing.T) {
	ws := append(words("hello there", 0, 0.3), words("after a pause", 3, 0.3)...)
	cues := Split(ws, Limits{})
	if len(cues) != 2 || cues[0].Lines[0] != "hello there" || cues[1].Lines[0] != "after a pause" {
		t.Fatalf("cues %+v", cues)
	}
}

func TestWriters(t *testing.T) {
	cues := []Cue{{Start: 1.5, End: 3723.25, Lines: []string{"a b", "c"}}}
	var b bytes.Buffer
	if err := WriteSRT(&b, cues); err != nil {
		t.Fatal(err)
	}
	if want := "1\n00:00:01,500 --> 01:02:03,250\na b\nc\n\n"; b.String() != want {
		t.Errorf("srt %q", b.String())
	}
	b.Reset()
	if err := WriteVTT(&b, cues); err != nil {
		t.Fatal(err)
	}
	if want := "WEBVTT\n\n00:00:01.500 --> 01:02:03.250\na b\nc\n\n"; b.String() != want {
		t.Errorf("vtt %q", b.String())
	}
	if len(Split(nil, Limits{})) != 0 {
		t.Error("cues from no words")
	}
}
