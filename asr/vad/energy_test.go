package vad

import (
	"testing"

	"hark/asr/vad/vadtest"
	"hark/audio/audiofile"
)

// scores runs v over x frame by frame.
func scores(v VAD, x []float32) []float32 {
	var out []float32
	for i := 0; i+FrameSize <= len(x); i += FrameSize {
		out = append(out, v.Frame(x[i:i+FrameSize]))
	}
	return out
}

// longestRun is the longest stretch of consecutive frames scoring at least th.
func longestRun(ps []float32, th float32) int {
	best, run := 0, 0
	for _, p := range ps {
		if p >= th {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

func count(ps []float32, th float32) int {
	n := 0
	for _, p := range ps {
		if p >= th {
			n++
		}
	}
	return n
}

func loadSpeech(t *testing.T, name string) []float32 {
	t.Helper()
	x, err := audiofile.Load("testdata/"+name, SampleRate)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// The endpointer starts an utterance after 3 consecutive frames at 0.5 or more; none of
// these sounds may ever get there.
func TestEnergyRejectsNoise(t *testing.T) {
	quiet := func(s float64) []float32 { return vadtest.White(s, 1e-4, 99) }
	cases := map[string][]float32{
		"digital silence":      vadtest.Silence(5),
		"quiet noise":          quiet(5),
		"white noise":          vadtest.White(5, 0.05, 1),
		"white noise onset":    vadtest.Concat(vadtest.Silence(1), vadtest.White(4, 0.1, 1)),
		"pink noise":           vadtest.Pink(5, 0.05, 2),
		"pink noise onset":     vadtest.Concat(quiet(1), vadtest.Pink(4, 0.1, 2)),
		"loud pink noise":      vadtest.Pink(5, 0.3, 3),
		"50 Hz hum":            vadtest.Hum(5, 50, 0.05),
		"60 Hz hum":            vadtest.Hum(5, 60, 0.2),
		"typing":               vadtest.Typing(6, 0.3, 4),
		"loud typing":          vadtest.Typing(6, 0.9, 5),
		"typing over fan":      vadtest.Mix(vadtest.Typing(6, 0.3, 6), vadtest.Pink(6, 0.01, 7)),
		"breathing":            vadtest.Concat(quiet(0.5), vadtest.Breathing(6, 0.03, 8)),
		"breathing over hum":   vadtest.Mix(vadtest.Breathing(6, 0.05, 9), vadtest.Hum(6, 50, 0.02)),
		"full-scale white":     vadtest.White(3, 0.5, 10),
		"clipped white onsets": vadtest.Concat(quiet(0.5), vadtest.White(0.05, 0.5, 11), quiet(0.5), vadtest.White(0.05, 0.5, 12), quiet(0.5)),
	}
	for name, x := range cases {
		ps := scores(NewEnergy(EnergyConfig{}), x)
		if r := longestRun(ps, 0.5); r >= 3 {
			t.Errorf("%s: %d consecutive frames scored as speech (%v)", name, r, ps)
		}
	}
}

func TestEnergyDetectsSpeech(t *testing.T) {
	quiet := vadtest.White(1, 1e-4, 3)
	for _, tc := range []struct {
		name string
		x    []float32
		gain float32
		fan  float64 // pink noise RMS mixed in
	}{
		{"hello.wav", loadSpeech(t, "hello.wav"), 1, 0},
		{"numbers.wav", loadSpeech(t, "numbers.wav"), 1, 0},
		{"hello.wav loud", loadSpeech(t, "hello.wav"), 10, 0},
		{"hello.wav quiet", loadSpeech(t, "hello.wav"), 0.1, 0},
		{"hello.wav over a fan", loadSpeech(t, "hello.wav"), 1, 0.003},
		{"numbers.wav over a fan", loadSpeech(t, "numbers.wav"), 1, 0.003},
	} {
		sp := make([]float32, len(tc.x))
		for i, v := range tc.x {
			sp[i] = v * tc.gain
		}
		x := vadtest.Concat(quiet, sp, quiet)
		if tc.fan > 0 {
			x = vadtest.Mix(x, vadtest.Pink(float64(len(x))/SampleRate, tc.fan, 5))
		}
		ps := scores(NewEnergy(EnergyConfig{}), x)
		lead := len(quiet) / FrameSize
		in := ps[lead : lead+len(sp)/FrameSize]
		if r := longestRun(in, 0.5); r < 3 {
			t.Errorf("%s: longest speech run %d frames, want at least 3 (%v)", tc.name, r, in)
		}
		if n := count(in, 0.5); n < len(in)/3 {
			t.Errorf("%s: %d of %d speech frames detected, want at least a third", tc.name, n, len(in))
		}
		if n := count(ps[:lead-2], 0.5); n > 0 {
			t.Errorf("%s: %d frames of the leading quiet scored as speech", tc.name, n)
		}
	}
}

func TestEnergyTones(t *testing.T) {
	// The tone fixtures: 0.12 s tones at amplitude 0.3 with 0.08 s gaps.
	var parts [][]float32
	parts = append(parts, vadtest.White(0.5, 1e-4, 1))
	for _, f := range []float64{700, 1300, 2500, 4100} {
		parts = append(parts, vadtest.Tone(0.12, f, 0.3), vadtest.White(0.08, 1e-4, 2))
	}
	ps := scores(NewEnergy(EnergyConfig{}), vadtest.Concat(parts...))
	if n := count(ps[15:], 0.5); n < 12 {
		t.Errorf("tones: %d frames scored as speech, want at least 12 (%v)", n, ps)
	}
}

func TestEnergyReset(t *testing.T) {
	x := vadtest.Concat(vadtest.White(1, 1e-3, 1), loadSpeech(t, "hello.wav"))
	e := NewEnergy(EnergyConfig{})
	a := scores(e, x)
	e.Reset()
	b := scores(e, x)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("frame %d: %v before Reset, %v after", i, a[i], b[i])
		}
	}
	if got := e.Frame(nil); got != 0 {
		t.Errorf("empty frame scored %v", got)
	}
}

func TestEnergyVoicingOff(t *testing.T) {
	// With the voicing test off, a loud noise burst after quiet counts as speech.
	x := vadtest.Concat(vadtest.White(1, 1e-4, 1), vadtest.White(0.3, 0.1, 2))
	ps := scores(NewEnergy(EnergyConfig{Voicing: -1}), x)
	if r := longestRun(ps, 0.5); r < 3 {
		t.Errorf("voicing off: longest run %d, want ≥ 3 (%v)", r, ps)
	}
}

func BenchmarkEnergy(b *testing.B) {
	x := vadtest.White(1, 0.05, 1)
	e := NewEnergy(EnergyConfig{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		scores(e, x)
	}
	b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N), "s/audio-s")
}
